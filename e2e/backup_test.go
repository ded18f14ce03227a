package e2e

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// TestBackupRestore backs up a server's data directory with `arca backup`
// while npm publishes to it, restores the backup with `arca restore` into
// a new directory, starts a server there, and installs with npm every
// version the backup holds: each comes with the bytes npm published
// (npm checks the tarball against the integrity the restored server
// gives, and that integrity is the SHA-512 of the file npm sent). Every
// version npm saw acknowledged before the backup began is in it.
func TestBackupRestore(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "backed-up")
	aws.OK(t, "create-repository", "--domain", "backed-up", "--repository", "repo")
	u := npmLogin(t, s, "backed-up", "repo")

	// Tarballs made here, so that their SHA-512 is known.
	integrity := map[string]string{} // version -> the integrity of the bytes npm sent
	tarballs := t.TempDir()
	tarball := func(version string) string {
		b, err := upstreamtest.Tarball(map[string]any{"name": "bk-pkg", "version": version, "description": "bk-pkg " + version, "license": "MIT"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha512.Sum512(b)
		integrity[version] = "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
		p := filepath.Join(tarballs, "bk-pkg-"+version+".tgz")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var mu sync.Mutex
	var acked []string
	publish := func(version, file string, args ...string) bool {
		r := u.NPM(t, "", append([]string{"publish", file}, args...)...)
		if r.Code != 0 || !strings.Contains(r.Stdout, "+ bk-pkg@"+version) {
			t.Errorf("npm publish bk-pkg@%s failed\n%s", version, r)
			return false
		}
		mu.Lock()
		acked = append(acked, version)
		mu.Unlock()
		return true
	}
	for i := range 3 {
		v := fmt.Sprintf("1.0.%d", i)
		publish(v, tarball(v))
	}

	// The load: two npm users publishing new versions all along, from
	// before the backup starts until after it ends.
	const loadVersions = 6
	files := map[string]string{}
	for w := range 2 {
		for i := range loadVersions / 2 {
			v := fmt.Sprintf("2.%d.%d", w, i)
			files[v] = tarball(v)
		}
	}
	stop := make(chan struct{})
	started := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range loadVersions / 2 {
				v := fmt.Sprintf("2.%d.%d", w, i)
				// Each worker its own dist-tag: npm refuses to move
				// latest below a higher version without one.
				if !publish(v, files[v], "--tag", fmt.Sprintf("w%d", w)) {
					return
				}
				if i == 0 {
					started <- struct{}{}
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
	}
	<-started // publishes are under way
	mu.Lock()
	before := slices.Clone(acked)
	mu.Unlock()
	backupDir := filepath.Join(t.TempDir(), "backup")
	r := runProgram(t, serverEnv(nil), "", arcaBin, "backup", "--data", s.Data, "--to", backupDir)
	close(stop)
	wg.Wait()
	if r.Code != 0 || !strings.Contains(r.Stdout, "the master key is not in the backup") {
		t.Fatalf("arca backup\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(backupDir, "master.key")); err == nil {
		t.Error("the master key is in the backup")
	}

	// Restore: the key travels apart from the backup and is named to
	// restore, which checks that it opens the secrets.
	key := filepath.Join(s.Data, "master.key")
	data := filepath.Join(t.TempDir(), "restored")
	r = runProgram(t, serverEnv(nil), "", arcaBin, "restore", "--from", backupDir, "--data", data, "--master-key-file", key)
	if r.Code != 0 || !strings.Contains(r.Stdout, "the master key opens the restored secrets") {
		t.Fatalf("arca restore\n%s", r)
	}
	r = runProgram(t, serverEnv(nil), "", arcaBin, "restore", "--from", backupDir, "--data", data)
	if r.Code == 0 || !strings.Contains(r.Stderr, "is not empty") {
		t.Errorf("arca restore into the restored (non-empty) directory\n%s", r)
	}
	fi, err := os.Stat(data)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the restored data directory: %v, mode %v; want 0700", err, fi.Mode().Perm())
	}

	restored := start(t, startOpts{Data: data, Args: []string{"--master-key-file", key}, Env: rootEnv(), RootFromEnv: true})
	v := npmLogin(t, restored, "backed-up", "repo")
	held := v.Versions(t, "bk-pkg")
	for _, want := range before {
		if !slices.Contains(held, want) {
			t.Errorf("bk-pkg@%s was acknowledged before the backup began, and the restored server lacks it (it has %v)", want, held)
		}
	}
	// Every version the backup holds installs with the bytes npm sent.
	project := newProject(t)
	var specs []string
	for _, ver := range held {
		if integrity[ver] == "" {
			t.Fatalf("the restored server has bk-pkg@%s, which was never published", ver)
		}
		specs = append(specs, "v"+strings.ReplaceAll(ver, ".", "-")+"@npm:bk-pkg@"+ver)
	}
	v.InstallOK(t, project, specs...)
	lock := readLock(t, project)
	for _, ver := range held {
		got := lock.Packages["node_modules/v"+strings.ReplaceAll(ver, ".", "-")]
		if got.Version != ver || got.Integrity != integrity[ver] {
			t.Errorf("bk-pkg@%s installed from the restored server as %s with integrity %s, want the published %s", ver, got.Version, got.Integrity, integrity[ver])
		}
	}
	t.Logf("%d versions acknowledged before the backup, %d in it, %d acknowledged in all", len(before), len(held), len(acked))
}

type packageLock struct {
	Packages map[string]struct {
		Version   string `json:"version"`
		Integrity string `json:"integrity"`
	} `json:"packages"`
}

func readLock(t testing.TB, dir string) packageLock {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	var lock packageLock
	if err := json.Unmarshal(b, &lock); err != nil {
		t.Fatalf("package-lock.json: %v", err)
	}
	return lock
}
