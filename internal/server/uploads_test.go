package server_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/servertest"
)

// TestRejectedUploadLeavesNothing publishes an asset, then other bytes
// under the same name (a Conflict), and checks that the rejected bytes are
// not on disk once the request has ended, while the published ones are.
func TestRejectedUploadLeavesNothing(t *testing.T) {
	srv := servertest.Start(t)
	ca := srv.CodeArtifact()
	servertest.Domain(t, ca, "dom")
	servertest.Repository(t, ca, "dom", "repo", types.PackageFormatGeneric)
	publish := func(content string) error {
		b := []byte(content)
		_, err := ca.PublishPackageVersion(t.Context(), &codeartifact.PublishPackageVersionInput{
			Domain: aws.String("dom"), Repository: aws.String("repo"), Format: types.PackageFormatGeneric,
			Namespace: aws.String("ns"), Package: aws.String("pkg"), PackageVersion: aws.String("1.0.0"),
			AssetName: aws.String("a.bin"), AssetContent: bytesReader(b), AssetSHA256: aws.String(sha256hex(b)),
		})
		return err
	}
	onDisk := func(content string) bool {
		return srv.HasBlob(t, sha256hex([]byte(content)))
	}
	if err := publish("the first bytes"); err != nil {
		t.Fatal(err)
	}
	var conflict *types.ConflictException
	if err := publish("other bytes under the same name"); !errors.As(err, &conflict) {
		t.Fatalf("publishing other bytes under the same name: %v, want ConflictException", err)
	}
	if onDisk("other bytes under the same name") {
		t.Error("the rejected upload's bytes are still on disk after its request")
	}
	if !onDisk("the first bytes") {
		t.Error("the published asset's bytes are gone")
	}
	// The same bytes again succeed and change nothing: they stay.
	if err := publish("the first bytes"); err != nil {
		t.Fatal(err)
	}
	if !onDisk("the first bytes") {
		t.Error("publishing the same bytes again removed them")
	}
}
