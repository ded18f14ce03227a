package upstreamtest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestPyPIWheelIsValid(t *testing.T) {
	d := PyPIDist{Name: "Hello_CA", Version: "1.0-1", RequiresDist: []string{"six"}}
	name, data := PyPIWheel(d)
	if name != "Hello_CA-1.0_1-py3-none-any.whl" {
		t.Errorf("wheel name %s", name)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	// RECORD lists every other file with its urlsafe-base64 SHA-256.
	record := string(files["Hello_CA-1.0_1.dist-info/RECORD"])
	for path, body := range files {
		if strings.HasSuffix(path, "/RECORD") {
			continue
		}
		sum := sha256.Sum256(body)
		if !strings.Contains(record, path+",sha256="+base64.RawURLEncoding.EncodeToString(sum[:])+",") {
			t.Errorf("RECORD does not list %s:\n%s", path, record)
		}
	}
	if !bytes.Equal(files["Hello_CA-1.0_1.dist-info/METADATA"], PyPIMetadata(d)) || files["hello_ca/__init__.py"] == nil {
		t.Errorf("files %v", files)
	}
	if _, again := PyPIWheel(d); !bytes.Equal(again, data) {
		t.Error("wheels are not deterministic")
	}
}

func TestPyPIFake(t *testing.T) {
	f := NewPyPI(t)
	f.Publish("Tiny_Lib", PyPIDist{Version: "1.0"})
	get := func(path, accept string) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, f.URL+path, nil)
		req.Header.Set("Accept", accept)
		resp, err := (&http.Transport{}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	if resp, _ := get("/simple/Tiny_Lib/", ""); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/simple/tiny-lib/" {
		t.Errorf("redirect: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body := get("/simple/tiny-lib/", "application/vnd.pypi.simple.v1+json")
	var page struct {
		Files []struct {
			Filename     string
			URL          string
			CoreMetadata any `json:"core-metadata"`
		}
	}
	if err := json.Unmarshal(body, &page); err != nil || len(page.Files) != 2 || resp.Header.Get("Content-Type") != "application/vnd.pypi.simple.v1+json" {
		t.Fatalf("JSON page: %v %s", err, body)
	}
	if _, html := get("/simple/tiny-lib/", "text/html"); !strings.Contains(string(html), `href="../../files/tiny_lib-1.0.tar.gz#sha256=`) {
		t.Errorf("HTML page: %s", html)
	}
	wheel := "Tiny_Lib-1.0-py3-none-any.whl"
	if _, b := get("/files/"+wheel, ""); !bytes.Equal(b, f.File(wheel)) {
		t.Error("file bytes")
	}
	if _, b := get("/files/"+wheel+".metadata", ""); !bytes.Equal(b, PyPIMetadata(PyPIDist{Name: "Tiny_Lib", Version: "1.0"})) {
		t.Error("metadata file")
	}
	if f.Pages("tiny-lib") != 2 || f.Downloads(wheel) != 1 || f.MetadataRequests(wheel) != 1 {
		t.Errorf("counts: %d pages, %d downloads, %d metadata", f.Pages("tiny-lib"), f.Downloads(wheel), f.MetadataRequests(wheel))
	}
	f.Down()
	if _, err := http.Get(f.IndexURL); err == nil {
		t.Error("down, but answering")
	}
	f.Up()
	f.SetStatus(503)
	if resp, _ := get("/simple/tiny-lib/", ""); resp.StatusCode != 503 {
		t.Errorf("status %d", resp.StatusCode)
	}
}
