package e2e

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/arcahq/arca/internal/blob/s3blob/s3test"
	"github.com/arcahq/arca/internal/store/postgres/pgtest"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// TestReplicas runs three replicas of arca started at once on an empty
// PostgreSQL database (a schema of the test server, see
// scripts/postgres.sh) and one versitygw bucket, with no load balancer:
// each client talks to a replica of its own. npm publishes through one
// and installs through another, byte for byte, and so do twine and pip,
// mvn deploy and mvn dependency:get; a token minted by one works
// on the others; the same version published through two at once is
// created once, the other publisher gets npm's 409, and every replica
// serves the winner; `arca token revoke --database` binds every replica at
// once; no blob lands in any replica's data directory; and
// the three migrated the database once.
func TestReplicas(t *testing.T) {
	t.Parallel()
	database := pgtest.URL(t)
	objects := s3test.Start(t)
	objects.CreateBucket(t, "arca-replicas")
	key := make([]byte, 32)
	rand.Read(key)
	env := rootEnv(append(objects.Env(),
		"ARCA_DATABASE="+database,
		"ARCA_BLOBS="+objects.URL("arca-replicas", "shared"),
		"ARCA_MASTER_KEY="+base64.StdEncoding.EncodeToString(key))...)

	// Three processes at once, then wait for each: they migrate the
	// empty database together.
	opts := make([]startOpts, 3)
	replicas := make([]*server, 3)
	for i := range replicas {
		opts[i] = startOpts{Env: env, RootFromEnv: true}
		replicas[i] = launch(t, &opts[i])
	}
	for i, r := range replicas {
		r.ready(t, opts[i])
	}
	rows, err := pgtest.Open(t, database).Query(`SELECT version_id, COUNT(*) FROM goose_db_version WHERE version_id > 0 GROUP BY version_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var version, n int
		if err := rows.Scan(&version, &n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("migration %d applied %d times by three replicas starting together", version, n)
		}
	}
	rows.Close()

	// The domain through one replica, the repository through another.
	newCLI(t, replicas[0]).OK(t, "create-domain", "--domain", "shared")
	aws1 := newCLI(t, replicas[1])
	aws1.OK(t, "create-repository", "--domain", "shared", "--repository", "npm-store")

	// Publish through replica 0, install through replica 1.
	publisher := npmLogin(t, replicas[0], "shared", "npm-store")
	hello := pkgSpec{Name: "replicated", Version: "1.0.0", Mark: "replica 0"}
	tgz := publisher.Pack(t, hello)
	publisher.NPMOK(t, "", "publish", tgz)
	packed, err := os.ReadFile(tgz)
	if err != nil {
		t.Fatal(err)
	}
	installer := npmLogin(t, replicas[1], "shared", "npm-store")
	project := newProject(t)
	installer.InstallOK(t, project, "replicated@1.0.0")
	wantInstalled(t, project, hello)

	// A token minted by replica 1 fetches the tarball from replica 2,
	// byte for byte.
	token := str(t, aws1.OK(t, "get-authorization-token", "--domain", "shared"), "authorizationToken")
	endpoint2 := replicas[2].URL + "/shared-" + testAccount + "/npm/npm-store/"
	if got, _ := fetch(t, endpoint2+"replicated/-/replicated-1.0.0.tgz", token); !bytes.Equal(got, packed) {
		t.Errorf("replica 2 served a tarball of %d bytes, not the %d published through replica 0", len(got), len(packed))
	}

	// PyPI: twine uploads through replica 2, pip downloads through
	// replica 0.
	py := newPyUser(t, replicas[2])
	py.login(t, "twine", "shared", "npm-store")
	distDir, files := dists(t, upstreamtest.PyPIDist{Name: "replicated-py", Version: "1.0"})
	args := []string{"upload", "--repository", "codeartifact", "--non-interactive", "--disable-progress-bar"}
	for _, n := range sortedKeys(files) {
		args = append(args, filepath.Join(distDir, n))
	}
	py.ok(t, "", tool(t, "twine"), args...)
	pip := newPyUser(t, replicas[0])
	pip.login(t, "pip", "shared", "npm-store")
	dest := t.TempDir()
	pip.ok(t, "", tool(t, "python3"), "-m", "pip", "download", "--no-cache-dir", "--no-deps", "--no-binary", ":none:", "-d", dest, "replicated-py==1.0")
	downloaded, _ := os.ReadDir(dest)
	if len(downloaded) != 1 {
		t.Fatalf("pip download wrote %d files, want one", len(downloaded))
	}
	if b, _ := os.ReadFile(filepath.Join(dest, downloaded[0].Name())); !bytes.Equal(b, files[downloaded[0].Name()]) {
		t.Errorf("pip downloaded %s through replica 0, which differs from the file uploaded through replica 2", downloaded[0].Name())
	}

	// Maven: deploy through replica 1, resolve through replica 2.
	aws2 := newCLI(t, replicas[2])
	deployer := newMvnUser(t, mavenEndpoint(t, aws1, "shared", "npm-store"), token)
	jar, jarBytes := writeJar(t, t.TempDir(), "replicated.jar", map[string]string{"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n"})
	deployer.MvnOK(t, "", "deploy:deploy-file", "-Dfile="+jar, "-DgroupId=com.example", "-DartifactId=replicated",
		"-Dversion=1.0.0", "-Dpackaging=jar", "-Durl="+deployer.Endpoint, "-DrepositoryId=codeartifact")
	resolver := newMvnUser(t, mavenEndpoint(t, aws2, "shared", "npm-store"), token)
	resolver.MvnOK(t, "", "dependency:get", "-Dartifact=com.example:replicated:1.0.0")
	if got, err := os.ReadFile(filepath.Join(resolver.Repo, "com/example/replicated/1.0.0/replicated-1.0.0.jar")); err != nil || !bytes.Equal(got, jarBytes) {
		t.Errorf("the jar mvn resolved through replica 2 differs from the one deployed through replica 1 (%v)", err)
	}

	// The same version through replicas 1 and 2 at once, with different
	// contents: one is created, the other answered 409.
	racers := []*npmUser{installer, npmLogin(t, replicas[2], "shared", "npm-store")}
	tarballs := make([][]byte, len(racers))
	results := make([]result, len(racers))
	var wg sync.WaitGroup
	for i, u := range racers {
		path := u.Pack(t, pkgSpec{Name: "contested", Version: "1.0.0", Mark: "racer " + string(rune('A'+i))})
		if tarballs[i], err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// --force: npm 11 first looks for the version in the
			// registry and refuses by itself when it is there; both
			// PUTs must reach the replicas.
			results[i] = u.NPM(t, "", "publish", "--force", path)
		}()
	}
	wg.Wait()
	winner := -1
	for i, r := range results {
		switch {
		case r.Code == 0 && winner == -1:
			winner = i
		case r.Code == 0:
			t.Errorf("both concurrent publishes of contested@1.0.0 succeeded")
		case !strings.Contains(r.Stderr, "E409"):
			t.Errorf("the losing publish failed without npm's 409:\n%s", r)
		}
	}
	if winner == -1 {
		t.Fatalf("neither concurrent publish succeeded:\n%s\n%s", results[0], results[1])
	}
	sum := sha1.Sum(tarballs[winner])
	for _, r := range replicas {
		body, _ := fetch(t, r.URL+"/shared-"+testAccount+"/npm/npm-store/contested", token)
		var doc struct {
			Versions map[string]struct {
				Dist struct{ Shasum string } `json:"dist"`
			} `json:"versions"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: contested's document: %v", r.URL, err)
		}
		if got := doc.Versions["1.0.0"].Dist.Shasum; got != hex.EncodeToString(sum[:]) {
			t.Errorf("%s serves contested@1.0.0 with shasum %q, want the winner's %x", r.URL, got, sum)
		}
	}

	// `arca token revoke --database` revokes the token minted by replica
	// 1: replicas 0 and 2 refuse it on their next request.
	keyFile := writeFile(t, "master.key", base64.StdEncoding.EncodeToString(key)+"\n")
	if r := runArca(t, token+"\n", "token", "revoke", "--database", database, "--master-key-file", keyFile, "--reason", "e2e", "-"); r.Code != 0 {
		t.Fatalf("arca token revoke --database failed\n%s", r)
	}
	for _, r := range []*server{replicas[0], replicas[2]} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, r.URL+"/shared-"+testAccount+"/npm/npm-store/replicated", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s answered %d to a revoked token, want 401", r.URL, resp.StatusCode)
		}
	}

	// The bytes are in the bucket, not in any replica's data directory.
	stored := []string{sha(packed), sha(tarballs[winner]), sha(jarBytes)}
	for _, b := range files {
		stored = append(stored, sha(b))
	}
	keys := objects.Keys(t, "arca-replicas", "shared/")
	for _, h := range stored {
		if k := "shared/sha256/" + h[:2] + "/" + h[2:4] + "/" + h; !strings.Contains(strings.Join(keys, "\n"), k) {
			t.Errorf("the bucket lacks %s", k)
		}
	}
	for _, r := range replicas {
		filepath.WalkDir(r.Data, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.Name() == "blobs" || e.Name() == "arca.db" || slices.Contains(stored, e.Name()) {
				t.Errorf("replica data directory holds %s", p)
			}
			return nil
		})
	}
}
