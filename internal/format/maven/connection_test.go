package maven_test

// The Maven connection against a fake repository that counts requests
// (upstreamtest.Maven), on a stepped clock; and one smoke test against the
// central repository URL that the installed Maven declares in its super
// POM, read at run time. The cache, collapsed fetches, failure memory and
// bounded waits are package upstream's, tested there.

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/maven"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

func setup(t *testing.T) (*upstreamtest.Maven, *maven.Connection, *upstreamtest.Clock, blob.Store) {
	t.Helper()
	fake := upstreamtest.NewMaven(t)
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	clk := upstreamtest.NewClock()
	repo := maven.NewConnection(upstream.Config{URL: fake.URL + "/", Connection: "public:maven-central", Blobs: blobs, Now: clk.Now, Timeout: 2 * time.Second})
	return fake, repo, clk, blobs
}

var lib = artifact.PackageRef{Format: artifact.Maven, Namespace: "org.example", Name: "lib"}

func readBlob(t *testing.T, blobs blob.Store, a artifact.Asset) []byte {
	t.Helper()
	d, err := blob.ParseDigest(a.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	f, _, err := blobs.Open(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return b
}

func TestPackage(t *testing.T) {
	fake, repo, _, _ := setup(t)
	fake.Publish("org.example", "lib", "1.0")
	fake.Publish("org.example", "lib", "1.1")
	remote, err := repo.Package(context.Background(), lib)
	if err != nil || len(remote.Versions) != 2 || remote.Versions["1.1"].Meta.DisplayName != "lib" {
		t.Fatalf("Package = %+v, %v", remote, err)
	}
	if h := fake.Header(upstreamtest.MavenDir("org.example", "lib", "") + "/maven-metadata.xml"); h.Get("User-Agent") != maven.UserAgent {
		t.Errorf("request headers %v", h)
	}
	other := artifact.PackageRef{Format: artifact.Maven, Namespace: "org.example", Name: "none"}
	if _, err := repo.Package(context.Background(), other); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("unknown artifact: %v", err)
	}
	before := fake.Total()
	if _, err := repo.Package(context.Background(), artifact.PackageRef{Format: artifact.NPM, Name: "x"}); err == nil {
		t.Error("an npm package was looked up")
	}
	if _, err := repo.Package(context.Background(), artifact.PackageRef{Format: artifact.Maven, Namespace: "org..example", Name: "lib"}); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("an invalid group: %v", err)
	}
	if fake.Total() != before {
		t.Error("invalid names reached the repository")
	}
}

func TestIngestAndFetch(t *testing.T) {
	fake, repo, _, blobs := setup(t)
	fake.Publish("org.example", "lib", "1.0", "org.example:dep:2.0")
	dir := upstreamtest.MavenDir("org.example", "lib", "1.0")
	v, err := repo.Ingest(context.Background(), lib, resolve.RemoteVersion{Version: "1.0"})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Assets) != 1 || v.Assets[0].Name != "lib-1.0.pom" || !bytes.Equal(readBlob(t, blobs, v.Assets[0]), fake.File(dir+"/lib-1.0.pom")) {
		t.Errorf("Ingest assets = %+v", v.Assets)
	}
	if v.Meta.DisplayName != "lib of the fake repository" || len(v.Meta.Dependencies) != 1 || v.Meta.Dependencies[0].Package != "dep" || len(v.Meta.Licenses) != 1 {
		t.Errorf("Ingest meta = %+v", v.Meta)
	}
	if fake.Requests(dir+"/lib-1.0.pom.sha1") != 1 || fake.Requests(dir+"/lib-1.0.jar") != 0 {
		t.Error("Ingest fetches the POM with its .sha1 and nothing else")
	}
	a, err := repo.FetchAsset(context.Background(), lib, "1.0", "lib-1.0.jar")
	if err != nil {
		t.Fatal(err)
	}
	jar := readBlob(t, blobs, a)
	if _, err := zip.NewReader(bytes.NewReader(jar), int64(len(jar))); err != nil || !bytes.Equal(jar, fake.File(dir+"/lib-1.0.jar")) {
		t.Errorf("jar: %v", err)
	}
	// Missing files are NotFound and remembered; names outside the
	// version are refused without a request.
	for range 2 {
		if _, err := repo.FetchAsset(context.Background(), lib, "1.0", "lib-1.0-javadoc.jar"); !errors.Is(err, errkind.ErrNotFound) {
			t.Errorf("missing file: %v", err)
		}
	}
	if n := fake.Requests(dir + "/lib-1.0-javadoc.jar"); n != 1 {
		t.Errorf("a missing file was asked %d times", n)
	}
	before := fake.Total()
	for _, name := range []string{"other-1.0.jar", "../../x", "lib-2.0.jar"} {
		if _, err := repo.FetchAsset(context.Background(), lib, "1.0", name); !errors.Is(err, errkind.ErrNotFound) {
			t.Errorf("FetchAsset(%q): %v", name, err)
		}
	}
	if fake.Total() != before {
		t.Error("invalid names reached the repository")
	}
	// Bytes that do not match their .sha1 are refused.
	fake.Corrupt(dir + "/lib-1.0-sources.jar")
	if _, err := repo.FetchAsset(context.Background(), lib, "1.0", "lib-1.0-sources.jar"); !errors.Is(err, errkind.ErrValidation) {
		t.Errorf("corrupted file: %v", err)
	}
	// A file without a published checksum is still fetched.
	fake.PutFile(dir+"/lib-1.0.module", []byte(`{"formatVersion":"1.1"}`))
	fake.Remove(dir + "/lib-1.0.module.sha1")
	fake.PutFile(dir+"/lib-1.0.module", []byte(`{"formatVersion":"1.1"}`))
	if _, err := repo.FetchAsset(context.Background(), lib, "1.0", "lib-1.0.module"); err != nil {
		t.Errorf("module file: %v", err)
	}
}

