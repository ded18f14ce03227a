package catalog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
)

// Publishing the same assets and metadata again to a version that takes
// more assets is idempotent: it succeeds and writes nothing (not even the
// version's update time); other bytes under an asset's name are refused.
func TestPublishSameAssetsAgainWritesNothing(t *testing.T) {
	ctx := context.Background()
	cat, r := setup(t)
	ref := artifact.PackageRef{Format: artifact.PyPI, Name: "tiny-lib"}
	pub := func(sha string) catalog.Publication {
		return catalog.Publication{
			Ref: ref, Version: "1.0", AddAssets: catalog.AddAlways,
			Meta:      artifact.Meta{Summary: "tiny"},
			Assets:    []artifact.Asset{{Name: "tiny_lib-1.0-py3-none-any.whl", Size: 3, SHA256: sha}},
			MergeMeta: func(old artifact.Meta) (artifact.Meta, error) { return old, nil },
		}
	}
	first, err := cat.Publish(ctx, r, pub(strings.Repeat("a", 64)))
	if err != nil {
		t.Fatal(err)
	}
	again, err := cat.Publish(ctx, r, pub(strings.Repeat("a", 64)))
	if err != nil {
		t.Fatalf("the same asset again: %v", err)
	}
	stored, err := cat.Version(ctx, r, ref, "1.0")
	if err != nil {
		t.Fatal(err)
	}
	for what, v := range map[string]struct{ revision, updated string }{
		"returned": {again.Revision, again.UpdatedAt.String()}, "stored": {stored.Revision, stored.UpdatedAt.String()},
	} {
		if v.revision != first.Revision || v.updated != first.UpdatedAt.String() {
			t.Errorf("the same asset again: %s revision %s updated %s, want %s and %s unchanged", what, v.revision, v.updated, first.Revision, first.UpdatedAt)
		}
	}
	if _, err := cat.Publish(ctx, r, pub(strings.Repeat("b", 64))); err == nil || !strings.Contains(err.Error(), "already exists with different content") {
		t.Errorf("other bytes under the same name: %v, want a Conflict", err)
	}
}
