package e2e

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// hashesOf returns the model's asset hashes of b.
func hashesOf(b []byte) map[string]any {
	m, s1, s256, s512 := md5.Sum(b), sha1.Sum(b), sha256.Sum256(b), sha512.Sum512(b)
	return map[string]any{"MD5": hex.EncodeToString(m[:]), "SHA-1": hex.EncodeToString(s1[:]), "SHA-256": hex.EncodeToString(s256[:]), "SHA-512": hex.EncodeToString(s512[:])}
}

// packageNames returns list-packages' packages as "format:namespace/name",
// sorted.
func packageNames(t testing.TB, out map[string]any) []string {
	t.Helper()
	var got []string
	for _, x := range list(t, out, "packages") {
		p := x.(map[string]any)
		ns, _ := p["namespace"].(string)
		got = append(got, fmt.Sprintf("%v:%s/%v", p["format"], ns, p["package"]))
	}
	sort.Strings(got)
	return got
}

// TestCLIPackageOperations runs every package operation through the AWS
// CLI on npm packages published with npm and on generic packages
// published with `aws codeartifact publish-package-version`, including
// each error code of the batch operations and each exception, with a
// check after every error that no package operation can tell a
// difference.
func TestCLIPackageOperations(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	aws := newCLI(t, s)
	const domain = "my-domain"
	aws.OK(t, "create-domain", "--domain", domain)
	aws.OK(t, "create-repository", "--domain", domain, "--repository", "up")
	aws.OK(t, "create-repository", "--domain", domain, "--repository", "src", "--upstreams", "repositoryName=up")
	aws.OK(t, "create-repository", "--domain", domain, "--repository", "dst")
	src, up, dst := npmLogin(t, s, domain, "src"), npmLogin(t, s, domain, "up"), npmLogin(t, s, domain, "dst")
	step := steps(t)

	// ops-pkg is published in the order 1.1.0, 2.0.0, 1.0.0 (so that the
	// version order and the publish order differ); 1.0.0 from a tarball
	// made by npm pack, whose bytes the asset must be.
	v100 := pkgSpec{Name: "ops-pkg", Version: "1.0.0", Mark: "src", Deps: map[string]string{"ops-other": "^1.0.0"}, Extra: map[string]any{
		"devDependencies":      map[string]string{"@types/node": "^20.0.0"},
		"peerDependencies":     map[string]string{"react": ">=18"},
		"optionalDependencies": map[string]string{"fsevents": "^2.3.0"},
	}}
	tgz := src.Pack(t, v100)
	tgzBytes, err := os.ReadFile(tgz)
	if err != nil {
		t.Fatal(err)
	}
	src.PublishOK(t, pkgSpec{Name: "ops-pkg", Version: "1.1.0", Mark: "src"})
	src.PublishOK(t, pkgSpec{Name: "ops-pkg", Version: "2.0.0", Mark: "src"})
	if r := src.NPMOK(t, "", "publish", tgz, "--tag", "first"); !strings.Contains(r.Stdout, "+ ops-pkg@1.0.0") {
		t.Fatalf("npm publish %s\n%s", tgz, r)
	}
	src.PublishOK(t, pkgSpec{Name: "ops-other", Version: "1.0.0", Mark: "src"})
	src.PublishOK(t, pkgSpec{Name: "@ops/scoped", Version: "1.0.0", Mark: "src"})
	up.PublishOK(t, pkgSpec{Name: "ops-pkg", Version: "3.0.0", Mark: "up"})
	dst.PublishOK(t, pkgSpec{Name: "ops-pkg", Version: "1.0.0", Mark: "dst"})

	in := func(repo string, args ...string) []string {
		return append([]string{"--domain", domain, "--repository", repo}, args...)
	}
	pkg := func(repo, name string, args ...string) []string {
		return in(repo, append([]string{"--format", "npm", "--package", name}, args...)...)
	}
	cmd := func(op string, args []string) []string { return append([]string{op}, args...) }
	// fails runs a command that must fail with errType, then checks that
	// nothing changed.
	fails := func(t *testing.T, errType, op string, args ...string) string {
		t.Helper()
		before := packageState(t, s, domain)
		msg := aws.Fail(t, errType, op, args...)
		samePackages(t, s, domain, before, args[0]+" failing with "+errType)
		return msg
	}
	// batchFails runs a batch command that must report exactly these
	// failed versions and none successful, then checks nothing changed.
	batchFails := func(t *testing.T, failed []string, args ...string) {
		t.Helper()
		before := packageState(t, s, domain)
		wantBatch(t, strings.Join(args[:1], " "), aws.OK(t, args...), nil, failed)
		samePackages(t, s, domain, before, args[0]+" reporting "+strings.Join(failed, ", "))
	}
	revision := func(t *testing.T, repo, name, version string) string {
		t.Helper()
		v := obj(t, aws.OK(t, cmd("describe-package-version", pkg(repo, name, "--package-version", version))...), "packageVersion")
		return str(t, v, "revision")
	}

	// --- generic packages, published with the CLI ---
	genDir := t.TempDir()
	genFiles := map[string]string{"a.txt": "the first asset\n", "b.bin": strings.Repeat("the second asset, larger\n", 4000)}
	for name, content := range genFiles {
		if err := os.WriteFile(filepath.Join(genDir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// publishGeneric runs the command a user types, with the SHA-256 from
	// sha256sum.
	publishGeneric := func(t *testing.T, version, asset, sumOf string, extra ...string) result {
		t.Helper()
		script := `"$AWS" codeartifact publish-package-version --domain my-domain --repository src --format generic --namespace my-ns --package my-gen ` +
			`--package-version "$1" --asset-content "$2" --asset-name "$2" --asset-sha256 $(sha256sum "$3" | cut -d' ' -f1) --endpoint-url "$URL" --output json "${@:4}"`
		env := append(append([]string{}, aws.env...), "AWS="+tool(t, "aws"), "URL="+s.URL)
		return runProgram(t, env, genDir, "bash", append([]string{"-c", script, "publish", version, asset, sumOf}, extra...)...)
	}
	gen := func(args ...string) []string {
		return in("src", append([]string{"--format", "generic", "--namespace", "my-ns", "--package", "my-gen"}, args...)...)
	}

	step("publish-package-version", func(t *testing.T) {
		r := publishGeneric(t, "1.0.0", "a.txt", "a.txt", "--unfinished")
		out := mustJSON(t, r)
		onlyKeys(t, "publish-package-version", out, "format", "namespace", "package", "version", "versionRevision", "status", "asset")
		want(t, "publish-package-version --unfinished", out, "status", "Unfinished")
		want(t, "publish-package-version --unfinished", out, "asset", map[string]any{"name": "a.txt", "size": len(genFiles["a.txt"]), "hashes": hashesOf([]byte(genFiles["a.txt"]))})
		out = mustJSON(t, publishGeneric(t, "1.0.0", "b.bin", "b.bin"))
		want(t, "publish-package-version, the last asset", out, "status", "Published")
		want(t, "publish-package-version, the last asset", out, "version", "1.0.0")
		want(t, "publish-package-version, the last asset", out, "namespace", "my-ns")

		// A wrong SHA-256: nothing stored.
		before := packageState(t, s, domain)
		expectCLIError(t, publishGeneric(t, "2.0.0", "a.txt", "b.bin"), "ValidationException", "PublishPackageVersion")
		samePackages(t, s, domain, before, "a publish with a wrong --asset-sha256")
		// The same asset again is idempotent; another asset once the
		// version is Published is a conflict.
		want(t, "publish-package-version of the same asset again", mustJSON(t, publishGeneric(t, "1.0.0", "a.txt", "a.txt")), "status", "Published")
		samePackages(t, s, domain, before, "publishing the same asset again")
		if err := os.WriteFile(filepath.Join(genDir, "c.txt"), []byte("late\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		expectCLIError(t, publishGeneric(t, "1.0.0", "c.txt", "c.txt"), "ConflictException", "PublishPackageVersion")
		samePackages(t, s, domain, before, "adding an asset to a Published version")
		// No namespace; an npm package; a repository that does not exist.
		p := filepath.Join(genDir, "a.txt")
		sum := hashesOf([]byte(genFiles["a.txt"]))["SHA-256"].(string)
		fails(t, "ValidationException", "PublishPackageVersion", "publish-package-version", "--domain", domain, "--repository", "src", "--format", "generic", "--package", "my-gen",
			"--package-version", "3.0.0", "--asset-content", p, "--asset-name", "a.txt", "--asset-sha256", sum)
		fails(t, "ValidationException", "PublishPackageVersion", "publish-package-version", "--domain", domain, "--repository", "src", "--format", "npm", "--package", "my-gen",
			"--package-version", "3.0.0", "--asset-content", p, "--asset-name", "a.txt", "--asset-sha256", sum)
		fails(t, "ResourceNotFoundException", "PublishPackageVersion", "publish-package-version", "--domain", domain, "--repository", "nowhere", "--format", "generic", "--namespace", "my-ns",
			"--package", "my-gen", "--package-version", "3.0.0", "--asset-content", p, "--asset-name", "a.txt", "--asset-sha256", sum)

		// Both assets back, byte for byte.
		for name, content := range genFiles {
			outFile := filepath.Join(t.TempDir(), name)
			out := aws.OK(t, append(cmd("get-package-version-asset", gen("--package-version", "1.0.0", "--asset", name)), outFile)...)
			want(t, "get-package-version-asset "+name, out, "assetName", name)
			want(t, "get-package-version-asset "+name, out, "packageVersion", "1.0.0")
			if b, err := os.ReadFile(outFile); err != nil || string(b) != content {
				t.Errorf("get-package-version-asset %s: the file differs from what was published (%v)", name, err)
			}
		}
		assets := list(t, aws.OK(t, cmd("list-package-version-assets", gen("--package-version", "1.0.0"))...), "assets")
		if len(assets) != 2 || assets[0].(map[string]any)["name"] != "a.txt" || assets[1].(map[string]any)["name"] != "b.bin" {
			t.Errorf("list-package-version-assets of my-gen 1.0.0: %s", pretty(assets))
		}
	})

	step("list-packages", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want []string
		}{
			{nil, []string{"generic:my-ns/my-gen", "npm:/ops-other", "npm:/ops-pkg", "npm:ops/scoped"}},
			{[]string{"--format", "npm"}, []string{"npm:/ops-other", "npm:/ops-pkg", "npm:ops/scoped"}},
			{[]string{"--format", "npm", "--namespace", "ops"}, []string{"npm:ops/scoped"}},
			{[]string{"--format", "generic", "--namespace", "my-ns"}, []string{"generic:my-ns/my-gen"}},
			{[]string{"--package-prefix", "ops-"}, []string{"npm:/ops-other", "npm:/ops-pkg"}},
			{[]string{"--format", "npm", "--package-prefix", "ops-p"}, []string{"npm:/ops-pkg"}},
			{[]string{"--page-size", "1"}, []string{"generic:my-ns/my-gen", "npm:/ops-other", "npm:/ops-pkg", "npm:ops/scoped"}},
		} {
			if got := packageNames(t, aws.OK(t, cmd("list-packages", in("src", c.args...))...)); !sameList(got, c.want) {
				t.Errorf("list-packages %v: %v, want %v", c.args, got, c.want)
			}
		}
		out := aws.OK(t, cmd("list-packages", in("src", "--max-items", "1"))...)
		if len(list(t, out, "packages")) != 1 || out["NextToken"] == nil {
			t.Errorf("list-packages --max-items 1: want one package and a NextToken\n%s", pretty(out))
		}
		fails(t, "ValidationException", "ListPackages", cmd("list-packages", in("src", "--namespace", "ops"))...)
		fails(t, "ValidationException", "ListPackages", cmd("list-packages", in("src", "--format", "bogus"))...)
		fails(t, "ResourceNotFoundException", "ListPackages", cmd("list-packages", in("nowhere"))...)
	})

	step("describe-package", func(t *testing.T) {
		p := obj(t, aws.OK(t, cmd("describe-package", pkg("src", "ops-pkg"))...), "package")
		want(t, "describe-package", p, "name", "ops-pkg")
		want(t, "describe-package", p, "format", "npm")
		want(t, "describe-package", p, "originConfiguration", map[string]any{"restrictions": map[string]any{"publish": "ALLOW", "upstream": "BLOCK"}})
		p = obj(t, aws.OK(t, cmd("describe-package", in("src", "--format", "npm", "--namespace", "ops", "--package", "scoped"))...), "package")
		want(t, "describe-package @ops/scoped", p, "namespace", "ops")
		fails(t, "ResourceNotFoundException", "DescribePackage", cmd("describe-package", pkg("src", "nope"))...)
		fails(t, "ResourceNotFoundException", "DescribePackage", cmd("describe-package", pkg("dst", "ops-other"))...)
		fails(t, "ValidationException", "DescribePackage", cmd("describe-package", in("src", "--format", "generic", "--package", "my-gen"))...)
	})

	step("list-package-versions", func(t *testing.T) {
		out := aws.OK(t, cmd("list-package-versions", pkg("src", "ops-pkg"))...)
		if got := versionList(t, out); !sameList(got, []string{"2.0.0:Published", "1.1.0:Published", "1.0.0:Published"}) {
			t.Errorf("list-package-versions: %v", got)
		}
		want(t, "list-package-versions", out, "defaultDisplayVersion", "2.0.0")
		v := list(t, out, "versions")[2].(map[string]any)
		want(t, "list-package-versions", v, "origin", map[string]any{"originType": "INTERNAL", "domainEntryPoint": map[string]any{"repositoryName": "src"}})
		out = aws.OK(t, cmd("list-package-versions", pkg("src", "ops-pkg", "--sort-by", "PUBLISHED_TIME"))...)
		if got := versionList(t, out); !sameList(got, []string{"1.0.0:Published", "2.0.0:Published", "1.1.0:Published"}) {
			t.Errorf("list-package-versions --sort-by PUBLISHED_TIME: %v, want the most recently published first", got)
		}
		out = aws.OK(t, cmd("list-package-versions", pkg("src", "ops-pkg", "--page-size", "1", "--status", "Published"))...)
		if got := versionList(t, out); !sameList(got, []string{"2.0.0:Published", "1.1.0:Published", "1.0.0:Published"}) {
			t.Errorf("list-package-versions --page-size 1: %v", got)
		}
		out = aws.OK(t, cmd("list-package-versions", in("src", "--format", "generic", "--namespace", "my-ns", "--package", "my-gen"))...)
		want(t, "list-package-versions my-gen", out, "defaultDisplayVersion", "1.0.0")
		fails(t, "ResourceNotFoundException", "ListPackageVersions", cmd("list-package-versions", pkg("src", "nope"))...)
		fails(t, "ValidationException", "ListPackageVersions", cmd("list-package-versions", pkg("src", "ops-pkg", "--status", "Bogus"))...)
	})

	step("describe-package-version", func(t *testing.T) {
		v := obj(t, aws.OK(t, cmd("describe-package-version", pkg("src", "ops-pkg", "--package-version", "1.0.0"))...), "packageVersion")
		for k, w := range map[string]any{
			"format": "npm", "packageName": "ops-pkg", "displayName": "ops-pkg", "version": "1.0.0", "status": "Published",
			"summary": "The ops-pkg package, version 1.0.0, from src", "homePage": "https://example.invalid/ops-pkg",
			"sourceCodeRepository": "https://example.invalid/ops-pkg.git", "licenses": []any{map[string]any{"name": "MIT"}},
		} {
			want(t, "describe-package-version", v, k, w)
		}
		if _, ok := v["publishedTime"].(float64); !ok || str(t, v, "revision") == "" {
			t.Errorf("describe-package-version: want publishedTime (epoch seconds) and a revision\n%s", pretty(v))
		}
		fails(t, "ResourceNotFoundException", "DescribePackageVersion", cmd("describe-package-version", pkg("src", "ops-pkg", "--package-version", "9.9.9"))...)
		// The package APIs ignore upstreams: 3.0.0 is in up only.
		fails(t, "ResourceNotFoundException", "DescribePackageVersion", cmd("describe-package-version", pkg("src", "ops-pkg", "--package-version", "3.0.0"))...)
	})

	step("assets, readme and dependencies", func(t *testing.T) {
		rev := revision(t, "src", "ops-pkg", "1.0.0")
		out := aws.OK(t, cmd("list-package-version-assets", pkg("src", "ops-pkg", "--package-version", "1.0.0"))...)
		want(t, "list-package-version-assets", out, "versionRevision", rev)
		want(t, "list-package-version-assets", out, "assets", []any{map[string]any{"name": "package.tgz", "size": len(tgzBytes), "hashes": hashesOf(tgzBytes)}})

		outFile := filepath.Join(t.TempDir(), "ops-pkg-1.0.0.tgz")
		out = aws.OK(t, append(cmd("get-package-version-asset", pkg("src", "ops-pkg", "--package-version", "1.0.0", "--asset", "package.tgz")), outFile)...)
		want(t, "get-package-version-asset", out, "assetName", "package.tgz")
		want(t, "get-package-version-asset", out, "packageVersion", "1.0.0")
		want(t, "get-package-version-asset", out, "packageVersionRevision", rev)
		if b, err := os.ReadFile(outFile); err != nil || !bytes.Equal(b, tgzBytes) {
			t.Errorf("get-package-version-asset: the file is not the tarball npm published (%d bytes, %v)", len(b), err)
		}
		aws.OK(t, append(cmd("get-package-version-asset", pkg("src", "ops-pkg", "--package-version", "1.0.0", "--asset", "package.tgz", "--package-version-revision", rev)), outFile)...)
		fails(t, "ResourceNotFoundException", "GetPackageVersionAsset", append(cmd("get-package-version-asset", pkg("src", "ops-pkg", "--package-version", "1.0.0", "--asset", "package.tgz", "--package-version-revision", "bm90IGEgcmV2aXNpb24=")), outFile)...)
		fails(t, "ResourceNotFoundException", "GetPackageVersionAsset", append(cmd("get-package-version-asset", pkg("src", "ops-pkg", "--package-version", "1.0.0", "--asset", "other.tgz")), outFile)...)
		fails(t, "ResourceNotFoundException", "GetPackageVersionAsset", append(cmd("get-package-version-asset", pkg("src", "ops-pkg", "--package-version", "3.0.0", "--asset", "package.tgz")), outFile)...)

		out = aws.OK(t, cmd("get-package-version-readme", pkg("src", "ops-pkg", "--package-version", "1.0.0"))...)
		want(t, "get-package-version-readme", out, "readme", readmeOf(v100))
		want(t, "get-package-version-readme", out, "versionRevision", rev)
		want(t, "get-package-version-readme", out, "version", "1.0.0")
		fails(t, "ResourceNotFoundException", "GetPackageVersionReadme", cmd("get-package-version-readme", pkg("src", "ops-pkg", "--package-version", "9.9.9"))...)

		out = aws.OK(t, cmd("list-package-version-dependencies", pkg("src", "ops-pkg", "--package-version", "1.0.0"))...)
		var deps []string
		for _, x := range list(t, out, "dependencies") {
			d := x.(map[string]any)
			ns, _ := d["namespace"].(string)
			deps = append(deps, fmt.Sprintf("%s/%v %v %v", ns, d["package"], d["dependencyType"], d["versionRequirement"]))
		}
		sort.Strings(deps)
		if w := []string{"/fsevents optional ^2.3.0", "/ops-other regular ^1.0.0", "/react peer >=18", "types/node dev ^20.0.0"}; !sameList(deps, w) {
			t.Errorf("list-package-version-dependencies: %v, want %v", deps, w)
		}
		want(t, "list-package-version-dependencies", out, "versionRevision", rev)
		fails(t, "ResourceNotFoundException", "ListPackageVersionDependencies", cmd("list-package-version-dependencies", pkg("src", "ops-pkg", "--package-version", "9.9.9"))...)
	})

	step("update-package-versions-status", func(t *testing.T) {
		out := aws.OK(t, cmd("update-package-versions-status", pkg("src", "ops-pkg", "--versions", "1.1.0", "--target-status", "Unlisted"))...)
		wantBatch(t, "update-package-versions-status Unlisted", out, []string{"1.1.0:Unlisted"}, nil)
		if got := versionList(t, aws.OK(t, cmd("list-package-versions", pkg("src", "ops-pkg", "--status", "Unlisted"))...)); !sameList(got, []string{"1.1.0:Unlisted"}) {
			t.Errorf("list-package-versions --status Unlisted: %v", got)
		}
		// The guide's expected-status example, and each error code.
		batchFails(t, []string{"1.0.0:SKIPPED", "1.1.0:MISMATCHED_STATUS"}, cmd("update-package-versions-status", pkg("src", "ops-pkg", "--versions", "1.0.0", "1.1.0", "--target-status", "Archived", "--expected-status", "Published"))...)
		batchFails(t, []string{"1.0.0:SKIPPED", "9.9.9:NOT_FOUND"}, cmd("update-package-versions-status", pkg("src", "ops-pkg", "--versions", "1.0.0", "9.9.9", "--target-status", "Archived"))...)
		rev := revision(t, "src", "ops-pkg", "1.0.0")
		batchFails(t, []string{"1.0.0:MISMATCHED_REVISION", "2.0.0:SKIPPED"}, cmd("update-package-versions-status", pkg("src", "ops-pkg", "--versions", "1.0.0", "2.0.0", "--version-revisions", "1.0.0=bm90IGEgcmV2aXNpb24=", "--target-status", "Archived"))...)
		fails(t, "ValidationException", "UpdatePackageVersionsStatus", cmd("update-package-versions-status", pkg("src", "ops-pkg", "--versions", "1.0.0", "--target-status", "Unfinished"))...)
		fails(t, "ValidationException", "UpdatePackageVersionsStatus", cmd("update-package-versions-status", pkg("src", "ops-pkg", "--versions", "1.0.0", "--target-status", "Disposed"))...)
		fails(t, "ResourceNotFoundException", "UpdatePackageVersionsStatus", cmd("update-package-versions-status", pkg("src", "nope", "--versions", "1.0.0", "--target-status", "Archived"))...)
		// The right revision, with --versions as the guide says.
		out = aws.OK(t, cmd("update-package-versions-status", pkg("src", "ops-pkg", "--versions", "1.0.0", "--version-revisions", "1.0.0="+rev, "--target-status", "Archived"))...)
		wantBatch(t, "update-package-versions-status with the revision", out, []string{"1.0.0:Archived"}, nil)
		fails(t, "ConflictException", "GetPackageVersionAsset", append(cmd("get-package-version-asset", pkg("src", "ops-pkg", "--package-version", "1.0.0", "--asset", "package.tgz")), filepath.Join(t.TempDir(), "x"))...)
		out = aws.OK(t, cmd("update-package-versions-status", pkg("src", "ops-pkg", "--versions", "1.0.0", "--target-status", "Published", "--expected-status", "Archived"))...)
		wantBatch(t, "update-package-versions-status back to Published", out, []string{"1.0.0:Published"}, nil)
	})

	step("dispose-package-versions", func(t *testing.T) {
		size := list(t, aws.OK(t, cmd("list-package-version-assets", pkg("src", "ops-other", "--package-version", "1.0.0"))...), "assets")[0].(map[string]any)["size"].(float64)
		batchFails(t, []string{"1.0.0:MISMATCHED_STATUS"}, cmd("dispose-package-versions", pkg("src", "ops-other", "--versions", "1.0.0", "--expected-status", "Unlisted"))...)
		batchFails(t, []string{"1.0.0:SKIPPED", "2.0.0:NOT_FOUND"}, cmd("dispose-package-versions", pkg("src", "ops-other", "--versions", "1.0.0", "2.0.0"))...)
		before := domainAssetSize(t, aws, domain)
		out := aws.OK(t, cmd("dispose-package-versions", pkg("src", "ops-other", "--versions", "1.0.0", "--expected-status", "Published"))...)
		wantBatch(t, "dispose-package-versions", out, []string{"1.0.0:Disposed"}, nil)
		if after := domainAssetSize(t, aws, domain); after != before-size {
			t.Errorf("assetSizeBytes after disposing a %v-byte tarball: %v, want %v", size, after, before-size)
		}
		want(t, "list-package-version-assets of a Disposed version", aws.OK(t, cmd("list-package-version-assets", pkg("src", "ops-other", "--package-version", "1.0.0"))...), "assets", []any{})
		fails(t, "ConflictException", "GetPackageVersionAsset", append(cmd("get-package-version-asset", pkg("src", "ops-other", "--package-version", "1.0.0", "--asset", "package.tgz")), filepath.Join(t.TempDir(), "x"))...)
		// A Disposed version never comes back, nor can it be copied.
		batchFails(t, []string{"1.0.0:NOT_ALLOWED"}, cmd("update-package-versions-status", pkg("src", "ops-other", "--versions", "1.0.0", "--target-status", "Published"))...)
		batchFails(t, []string{"1.0.0:NOT_ALLOWED"}, "copy-package-versions", "--domain", domain, "--source-repository", "src", "--destination-repository", "dst", "--format", "npm", "--package", "ops-other", "--versions", "1.0.0")
		if r := src.Install(t, newProject(t), "ops-other@1.0.0"); r.Code == 0 {
			t.Errorf("npm install of a Disposed version succeeded\n%s", r)
		}
	})

	step("delete-package-versions", func(t *testing.T) {
		batchFails(t, []string{"1.0.0:SKIPPED", "9.9.9:NOT_FOUND"}, cmd("delete-package-versions", pkg("src", "ops-other", "--versions", "1.0.0", "9.9.9"))...)
		batchFails(t, []string{"1.0.0:MISMATCHED_STATUS"}, cmd("delete-package-versions", pkg("src", "ops-other", "--versions", "1.0.0", "--expected-status", "Published"))...)
		fails(t, "ResourceNotFoundException", "DeletePackageVersions", cmd("delete-package-versions", pkg("src", "nope", "--versions", "1.0.0"))...)
		out := aws.OK(t, cmd("delete-package-versions", pkg("src", "ops-other", "--versions", "1.0.0", "--expected-status", "Disposed"))...)
		wantBatch(t, "delete-package-versions", out, []string{"1.0.0:Deleted"}, nil)
		fails(t, "ResourceNotFoundException", "DescribePackageVersion", cmd("describe-package-version", pkg("src", "ops-other", "--package-version", "1.0.0"))...)
		// Deleted, it can be published again.
		src.PublishOK(t, pkgSpec{Name: "ops-other", Version: "1.0.0", Mark: "src, again"})
	})

	step("put-package-origin-configuration", func(t *testing.T) {
		out := aws.OK(t, cmd("put-package-origin-configuration", pkg("src", "ops-pkg", "--restrictions", "publish=BLOCK,upstream=ALLOW"))...)
		want(t, "put-package-origin-configuration", out, "originConfiguration", map[string]any{"restrictions": map[string]any{"publish": "BLOCK", "upstream": "ALLOW"}})
		p := obj(t, aws.OK(t, cmd("describe-package", pkg("src", "ops-pkg"))...), "package")
		want(t, "describe-package after put-package-origin-configuration", p, "originConfiguration", out["originConfiguration"])
		before := packageState(t, s, domain)
		if r := src.Publish(t, pkgSpec{Name: "ops-pkg", Version: "4.0.0", Mark: "src"}); r.Code == 0 || !strings.Contains(r.Stderr, "E403") {
			t.Errorf("npm publish with publish=BLOCK: want E403\n%s", r)
		}
		samePackages(t, s, domain, before, "a publish blocked by the origin configuration")
		// upstream=ALLOW: up's 3.0.0 shows through src now.
		if got := src.Versions(t, "ops-pkg"); !sameList(got, []string{"1.0.0", "2.0.0", "3.0.0"}) {
			t.Errorf("npm view ops-pkg versions through src with upstream=ALLOW: %v", got)
		}
		fails(t, "ValidationException", "PutPackageOriginConfiguration", cmd("put-package-origin-configuration", pkg("src", "ops-pkg", "--restrictions", "publish=MAYBE,upstream=ALLOW"))...)
		fails(t, "ResourceNotFoundException", "PutPackageOriginConfiguration", cmd("put-package-origin-configuration", pkg("nowhere", "ops-pkg", "--restrictions", "publish=ALLOW,upstream=ALLOW"))...)
		aws.OK(t, cmd("put-package-origin-configuration", pkg("src", "ops-pkg", "--restrictions", "publish=ALLOW,upstream=ALLOW"))...)
	})

	step("copy-package-versions", func(t *testing.T) {
		copyArgs := func(args ...string) []string {
			return append([]string{"copy-package-versions", "--domain", domain, "--source-repository", "src", "--destination-repository", "dst", "--format", "npm", "--package", "ops-pkg"}, args...)
		}
		rev110, rev200 := revision(t, "src", "ops-pkg", "1.1.0"), revision(t, "src", "ops-pkg", "2.0.0")
		fails(t, "ValidationException", "CopyPackageVersions", copyArgs("--versions", "2.0.0", "--version-revisions", "2.0.0="+rev200)...)
		fails(t, "ValidationException", "CopyPackageVersions", copyArgs()...)
		fails(t, "ResourceNotFoundException", "CopyPackageVersions", "copy-package-versions", "--domain", domain, "--source-repository", "src", "--destination-repository", "nowhere", "--format", "npm", "--package", "ops-pkg", "--versions", "2.0.0")
		fails(t, "ResourceNotFoundException", "CopyPackageVersions", "copy-package-versions", "--domain", domain, "--source-repository", "src", "--destination-repository", "dst", "--format", "npm", "--package", "nope", "--versions", "1.0.0")
		// The guide's "versions that do not exist in the source".
		batchFails(t, []string{"2.0.0:SKIPPED", "9.9.9:NOT_FOUND"}, copyArgs("--versions", "2.0.0", "9.9.9")...)
		// "Versions that already exist in the destination", differently.
		batchFails(t, []string{"1.0.0:ALREADY_EXISTS", "2.0.0:SKIPPED"}, copyArgs("--versions", "1.0.0", "2.0.0")...)
		batchFails(t, []string{"2.0.0:MISMATCHED_REVISION"}, copyArgs("--version-revisions", "2.0.0=bm90IGEgcmV2aXNpb24=")...)
		// 3.0.0 is in src's upstream only.
		batchFails(t, []string{"3.0.0:NOT_FOUND"}, copyArgs("--versions", "3.0.0")...)

		out := aws.OK(t, copyArgs("--versions", "1.0.0", "2.0.0", "--allow-overwrite")...)
		wantBatch(t, "copy-package-versions --allow-overwrite", out, []string{"1.0.0:Published", "2.0.0:Published"}, nil)
		want(t, "copy-package-versions --allow-overwrite", obj(t, out, "successfulVersions"), "2.0.0", map[string]any{"revision": rev200, "status": "Published"})
		outFile := filepath.Join(t.TempDir(), "x.tgz")
		aws.OK(t, append(cmd("get-package-version-asset", pkg("dst", "ops-pkg", "--package-version", "1.0.0", "--asset", "package.tgz")), outFile)...)
		if b, _ := os.ReadFile(outFile); !bytes.Equal(b, tgzBytes) {
			t.Errorf("after copy --allow-overwrite, dst's ops-pkg 1.0.0 is not src's tarball")
		}
		// Idempotent: nothing to report.
		wantBatch(t, "copy-package-versions again", aws.OK(t, copyArgs("--versions", "1.0.0", "2.0.0")...), nil, nil)
		// By revision: 1.1.0 is Unlisted and stays so.
		out = aws.OK(t, copyArgs("--version-revisions", "1.1.0="+rev110)...)
		wantBatch(t, "copy-package-versions --version-revisions", out, []string{"1.1.0:Unlisted"}, nil)
		// From the upstream.
		out = aws.OK(t, copyArgs("--versions", "3.0.0", "--include-from-upstream")...)
		wantBatch(t, "copy-package-versions --include-from-upstream", out, []string{"3.0.0:Published"}, nil)
		if got := versionList(t, aws.OK(t, cmd("list-package-versions", pkg("dst", "ops-pkg"))...)); !sameList(got, []string{"3.0.0:Published", "2.0.0:Published", "1.1.0:Unlisted", "1.0.0:Published"}) {
			t.Errorf("list-package-versions in dst after the copies: %v", got)
		}
	})

	step("delete-package", func(t *testing.T) {
		args := in("src", "--format", "npm", "--namespace", "ops", "--package", "scoped")
		out := aws.OK(t, cmd("delete-package", args)...)
		d := obj(t, out, "deletedPackage")
		want(t, "delete-package", d, "format", "npm")
		want(t, "delete-package", d, "namespace", "ops")
		want(t, "delete-package", d, "package", "scoped")
		if got := packageNames(t, aws.OK(t, cmd("list-packages", in("src", "--format", "npm", "--namespace", "ops"))...)); len(got) != 0 {
			t.Errorf("list-packages after delete-package: %v", got)
		}
		if r := src.NPM(t, "", "view", "@ops/scoped"); r.Code == 0 || !strings.Contains(r.Stderr, "E404") {
			t.Errorf("npm view of a deleted package: want E404\n%s", r)
		}
		fails(t, "ResourceNotFoundException", "DescribePackage", cmd("describe-package", args)...)
		fails(t, "ResourceNotFoundException", "DeletePackage", cmd("delete-package", args)...)
		fails(t, "ValidationException", "DeletePackage", cmd("delete-package", in("src", "--format", "generic", "--package", "my-gen"))...)
		// A generic package too.
		out = aws.OK(t, cmd("delete-package", gen())...)
		want(t, "delete-package my-gen", obj(t, out, "deletedPackage"), "namespace", "my-ns")
		if got := packageNames(t, aws.OK(t, cmd("list-packages", in("src"))...)); !sameList(got, []string{"npm:/ops-other", "npm:/ops-pkg"}) {
			t.Errorf("list-packages after the deletions: %v", got)
		}
	})
}
