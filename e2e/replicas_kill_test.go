package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// TestReplicasKill publishes with real clients through one of three
// replicas (three `npm publish` loops and one `twine upload` loop at once)
// and kills that replica with SIGKILL while they run, as a crash would.
// Every version a client saw succeed (exit code 0) is then served whole
// by the two others: listed, its bytes those published, its integrity
// right, and `npm install` and `pip download` through them get it. No
// replica lists a version or file it cannot serve: a publish cut off by
// the kill is absent or complete. The killed replica starts again on its
// data directory, serves the same, and takes publishes the others serve.
func TestReplicasKill(t *testing.T) {
	t.Parallel()
	set := startReplicas(t, 3, "arca-kill")
	a, b, c := set.servers[0], set.servers[1], set.servers[2]
	newCLI(t, b).OK(t, "create-domain", "--domain", "crash")
	awsC := newCLI(t, c)
	awsC.OK(t, "create-repository", "--domain", "crash", "--repository", "store")
	token := str(t, awsC.OK(t, "get-authorization-token", "--domain", "crash"), "authorizationToken")

	// The publishers, all logged in to replica A.
	const npmPublishers = 3
	var publishers []*npmUser
	for range npmPublishers {
		publishers = append(publishers, npmLogin(t, a, "crash", "store"))
	}
	twine := newPyUser(t, a)
	twine.login(t, "twine", "crash", "store")

	// A is killed once killAfter versions are acknowledged, the loops
	// still publishing; each loop stops at its first failure. A failure
	// before the kill is a failure of the test.
	const killAfter = 4
	var (
		mu       sync.Mutex
		npmAcked = map[string]map[string][]byte{} // package -> version -> tarball
		pyAcked  = map[string]map[string][]byte{} // crash-py version -> file name -> bytes
		acks     atomic.Int32
		killed   atomic.Bool
		killNow  = make(chan struct{})
		wg       sync.WaitGroup
	)
	acked := func() {
		if acks.Add(1) == killAfter {
			close(killNow)
		}
	}
	failed := func(what string, r result) {
		if !killed.Load() {
			t.Errorf("%s failed before replica A was killed:\n%s", what, r)
		}
	}
	for i, u := range publishers {
		name := fmt.Sprintf("crash-%d", i)
		mu.Lock()
		npmAcked[name] = map[string][]byte{}
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for v := 0; v < 100; v++ {
				version := fmt.Sprintf("1.0.%d", v)
				tgz := crashTarball(t, name, version)
				path := filepath.Join(t.TempDir(), name+"-"+version+".tgz")
				if err := os.WriteFile(path, tgz, 0o644); err != nil {
					t.Error(err)
					return
				}
				// No retries: a publish cut off by the kill fails
				// rather than waiting for A to come back.
				r := u.NPM(t, "", "publish", "--fetch-retries=0", path)
				if r.Code != 0 {
					failed("npm publish "+name+"@"+version, r)
					return
				}
				mu.Lock()
				npmAcked[name][version] = tgz
				mu.Unlock()
				acked()
			}
		}()
	}
	twineBin := tool(t, "twine")
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := 0; v < 100; v++ {
			version := fmt.Sprintf("1.0.%d", v)
			dir, files := dists(t, upstreamtest.PyPIDist{Name: "crash-py", Version: version})
			r := twine.run(t, "", twineBin, twineUpload(dir, files)...)
			if r.Code != 0 {
				failed("twine upload of crash-py "+version, r)
				return
			}
			mu.Lock()
			pyAcked[version] = files
			mu.Unlock()
			acked()
		}
	}()
	publishing := make(chan struct{})
	go func() { wg.Wait(); close(publishing) }()
	select {
	case <-killNow:
	case <-publishing:
		t.Fatalf("the publishers stopped before %d versions were acknowledged", killAfter)
	}
	killed.Store(true)
	a.kill(t)
	<-publishing
	total := 0
	for _, vs := range npmAcked {
		total += len(vs)
	}
	t.Logf("acknowledged before and during the kill: %d npm versions, %d PyPI releases", total, len(pyAcked))

	// B and C serve every acknowledged version, and nothing they cannot
	// serve.
	for _, r := range []*server{b, c} {
		checkCrashNPM(t, r, token, npmAcked)
		checkCrashPyPI(t, r, token, pyAcked)
	}
	// The control plane lists the versions the documents list, each
	// Published (none Unfinished).
	for name, vs := range npmAcked {
		if len(vs) == 0 {
			continue
		}
		out := awsC.OK(t, "list-package-versions", "--domain", "crash", "--repository", "store", "--format", "npm", "--package", name)
		var listed []string
		for _, v := range versionList(t, out) {
			listed = append(listed, strings.TrimSuffix(v, ":Published"))
		}
		slices.Sort(listed)
		if served := servedVersions(t, c, token, name); !slices.Equal(listed, served) {
			t.Errorf("list-package-versions of %s through replica C: %v, but its npm document lists %v", name, listed, served)
		}
	}

	// Real clients through B and C: npm installs the last acknowledged
	// version of each package (checking it against the integrity B
	// lists), pip downloads the last PyPI release.
	installer := npmLogin(t, b, "crash", "store")
	project := newProject(t)
	var specs []string
	for name, vs := range npmAcked {
		if len(vs) > 0 {
			specs = append(specs, name+"@"+lastVersion(vs))
		}
	}
	if len(specs) > 0 {
		installer.InstallOK(t, project, specs...)
		for _, s := range specs {
			name, version, _ := strings.Cut(s, "@")
			if got := installedVersion(t, project, name); got != version {
				t.Errorf("npm install %s through replica B installed %q", s, got)
			}
		}
	}
	if len(pyAcked) > 0 {
		pip := newPyUser(t, c)
		pip.login(t, "pip", "crash", "store")
		dest := t.TempDir()
		last := lastVersion(pyAcked)
		pip.ok(t, "", tool(t, "python3"), "-m", "pip", "download", "--no-cache-dir", "--no-deps", "-d", dest, "crash-py=="+last)
		got, _ := os.ReadDir(dest)
		if len(got) != 1 {
			t.Fatalf("pip download of crash-py %s wrote %d files, want its wheel", last, len(got))
		}
		if b, _ := os.ReadFile(filepath.Join(dest, got[0].Name())); string(b) != string(pyAcked[last][got[0].Name()]) {
			t.Errorf("pip downloaded %s through replica C, which differs from what twine uploaded", got[0].Name())
		}
	}

	// A starts again on the same data directory and address, serves what
	// the others serve, and takes a publish that B, which holds the
	// package's document since the install above, then serves.
	set.opts[0].Data, set.opts[0].Addr = a.Data, a.Addr
	a = launch(t, &set.opts[0])
	a.ready(t, set.opts[0])
	checkCrashNPM(t, a, token, npmAcked)
	checkCrashPyPI(t, a, token, pyAcked)
	after := pkgSpec{Name: "crash-0", Version: "2.0.0", Mark: "replica A restarted"}
	publishers[0].PublishOK(t, after)
	project = newProject(t)
	installer.InstallOK(t, project, "crash-0@2.0.0")
	wantInstalled(t, project, after)
}

