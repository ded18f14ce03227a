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
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
// serves the winner; a new version, a status change and a repository
// policy made through one replica bind the next request on the others;
// one mvn deploy spread over the three by a round-robin proxy publishes
// whole; `arca token revoke --database` binds every replica at once; no
// blob lands in any replica's data directory; and the three migrated the
// database once.
func TestReplicas(t *testing.T) {
	t.Parallel()
	set := startReplicas(t, 3, "arca-replicas")
	replicas, database, objects, key := set.servers, set.database, set.objects, set.key

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
	py.ok(t, "", tool(t, "twine"), twineUpload(distDir, files)...)
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

	// Freshness: what changes through one replica binds the next request
	// on the others (each reads the change counters in the database as it
	// authenticates a request, one read serving the requests of the next
	// millisecond, and every client command here takes longer than that
	// to return). Replica 1 holds replicated's document from the install
	// above; a version published through replica 2 is on it.
	racers[1].PublishOK(t, pkgSpec{Name: "replicated", Version: "1.1.0", Mark: "replica 2"})
	if got := installer.Versions(t, "replicated"); !sameList(got, []string{"1.0.0", "1.1.0"}) {
		t.Errorf("npm view through replica 1 after a publish through replica 2: versions %v, want [1.0.0 1.1.0]", got)
	}
	// A status change through replica 0 hides 1.1.0 on replicas 1 and 2.
	aws0 := newCLI(t, replicas[0])
	aws0.OK(t, "update-package-versions-status", "--domain", "shared", "--repository", "npm-store", "--format", "npm",
		"--package", "replicated", "--versions", "1.1.0", "--target-status", "Unlisted")
	for _, u := range []*npmUser{installer, racers[1]} {
		if got := u.Versions(t, "replicated"); !sameList(got, []string{"1.0.0"}) {
			t.Errorf("npm view through %s after 1.1.0 was unlisted through replica 0: versions %v, want [1.0.0]", u.Endpoint, got)
		}
	}
	// A repository policy put through replica 0 denies reads on replicas
	// 1 and 2 on their next request; deleted through replica 2, reads
	// work again on replicas 0 and 1.
	deny := writeFile(t, "deny.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"codeartifact:ReadFromRepository","Resource":"*"}]}`)
	aws0.OK(t, "put-repository-permissions-policy", "--domain", "shared", "--repository", "npm-store", "--policy-document", "file://"+deny)
	for _, r := range []*server{replicas[1], replicas[2]} {
		if code, _ := getBearer(t, r.URL+"/shared-"+testAccount+"/npm/npm-store/replicated", token, ""); code != http.StatusForbidden {
			t.Errorf("%s answered %d to a read right after a deny policy was put through replica 0, want 403", r.URL, code)
		}
	}
	npmRefused(t, installer.Install(t, newProject(t), "replicated@1.0.0"), "E403")
	aws2.OK(t, "delete-repository-permissions-policy", "--domain", "shared", "--repository", "npm-store")
	for _, r := range []*server{replicas[0], replicas[1]} {
		if code, _ := getBearer(t, r.URL+"/shared-"+testAccount+"/npm/npm-store/replicated", token, ""); code != http.StatusOK {
			t.Errorf("%s answered %d to a read right after the deny policy was deleted through replica 2, want 200", r.URL, code)
		}
	}

	// Maven: one mvn deploy whose requests a round-robin proxy spreads
	// over the three replicas (the jar to one, its checksums and the pom
	// to others, maven-metadata.xml to another): the checksums uploaded
	// before their file are kept in the database, not in one replica.
	// mvn then resolves the version through replica 0, whose
	// maven-metadata.xml of the artifact lists both versions.
	var next atomic.Int32
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		target, _ := url.Parse(replicas[int(next.Add(1))%len(replicas)].URL)
		r.SetURL(target)
	}})
	defer proxy.Close()
	spread := strings.Replace(deployer.Endpoint, replicas[1].URL, proxy.URL, 1)
	jar2, jar2Bytes := writeJar(t, t.TempDir(), "replicated.jar", map[string]string{"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\nImplementation-Version: 1.1.0\n"})
	deployer.MvnOK(t, "", "deploy:deploy-file", "-Dfile="+jar2, "-DgroupId=com.example", "-DartifactId=replicated",
		"-Dversion=1.1.0", "-Dpackaging=jar", "-Durl="+spread, "-DrepositoryId=codeartifact")
	if n := next.Load(); n < int32(len(replicas)) {
		t.Fatalf("the proxy passed on %d requests of mvn deploy, too few to reach every replica", n)
	}
	resolver0 := newMvnUser(t, mavenEndpoint(t, aws0, "shared", "npm-store"), token)
	resolver0.MvnOK(t, "", "dependency:get", "-Dartifact=com.example:replicated:1.1.0")
	if got, err := os.ReadFile(filepath.Join(resolver0.Repo, "com/example/replicated/1.1.0/replicated-1.1.0.jar")); err != nil || !bytes.Equal(got, jar2Bytes) {
		t.Errorf("the jar mvn resolved through replica 0 differs from the one deployed through the proxy (%v)", err)
	}
	if code, meta := getBearer(t, mavenEndpoint(t, aws2, "shared", "npm-store")+"com/example/replicated/maven-metadata.xml", token, ""); code != http.StatusOK ||
		!strings.Contains(string(meta), "<version>1.0.0</version>") || !strings.Contains(string(meta), "<version>1.1.0</version>") {
		t.Errorf("replica 2's maven-metadata.xml of com.example:replicated (%d) does not list 1.0.0 and 1.1.0:\n%s", code, meta)
	}

	// `arca token revoke --database` revokes the token minted by replica
	// 1: replicas 0 and 2 refuse it on their next request.
	keyFile := writeFile(t, "master.key", base64.StdEncoding.EncodeToString(key)+"\n")
	if r := runArca(t, token+"\n", "token", "revoke", "--database", database, "--master-key-file", keyFile, "--reason", "e2e", "-"); r.Code != 0 {
		t.Fatalf("arca token revoke --database failed\n%s", r)
	}
	for _, r := range []*server{replicas[0], replicas[2]} {
		if code, _ := getBearer(t, r.URL+"/shared-"+testAccount+"/npm/npm-store/replicated", token, ""); code != http.StatusUnauthorized {
			t.Errorf("%s answered %d to a revoked token, want 401", r.URL, code)
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

// replicaSet is a set of arca replicas sharing one PostgreSQL schema and
// one versitygw bucket, started at once on the empty database.
type replicaSet struct {
	servers  []*server
	opts     []startOpts // each one's start, to start it again
	database string
	objects  *s3test.Server
	key      []byte // the master key they share
}

// startReplicas starts n replicas at once on a new schema of the test
// PostgreSQL server and a new bucket of a new versitygw, waits for each to
// serve, and checks that they applied every migration exactly once.
func startReplicas(t *testing.T, n int, bucket string) *replicaSet {
	t.Helper()
	set := &replicaSet{database: pgtest.URL(t), objects: s3test.Start(t), key: make([]byte, 32)}
	set.objects.CreateBucket(t, bucket)
	rand.Read(set.key)
	env := rootEnv(append(set.objects.Env(),
		"ARCA_DATABASE="+set.database,
		"ARCA_BLOBS="+set.objects.URL(bucket, "shared"),
		"ARCA_MASTER_KEY="+base64.StdEncoding.EncodeToString(set.key))...)

	// n processes at once, then wait for each: they migrate the empty
	// database together.
	set.opts = make([]startOpts, n)
	set.servers = make([]*server, n)
	for i := range set.servers {
		set.opts[i] = startOpts{Env: env, RootFromEnv: true}
		set.servers[i] = launch(t, &set.opts[i])
	}
	for i, r := range set.servers {
		r.ready(t, set.opts[i])
	}
	rows, err := pgtest.Open(t, set.database).Query(`SELECT version_id, COUNT(*) FROM goose_db_version WHERE version_id > 0 GROUP BY version_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var version, count int
		if err := rows.Scan(&version, &count); err != nil {
			t.Fatal(err)
		}
		if count != 1 {
			t.Errorf("migration %d applied %d times by %d replicas starting together", version, count, n)
		}
	}
	return set
}
