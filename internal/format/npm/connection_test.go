package npm

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

type fixture struct {
	t     *testing.T
	fake  *upstreamtest.NPM
	reg   *Connection
	blobs *fsblob.Store
}

func newFixture(t *testing.T, adjust ...func(*upstream.Config)) *fixture {
	fake := upstreamtest.NewNPM(t)
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := upstream.Config{URL: fake.URL, Blobs: blobs}
	for _, a := range adjust {
		a(&cfg)
	}
	return &fixture{t: t, fake: fake, reg: NewConnection(cfg), blobs: blobs}
}

func npmRef(name string) artifact.PackageRef {
	n, err := ParseName(name)
	if err != nil {
		panic(err)
	}
	return n.Ref()
}

func wantKind(t *testing.T, err error, kind *errkind.Error, doing string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: %v, want %s", doing, err, kind.Kind)
	}
}

func TestPackageFromRegistry(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 3)
	remote, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil {
		t.Fatal(err)
	}
	if len(remote.Versions) != 3 || remote.Tags["latest"] != "1.2.0" {
		t.Errorf("versions %d, tags %v", len(remote.Versions), remote.Tags)
	}
	tgz := f.fake.Tarball("left-pad", "1.1.0")
	s1, s512 := sha1.Sum(tgz), sha512.Sum512(tgz)
	want := Tarball{URL: f.fake.URL + f.fake.TarballPath("left-pad", "1.1.0"), SHA1: hex.EncodeToString(s1[:]), SHA512: hex.EncodeToString(s512[:])}
	if got := remote.Versions["1.1.0"].Source; got != want {
		t.Errorf("source %+v, want %+v", got, want)
	}
	if m := remote.Versions["1.1.0"].Meta; m.DisplayName != "left-pad" || m.Licenses[0].Name != "MIT" || m.PublishedAt.IsZero() {
		t.Errorf("meta %+v", m)
	}
	h := f.fake.Header("/left-pad")
	if h.Get("Accept") != "application/json" || h.Get("User-Agent") != UserAgent {
		t.Errorf("request headers Accept %q User-Agent %q", h.Get("Accept"), h.Get("User-Agent"))
	}
}

// A scoped name goes upstream as one path segment, @scope%2fname.
func TestScopedPackage(t *testing.T) {
	var uri string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uri = r.RequestURI
		http.NotFound(w, r)
	}))
	defer srv.Close()
	_, err := NewConnection(upstream.Config{URL: srv.URL + "/"}).Package(t.Context(), npmRef("@acme/util"))
	wantKind(t, err, errkind.ErrNotFound, "a package the registry does not have")
	if uri != "/@acme%2futil" {
		t.Errorf("requested %s, want /@acme%%2futil", uri)
	}

	f := newFixture(t)
	f.fake.Publish("@acme/util", upstreamtest.Version{Version: "2.0.0", Dependencies: map[string]string{"@acme/core": "^1.0.0"}})
	remote, err := f.reg.Package(t.Context(), npmRef("@acme/util"))
	if err != nil {
		t.Fatal(err)
	}
	deps := remote.Versions["2.0.0"].Meta.Dependencies
	if len(deps) != 1 || deps[0].Namespace != "acme" || deps[0].Package != "core" {
		t.Errorf("dependencies %+v", deps)
	}
	if n := f.fake.Packuments("@acme/util"); n != 1 {
		t.Errorf("%d document requests", n)
	}
}

func TestBadAndOversizedDocuments(t *testing.T) {
	f := newFixture(t, func(c *upstream.Config) { c.MaxDocumentSize = 4 << 10 })
	f.fake.SetDocument("broken", []byte(`{"name":"broken","versions":{`))
	_, err := f.reg.Package(t.Context(), npmRef("broken"))
	wantKind(t, err, errkind.ErrUnavailable, "invalid JSON")
	if msg := errkind.As(err).Message; !strings.Contains(msg, "invalid document") || !strings.Contains(msg, f.fake.URL) {
		t.Errorf("message %q", msg)
	}
	f.fake.SetDocument("huge", []byte(`{"name":"huge","description":"`+strings.Repeat("x", 5<<10)+`"}`))
	_, err = f.reg.Package(t.Context(), npmRef("huge"))
	wantKind(t, err, errkind.ErrUnavailable, "an oversized document")
	if msg := errkind.As(err).Message; !strings.Contains(msg, "larger than") {
		t.Errorf("message %q", msg)
	}
	f.fake.SetDocument("gone", []byte(`{"name":"gone","time":{"unpublished":{}}}`))
	_, err = f.reg.Package(t.Context(), npmRef("gone"))
	wantKind(t, err, errkind.ErrNotFound, "an unpublished package")
}