// kill ends the server with SIGKILL, as a crash or the OOM killer would,
// and waits for it to be gone; the test's cleanup then leaves it alone.
func (s *server) kill(t testing.TB) {
	t.Helper()
	s.stopOnce.Do(func() {
		if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("killing %s: %v", s.cmd, err)
		}
		<-s.done
	})
}

// crashTarball is an npm package tarball with 256 KB of random bytes in
// it: a publish large enough to be cut off half-way.
func crashTarball(t testing.TB, name, version string) []byte {
	t.Helper()
	noise := make([]byte, 192<<10)
	rand.Read(noise)
	tgz, err := upstreamtest.Tarball(map[string]any{"name": name, "version": version, "license": "MIT", "main": "index.js"},
		map[string]string{"noise.txt": hex.EncodeToString(noise)[:256<<10]})
	if err != nil {
		t.Fatal(err)
	}
	return tgz
}

// checkCrashNPM fails unless replica r's document of each package lists
// every acknowledged version with the published tarball, and every
// version it lists has a tarball that matches its integrity.
func checkCrashNPM(t *testing.T, r *server, token string, acked map[string]map[string][]byte) {
	t.Helper()
	for name, want := range acked {
		code, body := getBearer(t, r.URL+"/crash-"+testAccount+"/npm/store/"+name, token, "application/json")
		if code == http.StatusNotFound && len(want) == 0 {
			continue
		}
		if code != http.StatusOK {
			t.Errorf("%s: %s's document: %d %s", r.URL, name, code, body)
			continue
		}
		var doc struct {
			Versions map[string]struct {
				Dist struct{ Tarball, Integrity string } `json:"dist"`
			} `json:"versions"`
		}
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: %s's document: %v", r.URL, name, err)
		}
		for version := range want {
			if _, ok := doc.Versions[version]; !ok {
				t.Errorf("%s does not list %s@%s, which npm publish acknowledged", r.URL, name, version)
			}
		}
		for version, v := range doc.Versions {
			code, tgz := getBearer(t, v.Dist.Tarball, token, "")
			switch {
			case code != http.StatusOK:
				t.Errorf("%s lists %s@%s, whose tarball answers %d", r.URL, name, version, code)
			case upstreamtest.Integrity(tgz) != v.Dist.Integrity:
				t.Errorf("%s serves a tarball of %s@%s that does not match the integrity it lists", r.URL, name, version)
			case want[version] != nil && string(tgz) != string(want[version]):
				t.Errorf("%s serves a tarball of %s@%s other than the one published", r.URL, name, version)
			}
		}
	}
}

