package maven_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
)

// A package group that blocks PUBLISH refuses a deploy with Maven's own
// error answer, naming the group; other groups' packages still deploy.
func TestDeployRefusedByPackageGroup(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	if _, err := e.ca.CreatePackageGroup(e.ctx, &codeartifact.CreatePackageGroupInput{Domain: aws.String(domain), PackageGroup: aws.String("/maven/com.locked~")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ca.UpdatePackageGroupOriginConfiguration(e.ctx, &codeartifact.UpdatePackageGroupOriginConfigurationInput{
		Domain: aws.String(domain), PackageGroup: aws.String("/maven/com.locked~"),
		Restrictions: map[string]types.PackageGroupOriginRestrictionMode{"PUBLISH": types.PackageGroupOriginRestrictionModeBlock},
	}); err != nil {
		t.Fatal(err)
	}
	r := e.put(ep+"com/locked/sub/lib/1.0/lib-1.0.jar", []byte("jar"))
	if r.status != http.StatusForbidden || !strings.Contains(string(r.body), "/maven/com.locked~") {
		t.Errorf("deploy into a blocked group: %d %s, want 403 naming the group", r.status, r.body)
	}
	_, err := e.ca.DescribePackage(e.ctx, &codeartifact.DescribePackageInput{Domain: aws.String(domain), Repository: aws.String("my-repo"),
		Format: types.PackageFormatMaven, Namespace: aws.String("com.locked.sub"), Package: aws.String("lib")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("a refused deploy left a package: %v", err)
	}
	e.mustPut(ep+"com/open/lib/1.0/lib-1.0.jar", []byte("jar"))
}
