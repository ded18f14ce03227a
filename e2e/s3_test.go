package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/blob/s3blob/s3test"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// TestServeS3Blobs runs arca with --blobs on a real S3-compatible server
// (versitygw): npm and PyPI packages published through arca land in the
// bucket, come back byte for byte, and nothing of them lands in the data
// directory. It runs twice: streaming the bytes through arca, and with
// redirect=1 (every asset served by a redirect to a presigned URL on the
// object store), which shows that npm, pip and mvn follow those redirects.
func TestServeS3Blobs(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	srv.CreateBucket(t, "arca-e2e")
	for _, mode := range []struct{ name, query string }{{"stream", ""}, {"redirect", "&redirect=1"}} {
		t.Run(mode.name, func(t *testing.T) {
			prefix := "replica-" + mode.name
			spool := t.TempDir()
			// The object store answers as localhost, arca as 127.0.0.1: as
			// in production, redirects go to another host name, to which
			// the clients do not send the Authorization header (npm keeps
			// it for another port of the same host name).
			blobsURL := strings.Replace(srv.URL("arca-e2e", prefix), "endpoint=http://127.0.0.1:", "endpoint=http://localhost:", 1)
			s := start(t, startOpts{
				Args: []string{"--blobs", blobsURL + mode.query},
				// The S3 credentials come from the standard AWS variables;
				// uploads are spooled in TMPDIR.
				Env:         rootEnv(append(srv.Env(), "TMPDIR="+spool)...),
				RootFromEnv: true,
			})
			aws := newCLI(t, s)
			aws.OK(t, "create-domain", "--domain", "my-domain")
			aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
			var stored []string // the SHA-256 of every published file

			// npm: publish a packed tarball, install it, fetch it back.
			u := npmLogin(t, s, "my-domain", "my-repo")
			hello := pkgSpec{Name: "arca-s3", Version: "1.0.0", Mark: "s3"}
			tgz := u.Pack(t, hello)
			u.NPMOK(t, "", "publish", tgz)
			project := newProject(t)
			u.InstallOK(t, project, "arca-s3@1.0.0")
			wantInstalled(t, project, hello)
			packed, err := os.ReadFile(tgz)
			if err != nil {
				t.Fatal(err)
			}
			stored = append(stored, sha(packed))
			token := str(t, aws.OK(t, "get-authorization-token", "--domain", "my-domain"), "authorizationToken")
			got, first := fetch(t, u.Endpoint+"arca-s3/-/arca-s3-1.0.0.tgz", token)
			if !bytes.Equal(got, packed) {
				t.Errorf("the tarball served (%d bytes) differs from the one published (%d bytes)", len(got), len(packed))
			}
			if mode.query == "" && first.StatusCode != http.StatusOK {
				t.Errorf("without redirect=, the tarball GET answered %d, want 200", first.StatusCode)
			}
			if mode.query != "" && (first.StatusCode != http.StatusFound || !strings.HasPrefix(first.Header.Get("Location"), strings.Replace(srv.Endpoint, "127.0.0.1", "localhost", 1)+"/arca-e2e/"+prefix+"/sha256/")) {
				t.Errorf("with redirect=1, the tarball GET answered %d to %q, want 302 to the object store", first.StatusCode, first.Header.Get("Location"))
			}

			// PyPI: twine upload, pip download.
			py := newPyUser(t, s)
			py.login(t, "twine", "my-domain", "my-repo")
			distDir, files := dists(t, upstreamtest.PyPIDist{Name: "s3-hello", Version: "1.0"})
			for _, n := range sortedKeys(files) {
				stored = append(stored, sha(files[n]))
			}
			py.ok(t, "", tool(t, "twine"), twineUpload(distDir, files)...)
			py.login(t, "pip", "my-domain", "my-repo")
			dest := t.TempDir()
			py.ok(t, "", tool(t, "python3"), "-m", "pip", "download", "--no-cache-dir", "--no-deps", "--no-binary", ":none:", "-d", dest, "s3-hello==1.0")
			downloaded, _ := os.ReadDir(dest)
			if len(downloaded) != 1 {
				t.Fatalf("pip download wrote %d files, want one", len(downloaded))
			}
			b, _ := os.ReadFile(filepath.Join(dest, downloaded[0].Name()))
			if want, ok := files[downloaded[0].Name()]; !ok || !bytes.Equal(b, want) {
				t.Errorf("pip downloaded %s (%d bytes), which differs from the file uploaded", downloaded[0].Name(), len(b))
			}

			// Maven: deploy-file, then dependency:get into an empty local
			// repository.
			mvn := newMvnUser(t, mavenEndpoint(t, aws, "my-domain", "my-repo"), token)
			jar, jarBytes := writeJar(t, t.TempDir(), "s3demo.jar", map[string]string{"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n"})
			stored = append(stored, sha(jarBytes))
			mvn.MvnOK(t, "", "deploy:deploy-file", "-Dfile="+jar, "-DgroupId=com.example", "-DartifactId=s3demo",
				"-Dversion=1.0.0", "-Dpackaging=jar", "-Durl="+mvn.Endpoint, "-DrepositoryId=codeartifact")
			mvn.Forget(t, "com.example")
			mvn.MvnOK(t, "", "dependency:get", "-Dartifact=com.example:s3demo:1.0.0")
			if got, err := os.ReadFile(filepath.Join(mvn.Repo, "com/example/s3demo/1.0.0/s3demo-1.0.0.jar")); err != nil || !bytes.Equal(got, jarBytes) {
				t.Errorf("the jar mvn downloaded differs from the one deployed (%v)", err)
			}

			// npm, pip and mvn themselves fetched the files through arca,
			// and got the redirect when it is on (and followed it: they
			// succeeded). Checksum and metadata files (.sha1, .metadata)
			// are not blobs, and are served either way.
			status, never := "GET 200", "GET 302"
			if mode.query != "" {
				status, never = never, status
			}
			for _, file := range []string{"arca-s3-1.0.0.tgz", downloaded[0].Name(), "s3demo-1.0.0.jar"} {
				var got []string // "METHOD status" of the requests for file itself
				for _, l := range accessLogPaths(s, "/"+file) {
					if f := strings.Fields(l); len(f) == 2 { // nothing after the name
						got = append(got, f[0]+" "+f[1])
					}
				}
				if !slices.Contains(got, status) || slices.Contains(got, never) {
					t.Errorf("access log for %s: %v, want %q and never %q", file, got, status, never)
				}
			}

			// The bytes are in the bucket, under the layout's keys.
			keys := srv.Keys(t, "arca-e2e", prefix+"/")
			for _, h := range stored {
				if k := prefix + "/sha256/" + h[:2] + "/" + h[2:4] + "/" + h; !slices.Contains(keys, k) {
					t.Errorf("bucket lacks %s; it holds %v", k, keys)
				}
			}
			// And not in the data directory, nor left in the spool.
			filepath.WalkDir(s.Data, func(p string, e fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if e.Name() == "blobs" || slices.Contains(stored, e.Name()) {
					t.Errorf("the data directory holds %s", p)
				}
				return nil
			})
			if left, _ := os.ReadDir(spool); len(left) != 0 {
				t.Errorf("TMPDIR holds %d files after the uploads, want none", len(left))
			}
		})
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fetch GETs url with a bearer token, following redirects as a client
// does (Go drops the Authorization header when the host changes, and
// keeps it for another port of the same host: the presigned URL must not
// get it, so the redirect is followed by hand). It returns the body and
// the first response.
func fetch(t *testing.T, url, token string) ([]byte, *http.Response) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	first, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Body.Close()
	resp := first
	if first.StatusCode == http.StatusFound {
		if resp, err = client.Get(first.Header.Get("Location")); err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d, %v", url, resp.StatusCode, err)
	}
	return body, first
}

// TestServeS3BlobsRefusals: a server whose bucket is missing or whose
// credentials are wrong does not start, and says which bucket; a bad URL
// is refused before anything starts.
func TestServeS3BlobsRefusals(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	srv.CreateBucket(t, "arca-e2e")
	wrongSecret := append(srv.Env(), "AWS_SECRET_ACCESS_KEY=not-the-secret")
	for _, c := range []struct {
		name, url string
		env       []string
		want      string
	}{
		{"missing bucket", srv.URL("no-such-bucket", ""), srv.Env(), `bucket "no-such-bucket" at ` + srv.Endpoint},
		{"wrong secret", srv.URL("arca-e2e", ""), wrongSecret, `bucket "arca-e2e" at ` + srv.Endpoint},
		{"not s3", "/var/lib/arca-blobs", srv.Env(), "is not s3://BUCKET"},
		{"credentials in the URL", "s3://key:secret@arca-e2e", srv.Env(), "credentials come from the AWS environment"},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := t.TempDir()
			code, _, stderr := runArcaExpectExit(t, rootEnv(c.env...), "--listen", freeAddr(t), "--data", data, "--blobs", c.url)
			if code == 0 || !strings.Contains(stderr, c.want) {
				t.Errorf("arca serve --blobs %s: exit %d, want a failure saying %q\n%s", c.url, code, c.want, stderr)
			}
			if strings.Contains(stderr, ":secret@") || strings.Contains(stderr, "not-the-secret") {
				t.Errorf("arca serve printed a secret:\n%s", stderr)
			}
		})
	}
}