// servedVersions are the versions replica r's npm document of name lists,
// sorted.
func servedVersions(t *testing.T, r *server, token, name string) []string {
	t.Helper()
	code, body := getBearer(t, r.URL+"/crash-"+testAccount+"/npm/store/"+name, token, "application/json")
	if code == http.StatusNotFound {
		return nil
	}
	var doc struct {
		Versions map[string]json.RawMessage `json:"versions"`
	}
	if err := json.Unmarshal(body, &doc); code != http.StatusOK || err != nil {
		t.Fatalf("%s: %s's document: %d %v", r.URL, name, code, err)
	}
	return slices.Sorted(maps.Keys(doc.Versions))
}

// checkCrashPyPI is checkCrashNPM for crash-py's simple page (PEP 691).
func checkCrashPyPI(t *testing.T, r *server, token string, releases map[string]map[string][]byte) {
	t.Helper()
	acked := map[string][]byte{}
	for _, files := range releases {
		maps.Copy(acked, files)
	}
	page := r.URL + "/crash-" + testAccount + "/pypi/store/simple/crash-py/"
	code, body := getBearer(t, page, token, "application/vnd.pypi.simple.v1+json")
	if code == http.StatusNotFound && len(acked) == 0 {
		return
	}
	if code != http.StatusOK {
		t.Errorf("%s: crash-py's simple page: %d %s", r.URL, code, body)
		return
	}
	var doc struct {
		Files []struct {
			Filename, URL string
			Hashes        map[string]string
		}
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%s: crash-py's simple page: %v", r.URL, err)
	}
	listed := map[string]bool{}
	base, _ := url.Parse(page)
	for _, f := range doc.Files {
		listed[f.Filename] = true
		u, err := base.Parse(f.URL)
		if err != nil {
			t.Errorf("%s lists %s at %q: %v", r.URL, f.Filename, f.URL, err)
			continue
		}
		code, b := getBearer(t, u.String(), token, "")
		switch {
		case code != http.StatusOK:
			t.Errorf("%s lists %s, which answers %d", r.URL, f.Filename, code)
		case sha(b) != f.Hashes["sha256"]:
			t.Errorf("%s serves %s with another sha256 than it lists", r.URL, f.Filename)
		case acked[f.Filename] != nil && string(b) != string(acked[f.Filename]):
			t.Errorf("%s serves %s other than the file uploaded", r.URL, f.Filename)
		}
	}
	for n := range acked {
		if !listed[n] {
			t.Errorf("%s does not list %s, which twine uploaded", r.URL, n)
		}
	}
}

// getBearer GETs url with a bearer token and returns the status and body.
func getBearer(t *testing.T, url, token, accept string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, b
}

// lastVersion is the highest "1.0.N" among vs's keys.
func lastVersion[V any](vs map[string]V) string {
	var last string
	n := -1
	for v := range vs {
		var i int
		if _, err := fmt.Sscanf(v, "1.0.%d", &i); err == nil && i > n {
			n, last = i, v
		}
	}
	return last
}
