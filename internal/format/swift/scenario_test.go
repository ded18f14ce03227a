package swift_test

// In-process scenarios of the Swift registry (tier 3 of ARCHITECTURE.md):
// a full server, a token from GetAuthorizationToken, requests as SE-0292
// describes them (no Swift toolchain runs here), and the control plane
// checking what was stored.

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/format/swift"
	"github.com/arcahq/arca/internal/servertest"
)

const (
	domain = "my-domain"
	accept = "application/vnd.swift.registry.v1+json"
)

// sourceArchive is a zip as `swift package archive-source` makes it: one
// top-level directory holding the package.
func sourceArchive(t testing.TB, root string, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(root + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// publishBody is a multipart publish request body.
func publishBody(t testing.TB, archive []byte, metadata string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, _ := mw.CreateFormFile("source-archive", "source-archive.zip")
	w.Write(archive)
	if metadata != "" {
		mw.WriteField("metadata", metadata)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

type env struct {
	s    *servertest.Scenario
	t    *testing.T
	base string
}

func (e *env) do(method, path, auth string, header map[string]string, body []byte) servertest.Response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.base+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return e.s.Send(req)
}

func (e *env) get(path string, header map[string]string) servertest.Response {
	e.t.Helper()
	return e.do(http.MethodGet, path, "Bearer "+e.s.Token, header, nil)
}

func (e *env) publish(path string, archive []byte, metadata string) servertest.Response {
	e.t.Helper()
	ct, body := publishBody(e.t, archive, metadata)
	return e.do(http.MethodPut, path, "Bearer "+e.s.Token, map[string]string{"Content-Type": ct, "Accept": accept}, body)
}

func expect(t *testing.T, r servertest.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if r.Header.Get("Content-Version") != "1" {
		t.Errorf("Content-Version %q, want 1", r.Header.Get("Content-Version"))
	}
}

func problem(t *testing.T, r servertest.Response, status int, detail string) {
	t.Helper()
	expect(t, r, status)
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p struct{ Detail string }
	r.JSON(t, &p)
	if !strings.Contains(p.Detail, detail) {
		t.Errorf("detail %q does not say %q", p.Detail, detail)
	}
}

func TestSwiftRegistry(t *testing.T) {
	s := servertest.NewScenario(t, domain)
	e := &env{s: s, t: t, base: s.Repository("repo", types.PackageFormatSwift)}
	manifest := "// swift-tools-version:5.7\nimport PackageDescription\nlet package = Package(name: \"LinkedList\")\n"
	v57 := "// swift-tools-version:5.7\n// for 5.7\n"
	archive := sourceArchive(t, "LinkedList", map[string]string{
		"Package.swift": manifest, "Package@swift-5.7.swift": v57, "Sources/LinkedList/List.swift": "struct List {}\n",
	})
	sum := sha256.Sum256(archive)
	meta := `{"description":"One linked list","licenseURL":"https://example.com/LICENSE","repositoryURLs":["https://example.com/mona/LinkedList.git"],"author":{"name":"Mona"}}`

	t.Run("publish", func(t *testing.T) {
		r := e.publish("Mona/LinkedList/1.1.1", archive, meta)
		expect(t, r, http.StatusCreated)
		if loc := r.Header.Get("Location"); loc != e.base+"mona/linkedlist/1.1.1" {
			t.Errorf("Location %q", loc)
		}
		expect(t, e.publish("mona/LinkedList/1.0.0", sourceArchive(t, "LinkedList", map[string]string{"Package.swift": manifest}), ""), http.StatusCreated)
		problem(t, e.publish("mona/linkedlist/1.1.1", archive, meta), http.StatusConflict, "already exists")
	})
	t.Run("bad publishes change nothing", func(t *testing.T) {
		problem(t, e.publish("mona/LinkedList/1.2", archive, ""), http.StatusBadRequest, "semantic version")
		problem(t, e.publish("mona/Linked..List/1.2.0", archive, ""), http.StatusBadRequest, "Invalid package name")
		problem(t, e.publish("mona/LinkedList/1.2.0", sourceArchive(t, "x", map[string]string{"README": "no manifest"}), ""), http.StatusBadRequest, "no Package.swift")
		problem(t, e.publish("mona/LinkedList/1.2.0", []byte("not a zip"), ""), http.StatusBadRequest, "not a valid zip")
		problem(t, e.publish("mona/LinkedList/1.2.0", archive, `[1]`), http.StatusBadRequest, "not a JSON object")
		problem(t, e.do(http.MethodPut, "mona/LinkedList/1.2.0", "", nil, nil), http.StatusUnauthorized, "")
		problem(t, e.get("mona/LinkedList/1.2.0", nil), http.StatusNotFound, "")
	})
	t.Run("releases", func(t *testing.T) {
		r := e.get("MONA/linkedlist", map[string]string{"Accept": accept})
		expect(t, r, http.StatusOK)
		var body struct {
			Releases map[string]struct{ URL string }
		}
		r.JSON(t, &body)
		if len(body.Releases) != 2 || body.Releases["1.1.1"].URL != e.base+"mona/linkedlist/1.1.1" {
			t.Errorf("releases %+v", body.Releases)
		}
		if l := r.Header.Get("Link"); !strings.Contains(l, `<`+e.base+`mona/linkedlist/1.1.1>; rel="latest-version"`) {
			t.Errorf("Link %q", l)
		}
	})
	t.Run("release metadata", func(t *testing.T) {
		r := e.get("mona/LinkedList/1.1.1", map[string]string{"Accept": accept})
		expect(t, r, http.StatusOK)
		var body struct {
			ID, Version string
			Resources   []struct{ Name, Type, Checksum string }
			Metadata    map[string]any
			PublishedAt string
		}
		r.JSON(t, &body)
		if body.ID != "mona.linkedlist" || len(body.Resources) != 1 || body.Resources[0].Checksum != hex.EncodeToString(sum[:]) ||
			body.Resources[0].Name != "source-archive" || body.Metadata["description"] != "One linked list" || body.PublishedAt == "" {
			t.Errorf("metadata %s", r.Body)
		}
		if l := r.Header.Get("Link"); !strings.Contains(l, `1.0.0>; rel="predecessor-version"`) {
			t.Errorf("Link %q", l)
		}
	})
	t.Run("manifests", func(t *testing.T) {
		r := e.get("mona/LinkedList/1.1.1/Package.swift", map[string]string{"Accept": "application/vnd.swift.registry.v1+swift"})
		expect(t, r, http.StatusOK)
		if string(r.Body) != manifest || r.Header.Get("Content-Type") != "text/x-swift" {
			t.Errorf("manifest %q %q", r.Header.Get("Content-Type"), r.Body)
		}
		if l := r.Header.Get("Link"); !strings.Contains(l, `Package.swift?swift-version=5.7>; rel="alternate"; filename="Package@swift-5.7.swift"; swift-tools-version="5.7"`) {
			t.Errorf("Link %q", l)
		}
		r = e.get("mona/LinkedList/1.1.1/Package.swift?swift-version=5.7", nil)
		expect(t, r, http.StatusOK)
		if string(r.Body) != v57 {
			t.Errorf("versioned manifest %q", r.Body)
		}
		r = e.get("mona/LinkedList/1.1.1/Package.swift?swift-version=6", nil)
		expect(t, r, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); loc != e.base+"mona/linkedlist/1.1.1/Package.swift" {
			t.Errorf("Location %q", loc)
		}
	})
	t.Run("source archive", func(t *testing.T) {
		r := e.get("mona/LinkedList/1.1.1.zip", map[string]string{"Accept": "application/vnd.swift.registry.v1+zip"})
		expect(t, r, http.StatusOK)
		if !bytes.Equal(r.Body, archive) || r.Header.Get("Digest") != "sha-256="+base64.StdEncoding.EncodeToString(sum[:]) ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "linkedlist-1.1.1.zip") {
			t.Errorf("archive: %v", r.Header)
		}
	})
	t.Run("identifiers", func(t *testing.T) {
		r := e.get("identifiers?url=https://EXAMPLE.com/mona/LinkedList", nil)
		expect(t, r, http.StatusOK)
		if string(bytes.TrimSpace(r.Body)) != `{"identifiers":["mona.linkedlist"]}` {
			t.Errorf("identifiers %s", r.Body)
		}
		problem(t, e.get("identifiers?url=https://example.com/other", nil), http.StatusNotFound, "")
		problem(t, e.get("identifiers", nil), http.StatusBadRequest, "url")
	})
	t.Run("negotiation", func(t *testing.T) {
		problem(t, e.get("mona/LinkedList", map[string]string{"Accept": "application/vnd.swift.registry.v2+json"}), http.StatusBadRequest, "version")
		problem(t, e.get("mona/LinkedList", map[string]string{"Accept": "application/vnd.swift.registry.v1+zip"}), http.StatusUnsupportedMediaType, "")
		problem(t, e.get("mona/LinkedList/1.1.1.zip", map[string]string{"Accept": "text/html"}), http.StatusUnsupportedMediaType, "")
	})
	t.Run("login and auth", func(t *testing.T) {
		expect(t, e.do(http.MethodPost, "login", "Basic "+base64.StdEncoding.EncodeToString([]byte("token:"+s.Token)), nil, nil), http.StatusOK)
		r := e.do(http.MethodPost, "login", "", nil, nil)
		problem(t, r, http.StatusUnauthorized, "")
		if r.Header.Get("WWW-Authenticate") == "" {
			t.Error("401 without a challenge")
		}
	})
	t.Run("statuses", func(t *testing.T) {
		ctx := t.Context()
		set := func(status types.PackageVersionStatus) {
			_, err := s.CA.UpdatePackageVersionsStatus(ctx, &codeartifact.UpdatePackageVersionsStatusInput{
				Domain: aws.String(domain), Repository: aws.String("repo"), Format: types.PackageFormatSwift,
				Namespace: aws.String("mona"), Package: aws.String("linkedlist"), Versions: []string{"1.1.1"}, TargetStatus: status,
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		set(types.PackageVersionStatusUnlisted)
		r := e.get("mona/LinkedList", nil)
		if strings.Contains(string(r.Body), "1.1.1") {
			t.Errorf("an Unlisted release is listed: %s", r.Body)
		}
		expect(t, e.get("mona/LinkedList/1.1.1.zip", nil), http.StatusOK)
		set(types.PackageVersionStatusArchived)
		problem(t, e.get("mona/LinkedList/1.1.1.zip", nil), http.StatusGone, "Archived")
		out, err := s.CA.ListPackageVersionAssets(ctx, &codeartifact.ListPackageVersionAssetsInput{
			Domain: aws.String(domain), Repository: aws.String("repo"), Format: types.PackageFormatSwift,
			Namespace: aws.String("mona"), Package: aws.String("linkedlist"), PackageVersion: aws.String("1.1.1"),
		})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range out.Assets {
			names = append(names, aws.ToString(a.Name))
		}
		if b, _ := json.Marshal(names); !strings.Contains(string(b), "linkedlist-1.1.1.zip") || !strings.Contains(string(b), `"Package.swift"`) {
			t.Errorf("assets %s", b)
		}
	})
	t.Run("copy, upstream, delete", func(t *testing.T) {
		ctx := t.Context()
		pkg := func(repo string) (*string, *string, types.PackageFormat, *string, *string) {
			return aws.String(domain), aws.String(repo), types.PackageFormatSwift, aws.String("mona"), aws.String("linkedlist")
		}
		other := &env{s: s, t: t, base: s.Repository("other", types.PackageFormatSwift)}
		d, src, f, ns, p := pkg("repo")
		_, dst, _, _, _ := pkg("other")
		if _, err := s.CA.CopyPackageVersions(ctx, &codeartifact.CopyPackageVersionsInput{Domain: d, SourceRepository: src,
			DestinationRepository: dst, Format: f, Namespace: ns, Package: p, Versions: []string{"1.0.0"}}); err != nil {
			t.Fatal(err)
		}
		expect(t, other.get("mona/LinkedList/1.0.0.zip", nil), http.StatusOK)
		expect(t, other.get("mona/LinkedList/1.0.0/Package.swift", nil), http.StatusOK)
		down := &env{s: s, t: t, base: s.Repository("downstream", types.PackageFormatSwift, "other")}
		r := down.get("mona/linkedlist", nil)
		expect(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), `"1.0.0"`) {
			t.Errorf("the upstream's release is not listed downstream: %s", r.Body)
		}
		if _, err := s.CA.DeletePackageVersions(ctx, &codeartifact.DeletePackageVersionsInput{Domain: d, Repository: dst,
			Format: f, Namespace: ns, Package: p, Versions: []string{"1.0.0"}}); err != nil {
			t.Fatal(err)
		}
		problem(t, other.get("mona/LinkedList/1.0.0.zip", nil), http.StatusNotFound, "")
	})
}

// A signed release (SE-0391, cms-1.0.0): the signature of its archive is
// verified at publish (testdata/cms/signed-release.sig was made by
// OpenSSL over signed-release.zip) and shown in its metadata; a signature
// of other bytes is refused and nothing is published.
func TestSwiftSignedRelease(t *testing.T) {
	s := servertest.NewScenario(t, domain)
	e := &env{s: s, t: t, base: s.Repository("repo", types.PackageFormatSwift)}
	archive, err := os.ReadFile("testdata/cms/signed-release.zip")
	if err != nil {
		t.Fatal(err)
	}
	sig, err := os.ReadFile("testdata/cms/signed-release.sig")
	if err != nil {
		t.Fatal(err)
	}
	signed := func(path string, archive, sig []byte, format string) servertest.Response {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		w, _ := mw.CreateFormFile("source-archive", "source-archive.zip")
		w.Write(archive)
		w, _ = mw.CreateFormFile("source-archive-signature", "source-archive.sig")
		w.Write(sig)
		mw.Close()
		return e.do(http.MethodPut, path, "Bearer "+s.Token, map[string]string{
			"Content-Type": mw.FormDataContentType(), "Accept": accept, "X-Swift-Package-Signature-Format": format}, buf.Bytes())
	}
	other := sourceArchive(t, "SignedLib", map[string]string{"Package.swift": "// swift-tools-version:5.9\n"})
	problem(t, signed("mona/SignedLib/1.0.0", other, sig, "cms-1.0.0"), http.StatusBadRequest, "does not match what it signs")
	problem(t, signed("mona/SignedLib/1.0.0", archive, []byte("not a signature"), "cms-1.0.0"), http.StatusBadRequest, "not a valid cms-1.0.0 signature")
	problem(t, signed("mona/SignedLib/1.0.0", archive, sig, "pgp"), http.StatusBadRequest, "cms-1.0.0")
	expect(t, e.get("mona/SignedLib/1.0.0", map[string]string{"Accept": accept}), http.StatusNotFound)

	expect(t, signed("mona/SignedLib/1.0.0", archive, sig, "cms-1.0.0"), http.StatusCreated)
	r := e.get("mona/SignedLib/1.0.0", map[string]string{"Accept": accept})
	expect(t, r, http.StatusOK)
	var release struct {
		Resources []struct {
			Name    string
			Signing struct{ SignatureBase64Encoded, SignatureFormat string }
		}
	}
	r.JSON(t, &release)
	if len(release.Resources) != 1 || release.Resources[0].Signing.SignatureFormat != "cms-1.0.0" ||
		release.Resources[0].Signing.SignatureBase64Encoded != base64.StdEncoding.EncodeToString(sig) {
		t.Errorf("release metadata: %s", r.Body)
	}
}

// TestSwiftReleaseListChanges: the release list and a release's Links
// follow every publish and status change (the list is kept between
// reads), in SemVer order, and the list revalidates by ETag.
func TestSwiftReleaseListChanges(t *testing.T) {
	s := servertest.NewScenario(t, domain)
	e := &env{s: s, t: t, base: s.Repository("repo", types.PackageFormatSwift)}
	archive := sourceArchive(t, "Tree", map[string]string{"Package.swift": "// swift-tools-version:5.7\n"})
	list := func() []string {
		t.Helper()
		r := e.get("mona/tree", map[string]string{"Accept": accept})
		expect(t, r, http.StatusOK)
		var body struct {
			Releases map[string]struct{ URL string }
		}
		r.JSON(t, &body)
		var out []string
		for v := range body.Releases {
			out = append(out, v)
		}
		sort.Strings(out)
		return out
	}
	var want []string
	for _, v := range []string{"1.0.0", "2.0.0", "1.10.0", "1.5.0-beta", "1.9.0"} {
		expect(t, e.publish("mona/tree/"+v, archive, ""), http.StatusCreated)
		want = append(want, v)
		sort.Strings(want)
		if got := list(); !slices.Equal(got, want) {
			t.Fatalf("after publishing %s: releases %v, want %v", v, got, want)
		}
	}
	links := func(version string) string {
		t.Helper()
		r := e.get("mona/tree/"+version, map[string]string{"Accept": accept})
		expect(t, r, http.StatusOK)
		return r.Header.Get("Link")
	}
	rel := func(v, rel string) string { return `<` + e.base + `mona/tree/` + v + `>; rel="` + rel + `"` }
	for version, want := range map[string]string{
		"2.0.0":      rel("2.0.0", "latest-version") + ", " + rel("1.10.0", "predecessor-version"),
		"1.9.0":      rel("2.0.0", "latest-version") + ", " + rel("1.10.0", "successor-version") + ", " + rel("1.5.0-beta", "predecessor-version"),
		"1.5.0-beta": rel("2.0.0", "latest-version") + ", " + rel("1.9.0", "successor-version") + ", " + rel("1.0.0", "predecessor-version"),
		"1.0.0":      rel("2.0.0", "latest-version") + ", " + rel("1.5.0-beta", "successor-version"),
	} {
		if got := links(version); got != want {
			t.Errorf("Link of %s:\n%s\nwant\n%s", version, got, want)
		}
	}
	_, err := s.CA.UpdatePackageVersionsStatus(t.Context(), &codeartifact.UpdatePackageVersionsStatusInput{
		Domain: aws.String(domain), Repository: aws.String("repo"), Format: types.PackageFormatSwift,
		Namespace: aws.String("mona"), Package: aws.String("tree"), Versions: []string{"1.9.0"}, TargetStatus: types.PackageVersionStatusUnlisted,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := list(), []string{"1.0.0", "1.10.0", "1.5.0-beta", "2.0.0"}; !slices.Equal(got, want) {
		t.Errorf("after unlisting 1.9.0: releases %v, want %v", got, want)
	}
	// An Unlisted release is fetched by version; its Links place it among
	// the listed ones.
	if got, want := links("1.9.0"), rel("2.0.0", "latest-version")+", "+rel("1.10.0", "successor-version")+", "+rel("1.5.0-beta", "predecessor-version"); got != want {
		t.Errorf("Link of the Unlisted 1.9.0:\n%s\nwant\n%s", got, want)
	}
	r := e.get("mona/tree", map[string]string{"Accept": accept})
	etag := r.Header.Get("ETag")
	if etag == "" {
		t.Fatal("release list without an ETag")
	}
	expect(t, e.get("mona/tree", map[string]string{"Accept": accept, "If-None-Match": etag}), http.StatusNotModified)
	expect(t, e.publish("mona/tree/3.0.0", archive, ""), http.StatusCreated)
	expect(t, e.get("mona/tree", map[string]string{"Accept": accept, "If-None-Match": etag}), http.StatusOK)
	// The list names the releases newest first.
	var b strings.Builder
	for i, v := range []string{"3.0.0", "2.0.0", "1.10.0", "1.5.0-beta", "1.0.0"} {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"%s":{"url":"%smona/tree/%s"}`, v, e.base, v)
	}
	if got, want := string(e.get("mona/tree", map[string]string{"Accept": accept}).Body), `{"releases":{`+b.String()+"}}\n"; got != want {
		t.Errorf("release list:\n%s\nwant\n%s", got, want)
	}
}

// TestSwiftArchiveKept publishes source archives on both sides of the
// size a publish holds in memory (beyond it the archive waits in a
// temporary file): each release serves its archive byte for byte and its
// manifest, and an archive beyond it without Package.swift is refused
// with no release left behind.
func TestSwiftArchiveKept(t *testing.T) {
	s := servertest.NewScenario(t, domain)
	e := &env{s: s, t: t, base: s.Repository("repo", types.PackageFormatSwift)}
	noise := func(n int) string { // incompressible: the zip is as large
		b := make([]byte, n)
		var sum [sha256.Size]byte
		for i := 0; i < n; i += len(sum) {
			sum = sha256.Sum256(sum[:])
			copy(b[i:], sum[:])
		}
		return string(b)
	}
	manifest := "// swift-tools-version:5.9\nimport PackageDescription\nlet package = Package(name: \"Big\")\n"
	for _, c := range []struct {
		version string
		pad     int
	}{{"1.0.0", 10}, {"1.1.0", swift.InMemory - 4096}, {"2.0.0", swift.InMemory + 512<<10}} {
		archive := sourceArchive(t, "Big", map[string]string{"Package.swift": manifest, "Resources/data.bin": noise(c.pad)})
		if above := len(archive) > swift.InMemory; above != (c.pad > swift.InMemory) {
			t.Fatalf("%s: an archive of %d bytes for a member of %d", c.version, len(archive), c.pad)
		}
		expect(t, e.publish("mona/Big/"+c.version, archive, ""), http.StatusCreated)
		r := e.get("mona/Big/"+c.version+".zip", map[string]string{"Accept": "application/vnd.swift.registry.v1+zip"})
		expect(t, r, http.StatusOK)
		if !bytes.Equal(r.Body, archive) {
			t.Errorf("%s: the archive served (%d bytes) is not the one published (%d bytes)", c.version, len(r.Body), len(archive))
		}
		r = e.get("mona/Big/"+c.version+"/Package.swift", map[string]string{"Accept": "application/vnd.swift.registry.v1+swift"})
		expect(t, r, http.StatusOK)
		if string(r.Body) != manifest {
			t.Errorf("%s: manifest %q", c.version, r.Body)
		}
	}
	large := sourceArchive(t, "Big", map[string]string{"Sources/Big/Big.swift": "", "Resources/data.bin": noise(swift.InMemory + 512<<10)})
	problem(t, e.publish("mona/Big/3.0.0", large, ""), http.StatusBadRequest, "no Package.swift")
	expect(t, e.get("mona/Big/3.0.0", map[string]string{"Accept": accept}), http.StatusNotFound)
}