func rv(version string, tb Tarball) resolve.RemoteVersion {
	return resolve.RemoteVersion{Version: version, Meta: artifact.Meta{DisplayName: "x"}, Source: tb}
}

func TestIngest(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 2)
	remote, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.reg.Ingest(t.Context(), npmRef("left-pad"), remote.Versions["1.1.0"])
	if err != nil {
		t.Fatal(err)
	}
	tgz := f.fake.Tarball("left-pad", "1.1.0")
	sum := sha256.Sum256(tgz)
	if len(v.Assets) != 1 || v.Assets[0].Name != "package.tgz" || v.Assets[0].SHA256 != hex.EncodeToString(sum[:]) || v.Assets[0].Size != int64(len(tgz)) {
		t.Fatalf("assets %+v", v.Assets)
	}
	if v.Meta.DisplayName != "left-pad" || string(v.Meta.Extra) != string(remote.Versions["1.1.0"].Meta.Extra) {
		t.Errorf("meta %+v", v.Meta)
	}
	d, _ := blob.ParseDigest(v.Assets[0].SHA256)
	if _, err := f.blobs.Stat(t.Context(), d); err != nil {
		t.Errorf("the tarball is not in the blob store: %v", err)
	}
	if h := f.fake.Header(f.fake.TarballPath("left-pad", "1.1.0")); h.Get("User-Agent") != UserAgent {
		t.Errorf("tarball User-Agent %q", h.Get("User-Agent"))
	}
}

func TestIngestRefusesBadBytes(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 1)
	remote, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil {
		t.Fatal(err)
	}
	f.fake.Corrupt("left-pad", "1.0.0")
	_, err = f.reg.Ingest(t.Context(), npmRef("left-pad"), remote.Versions["1.0.0"])
	wantKind(t, err, errkind.ErrValidation, "a tarball that does not match its integrity")
	if msg := errkind.As(err).Message; !strings.Contains(msg, "does not match") || !strings.Contains(msg, "not stored") {
		t.Errorf("message %q", msg)
	}
	// Only the SHA-1 declared: checked too.
	tb := remote.Versions["1.0.0"].Source.(Tarball)
	tb.SHA512 = ""
	_, err = f.reg.Ingest(t.Context(), npmRef("left-pad"), rv("1.0.0", tb))
	wantKind(t, err, errkind.ErrValidation, "a tarball that does not match its shasum")
	n := 0
	f.blobs.Walk(t.Context(), func(blob.Info) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d blobs stored from bad tarballs", n)
	}
}

func TestIngestFailures(t *testing.T) {
	f := newFixture(t)
	f.fake.AddPackage("left-pad", 1)
	remote, err := f.reg.Package(t.Context(), npmRef("left-pad"))
	if err != nil {
		t.Fatal(err)
	}
	v := remote.Versions["1.0.0"]
	f.fake.SetStatus(http.StatusBadGateway)
	_, err = f.reg.Ingest(t.Context(), npmRef("left-pad"), v)
	wantKind(t, err, errkind.ErrUnavailable, "a 502 for the tarball")
	f.fake.SetStatus(0)
	tb := v.Source.(Tarball)
	tb.URL += ".missing"
	_, err = f.reg.Ingest(t.Context(), npmRef("left-pad"), rv("1.0.0", tb))
	wantKind(t, err, errkind.ErrNotFound, "a tarball the registry does not have")
	_, err = f.reg.Ingest(t.Context(), npmRef("left-pad"), rv("1.0.0", Tarball{}))
	if err == nil {
		t.Error("ingested from no URL")
	}
	f.fake.Down()
	_, err = f.reg.Ingest(t.Context(), npmRef("left-pad"), v)
	wantKind(t, err, errkind.ErrUnavailable, "registry down")
}

// A password in the configured URL never reaches a client's message.
func TestMessagesRedactTheURL(t *testing.T) {
	reg := NewConnection(upstream.Config{URL: "http://arca:s3cret@127.0.0.1:1/npm"})
	_, err := reg.Package(t.Context(), npmRef("left-pad"))
	wantKind(t, err, errkind.ErrUnavailable, "a registry that refuses connections")
	if msg := errkind.As(err).Message; strings.Contains(msg, "s3cret") || !strings.Contains(msg, "127.0.0.1:1") {
		t.Errorf("message %q", msg)
	}
}
