package upstreamtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func get(t *testing.T, url string) (int, []byte, error) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(url)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func TestNPMServesDocumentsAndTarballs(t *testing.T) {
	f := NewNPM(t)
	if vs := f.AddPackage("left-pad", 3); len(vs) != 3 || vs[2] != "1.2.0" {
		t.Fatalf("versions %v", vs)
	}
	f.Publish("@acme/util", Version{Version: "2.0.0", Dependencies: map[string]string{"left-pad": "^1.0.0"}})
	f.SetTag("left-pad", "old", "1.0.0")

	for _, path := range []string{"/@acme%2futil", "/@acme%2Futil", "/@acme/util"} {
		if status, _, err := get(t, f.URL+path); err != nil || status != 200 {
			t.Errorf("GET %s: %d %v", path, status, err)
		}
	}
	if n := f.Packuments("@acme/util"); n != 3 {
		t.Errorf("scoped document requests counted %d, want 3 (however the slash is written)", n)
	}

	status, body, err := get(t, f.URL+"/left-pad")
	if err != nil || status != 200 {
		t.Fatal(status, err)
	}
	var doc struct {
		DistTags map[string]string `json:"dist-tags"`
		Versions map[string]struct {
			Dist struct{ Tarball, Shasum, Integrity string } `json:"dist"`
		} `json:"versions"`
		Time map[string]string `json:"time"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.DistTags["latest"] != "1.2.0" || doc.DistTags["old"] != "1.0.0" || len(doc.Versions) != 3 || doc.Time["1.1.0"] == "" {
		t.Errorf("document %s", body)
	}
	dist := doc.Versions["1.1.0"].Dist
	status, tgz, err := get(t, dist.Tarball)
	if err != nil || status != 200 || !bytes.Equal(tgz, f.Tarball("left-pad", "1.1.0")) {
		t.Fatalf("tarball: %d %v", status, err)
	}
	sum := sha1.Sum(tgz)
	if dist.Shasum != hex.EncodeToString(sum[:]) || dist.Integrity != Integrity(tgz) {
		t.Errorf("dist %+v does not describe the tarball", dist)
	}
	if f.Tarballs("left-pad", "1.1.0") != 1 || f.Total() != 5 {
		t.Errorf("counts: tarball %d, total %d", f.Tarballs("left-pad", "1.1.0"), f.Total())
	}
	// The tarball holds package/package.json.
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
	if len(names) != 2 || names[0] != "package/index.js" || names[1] != "package/package.json" {
		t.Errorf("tarball entries %v", names)
	}

	// Revalidation.
	req, _ := http.NewRequest(http.MethodGet, f.URL+"/left-pad", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()

	if status, _, _ := get(t, f.URL+"/nope"); status != 404 {
		t.Errorf("a missing package: %d", status)
	}
}

func TestNPMFailureModes(t *testing.T) {
	f := NewNPM(t)
	f.AddPackage("left-pad", 1)
	f.SetStatus(http.StatusServiceUnavailable)
	if status, _, _ := get(t, f.URL+"/left-pad"); status != 503 {
		t.Errorf("SetStatus(503): %d", status)
	}
	f.SetStatus(0)
	f.SetDelay(300 * time.Millisecond)
	start := time.Now()
	if status, _, _ := get(t, f.URL+"/left-pad"); status != 200 || time.Since(start) < 300*time.Millisecond {
		t.Errorf("SetDelay: %d after %v", status, time.Since(start))
	}
	f.SetDelay(0)
	f.Down()
	if _, _, err := get(t, f.URL+"/left-pad"); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Down: %v, want connection refused", err)
	}
	f.Up()
	if status, _, err := get(t, f.URL+"/left-pad"); status != 200 {
		t.Errorf("Up: %d %v", status, err)
	}
	f.Corrupt("left-pad", "1.0.0")
	if _, b, _ := get(t, f.URL+f.TarballPath("left-pad", "1.0.0")); bytes.Equal(b, f.Tarball("left-pad", "1.0.0")) {
		t.Error("Corrupt served the published bytes")
	}
	if f.Packuments("left-pad") != 3 {
		t.Errorf("counted %d document requests, want 3 (none while down)", f.Packuments("left-pad"))
	}
}

// The real npm client installs from the fake (skipped without npm).
func TestRealNPMInstallsFromTheFake(t *testing.T) {
	if testing.Short() {
		t.Skip("runs npm")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not installed")
	}
	f := NewNPM(t)
	f.AddPackage("left-pad", 2)
	f.Publish("@acme/util", Version{Version: "1.0.0", Dependencies: map[string]string{"left-pad": "^1.0.0"}})
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"app","version":"1.0.0","private":true}`), 0o644)
	cmd := exec.CommandContext(t.Context(), "npm", "install", "--no-audit", "--no-fund", "--registry", f.URL+"/",
		"--cache", filepath.Join(dir, ".npm-cache"), "--userconfig", filepath.Join(dir, ".npmrc"), "@acme/util")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm install: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", "left-pad", "index.js"))
	if err != nil || !bytes.Contains(b, []byte("left-pad@1.1.0")) {
		t.Errorf("node_modules/left-pad/index.js: %s %v", b, err)
	}
	if f.Tarballs("left-pad", "1.1.0") != 1 || f.Tarballs("@acme/util", "1.0.0") != 1 {
		t.Errorf("tarball requests %d %d", f.Tarballs("left-pad", "1.1.0"), f.Tarballs("@acme/util", "1.0.0"))
	}
}
