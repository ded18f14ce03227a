package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBoto3PackageOperations runs testdata/boto3_packages.py: every
// package operation through boto3 on npm packages that real npm
// published here, and on generic packages the script publishes, with
// each batch error code and each modeled exception followed by a check
// that nothing changed.
func TestBoto3PackageOperations(t *testing.T) {
	t.Parallel()
	py := python(t)
	s := startServer(t)
	aws := newCLI(t, s)
	const domain = "my-domain"
	aws.OK(t, "create-domain", "--domain", domain)
	aws.OK(t, "create-repository", "--domain", domain, "--repository", "up")
	aws.OK(t, "create-repository", "--domain", domain, "--repository", "src", "--upstreams", "repositoryName=up")
	aws.OK(t, "create-repository", "--domain", domain, "--repository", "dst")
	src, up, dst := npmLogin(t, s, domain, "src"), npmLogin(t, s, domain, "up"), npmLogin(t, s, domain, "dst")

	tgz := src.Pack(t, pkgSpec{Name: "b3-pkg", Version: "1.0.0", Mark: "src", Deps: map[string]string{"b3-other": "^1.0.0"},
		Extra: map[string]any{"devDependencies": map[string]string{"@types/node": "^20.0.0"}}})
	src.PublishOK(t, pkgSpec{Name: "b3-pkg", Version: "1.1.0", Mark: "src"})
	src.PublishOK(t, pkgSpec{Name: "b3-pkg", Version: "2.0.0", Mark: "src"})
	if r := src.NPMOK(t, "", "publish", tgz, "--tag", "first"); !strings.Contains(r.Stdout, "+ b3-pkg@1.0.0") {
		t.Fatalf("npm publish %s\n%s", tgz, r)
	}
	src.PublishOK(t, pkgSpec{Name: "b3-other", Version: "1.0.0", Mark: "src"})
	src.PublishOK(t, pkgSpec{Name: "@b3/scoped", Version: "1.0.0", Mark: "src"})
	up.PublishOK(t, pkgSpec{Name: "b3-pkg", Version: "3.0.0", Mark: "up"})
	dst.PublishOK(t, pkgSpec{Name: "b3-pkg", Version: "1.0.0", Mark: "dst"})

	r := runBoto3(t, py, s, "boto3_packages.py", s.URL, domain, tgz)
	var summary struct {
		OK     bool     `json:"ok"`
		Calls  int      `json:"calls"`
		Errors int      `json:"errors"`
		Codes  []string `json:"codes"`
		Boto3  string   `json:"boto3"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &summary); err != nil || !summary.OK {
		t.Fatalf("the boto3 package scenario did not print its summary (%v)\n%s", err, r)
	}
	t.Logf("boto3 %s: %d successful calls, %d modeled exceptions checked, error codes %v", summary.Boto3, summary.Calls, summary.Errors, summary.Codes)
}