// During an outage the host is remembered as down for files too, which
// fail at once; metadata is served stale.
func TestOutage(t *testing.T) {
	fake, repo, clk, _ := setup(t)
	fake.Publish("org.example", "lib", "1.0")
	if _, err := repo.Package(context.Background(), lib); err != nil {
		t.Fatal(err)
	}
	fake.Down()
	clk.Advance(maven.DefaultTTL + time.Second)
	remote, err := repo.Package(context.Background(), lib)
	if err != nil || len(remote.Versions) != 1 {
		t.Errorf("stale-if-error: %v %v", remote, err)
	}
	before := fake.Total()
	start := time.Now()
	if _, err := repo.FetchAsset(context.Background(), lib, "1.0", "lib-1.0.jar"); !errors.Is(err, errkind.ErrUnavailable) {
		t.Errorf("file during the outage: %v", err)
	}
	if _, err := repo.Ingest(context.Background(), lib, resolve.RemoteVersion{Version: "1.0"}); !errors.Is(err, errkind.ErrUnavailable) {
		t.Errorf("POM during the outage: %v", err)
	}
	if time.Since(start) > time.Second || fake.Total() != before {
		t.Errorf("remembered failures took %s and %d requests", time.Since(start), fake.Total()-before)
	}
	// After the failure memory, it tries again and recovers.
	fake.Up()
	clk.Advance(upstream.DefaultFailureTTL + time.Second)
	if _, err := repo.FetchAsset(context.Background(), lib, "1.0", "lib-1.0.jar"); err != nil {
		t.Errorf("after recovery: %v", err)
	}
}

// centralURL reads the central repository's URL from the super POM of the
// installed Maven, as Maven itself would use it.
func centralURL(t *testing.T) string {
	t.Helper()
	jars, _ := filepath.Glob("/usr/share/maven/lib/maven-model-builder-*.jar")
	if len(jars) == 0 {
		if _, err := exec.LookPath("mvn"); err != nil {
			t.Skip("Maven is not installed: no super POM to read the central repository URL from")
		}
		t.Fatal("mvn is installed but /usr/share/maven/lib/maven-model-builder-*.jar is not")
	}
	zr, err := zip.OpenReader(jars[0])
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.Open("org/apache/maven/model/pom-4.0.0.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	m := regexp.MustCompile(`(?s)<repository>\s*<id>central</id>.*?<url>([^<]+)</url>`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no central repository in the super POM of %s", jars[0])
	}
	return string(m[1])
}

// TestCentralSmoke fetches junit:junit:4.13.2's POM through the
// connection pointed at the installed Maven's central repository.
func TestCentralSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("reaches the public repository")
	}
	url := centralURL(t)
	blobs, err := fsblob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo := maven.NewConnection(upstream.Config{URL: url, Connection: "public:maven-central", Blobs: blobs})
	junit := artifact.PackageRef{Format: artifact.Maven, Namespace: "junit", Name: "junit"}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	remote, err := repo.Package(ctx, junit)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	rv, ok := remote.Versions["4.13.2"]
	if !ok {
		t.Fatalf("junit 4.13.2 not listed by %s", url)
	}
	v, err := repo.Ingest(ctx, junit, rv)
	if err != nil {
		t.Fatal(err)
	}
	if v.Meta.DisplayName != "JUnit" || len(v.Meta.Dependencies) == 0 || v.Meta.Dependencies[0].Package != "hamcrest-core" {
		t.Errorf("junit 4.13.2 from %s: %+v", url, v.Meta)
	}
}
