package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// cargoUser is a user whose cargo has its own CARGO_HOME (rustup keeps
// the real one).
func cargoUser(t *testing.T, s *server) (*arcaUser, string) {
	t.Helper()
	cargo := tool(t, "cargo")
	rustupHome := os.Getenv("RUSTUP_HOME")
	if rustupHome == "" {
		if h, err := os.UserHomeDir(); err == nil {
			rustupHome = filepath.Join(h, ".rustup")
		}
	}
	u := newArcaUser(t, s)
	u.env = append(u.without("CARGO_HOME", "RUSTUP_HOME", "CARGO_TARGET_DIR", "CARGO_REGISTRIES_CRATES_IO_PROTOCOL"),
		"CARGO_HOME="+filepath.Join(u.Home, ".cargo"), "RUSTUP_HOME="+rustupHome, "CARGO_TERM_COLOR=never", "CARGO_NET_RETRY=0")
	return u, cargo
}

// writeCrate writes a crate's Cargo.toml and source and returns its
// directory.
func (u *arcaUser) writeCrate(t testing.TB, name, manifest, file, source string) string {
	t.Helper()
	d := u.dir(t, name)
	os.MkdirAll(filepath.Join(d, "src"), 0o755)
	if err := os.WriteFile(filepath.Join(d, "Cargo.toml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "src", file), []byte(source), 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCargo: after `arca login --tool cargo`, real cargo publishes a
// crate to Arca, builds a crate depending on it through the sparse
// index, yanks and unyanks it (the control plane shows Unlisted, then
// Published), and is refused, with the registry's error shown, a
// publish under another spelling of the name and a version that exists.
func TestCargo(t *testing.T) {
	t.Parallel()
	s := arcaFixture(t)
	u, cargo := cargoUser(t, s)
	aws := newCLI(t, s)

	r := u.arcaOK(t, loginArgs(s, "cargo")...)
	config, _ := os.ReadFile(filepath.Join(u.Home, ".cargo", "config.toml"))
	if !strings.Contains(string(config), "[registries.my-repo]") || !strings.Contains(string(config), "sparse+"+endpointOf(s, "cargo")) {
		t.Fatalf("login wrote\n%s\n%s", config, r)
	}

	lib := u.writeCrate(t, "ca-lib",
		"[package]\nname = \"ca-lib\"\nversion = \"0.1.0\"\nedition = \"2021\"\ndescription = \"a test crate\"\nlicense = \"MIT\"\nrepository = \"https://example.invalid/ca-lib\"\n",
		"lib.rs", "pub fn hello() -> &'static str { \"hello from ca-lib 0.1.0\" }\n")
	u.ok(t, lib, cargo, "publish", "--registry", "my-repo", "--allow-dirty", "--no-verify")

	app := u.writeCrate(t, "ca-app",
		"[package]\nname = \"ca-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nca-lib = { version = \"0.1\", registry = \"my-repo\" }\n",
		"main.rs", "fn main() { println!(\"{}\", ca_lib::hello()); }\n")
	out := u.ok(t, app, cargo, "run", "-q")
	if strings.TrimSpace(out.Stdout) != "hello from ca-lib 0.1.0" {
		t.Fatalf("cargo run printed %q", out.Stdout)
	}

	status := func() string {
		t.Helper()
		vs := list(t, aws.OK(t, "list-package-versions", "--domain", "my-domain", "--repository", "my-repo", "--format", "cargo", "--package", "ca-lib", "--status", "Unlisted"), "versions")
		if len(vs) == 1 {
			return "Unlisted"
		}
		vs = list(t, aws.OK(t, "list-package-versions", "--domain", "my-domain", "--repository", "my-repo", "--format", "cargo", "--package", "ca-lib"), "versions")
		if len(vs) != 1 {
			t.Fatalf("versions of ca-lib: %v", vs)
		}
		return str(t, vs[0].(map[string]any), "status")
	}
	if st := status(); st != "Published" {
		t.Fatalf("after publish: %s", st)
	}
	desc := obj(t, aws.OK(t, "describe-package-version", "--domain", "my-domain", "--repository", "my-repo", "--format", "cargo", "--package", "ca-lib", "--package-version", "0.1.0"), "packageVersion")
	want(t, "description", desc, "summary", "a test crate")
	want(t, "repository", desc, "sourceCodeRepository", "https://example.invalid/ca-lib")
	assets := list(t, aws.OK(t, "list-package-version-assets", "--domain", "my-domain", "--repository", "my-repo", "--format", "cargo", "--package", "ca-lib", "--package-version", "0.1.0"), "assets")
	if len(assets) != 1 || str(t, assets[0].(map[string]any), "name") != "ca-lib-0.1.0.crate" {
		t.Errorf("assets: %v", assets)
	}

	// Yanked: Unlisted, still built from the lockfile; unyanked: Published.
	u.ok(t, lib, cargo, "yank", "--registry", "my-repo", "ca-lib@0.1.0")
	if st := status(); st != "Unlisted" {
		t.Errorf("after yank: %s", st)
	}
	os.RemoveAll(filepath.Join(app, "target"))
	u.ok(t, app, cargo, "build")
	u.ok(t, lib, cargo, "yank", "--registry", "my-repo", "--undo", "ca-lib@0.1.0")
	if st := status(); st != "Published" {
		t.Errorf("after unyank: %s", st)
	}

	// Refused publishes: cargo shows the registry's detail.
	// (cargo itself refuses a version the index has, build metadata
	// ignored; TestCargoBadInput sends one past it.)
	r = u.in(t, lib, cargo, "publish", "--registry", "my-repo", "--allow-dirty", "--no-verify")
	if r.Code == 0 || !strings.Contains(r.Stderr, "already exists") {
		t.Errorf("publishing 0.1.0 again\n%s", r)
	}
	other := u.writeCrate(t, "ca_lib",
		"[package]\nname = \"ca_lib\"\nversion = \"0.2.0\"\nedition = \"2021\"\ndescription = \"x\"\nlicense = \"MIT\"\n",
		"lib.rs", "pub fn f() {}\n")
	r = u.in(t, other, cargo, "publish", "--registry", "my-repo", "--allow-dirty", "--no-verify")
	if r.Code == 0 || !strings.Contains(r.Stderr, "already published as ca-lib") {
		t.Errorf("publishing ca_lib beside ca-lib\n%s", r)
	}
	if vs := list(t, aws.OK(t, "list-package-versions", "--domain", "my-domain", "--repository", "my-repo", "--format", "cargo", "--package", "ca-lib"), "versions"); len(vs) != 1 {
		t.Errorf("versions after refused publishes: %v", vs)
	}
}

// TestCargoBadInput: malformed publish bodies, collisions and unsupported
// commands get cargo's error shape and change nothing; an anonymous
// request gets cargo's challenge; yanks and the control plane's status
// changes show in the index.
func TestCargoBadInput(t *testing.T) {
	t.Parallel()
	s := arcaFixture(t)
	aws := newCLI(t, s)
	tok := str(t, aws.OK(t, "get-authorization-token", "--domain", "my-domain"), "authorizationToken")
	ep := endpointOf(s, "cargo")
	do := func(method, path, auth string, body []byte) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest(method, ep+path, bytes.NewReader(body))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := s.httpClient(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	code, h, _ := do("GET", "config.json", "", nil)
	if code != 401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Cargo login_url=") {
		t.Errorf("anonymous config.json: %d %q", code, h.Get("WWW-Authenticate"))
	}
	code, _, body := do("GET", "config.json", tok, nil)
	var cfg map[string]any
	if code != 200 || json.Unmarshal([]byte(body), &cfg) != nil || cfg["auth-required"] != true {
		t.Errorf("config.json: %d %s", code, body)
	}

	frame := func(meta string, crate []byte) []byte {
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, uint32(len(meta)))
		b.WriteString(meta)
		binary.Write(&b, binary.LittleEndian, uint32(len(crate)))
		b.Write(crate)
		return b.Bytes()
	}
	meta := `{"name":"bad-crate","vers":"1.0.0","deps":[],"features":{}}`
	for what, body := range map[string][]byte{
		"empty":            nil,
		"short length":     {1, 0},
		"length past end":  {0xff, 0, 0, 0, '{'},
		"not JSON":         frame("nope", crateFile(t, "bad-crate", "1.0.0")),
		"bad name":         frame(`{"name":"../x","vers":"1.0.0"}`, crateFile(t, "bad-crate", "1.0.0")),
		"bad version":      frame(`{"name":"bad-crate","vers":"1.0"}`, crateFile(t, "bad-crate", "1.0.0")),
		"not gzip":         frame(meta, []byte("plain text")),
		"wrong top folder": frame(meta, crateFile(t, "other", "1.0.0")),
		"trailing bytes":   append(frame(meta, crateFile(t, "bad-crate", "1.0.0")), 'x'),
	} {
		code, _, resp := do("PUT", "api/v1/crates/new", tok, body)
		var e struct{ Errors []struct{ Detail string } }
		if code != 400 || json.Unmarshal([]byte(resp), &e) != nil || len(e.Errors) != 1 || e.Errors[0].Detail == "" {
			t.Errorf("%s: %d %s", what, code, resp)
		}
	}
	// A good publish, then the same version with other build metadata
	// and the same crate under another spelling: 409, with cargo's shape.
	code, _, resp := do("PUT", "api/v1/crates/new", tok, frame(`{"name":"good-crate","vers":"1.0.0","deps":[],"features":{}}`, crateFile(t, "good-crate", "1.0.0")))
	if code != 200 || !strings.Contains(resp, "warnings") {
		t.Fatalf("publish: %d %s", code, resp)
	}
	for what, body := range map[string][]byte{
		"build metadata": frame(`{"name":"good-crate","vers":"1.0.0+b"}`, crateFile(t, "good-crate", "1.0.0+b")),
		"spelling":       frame(`{"name":"Good_crate","vers":"2.0.0"}`, crateFile(t, "Good_crate", "2.0.0")),
	} {
		code, _, resp := do("PUT", "api/v1/crates/new", tok, body)
		if code != 409 || !strings.Contains(resp, `{"errors":[{"detail":"crate `) {
			t.Errorf("%s: %d %s", what, code, resp)
		}
	}
	code, _, resp = do("GET", "go/od/good-crate", tok, nil)
	if code != 200 || strings.Count(resp, "\n") != 1 || !strings.Contains(resp, `"vers":"1.0.0"`) {
		t.Errorf("index after refused publishes: %d %s", code, resp)
	}

	// A yank (Unlisted) shows in the index and keeps the download; the
	// control plane's status change shows in the index too.
	yanked := func(want string) {
		t.Helper()
		code, _, resp := do("GET", "go/od/good-crate", tok, nil)
		if code != 200 || !strings.Contains(resp, `"yanked":`+want) {
			t.Errorf("index, want yanked %s: %d %s", want, code, resp)
		}
	}
	if code, _, resp := do("DELETE", "api/v1/crates/good-crate/1.0.0/yank", tok, nil); code != 200 || strings.TrimSpace(resp) != `{"ok":true}` {
		t.Errorf("yank: %d %s", code, resp)
	}
	yanked("true")
	if code, _, _ := do("GET", "api/v1/crates/good-crate/1.0.0/download", tok, nil); code != 200 {
		t.Errorf("download of a yanked version: %d", code)
	}
	aws.OK(t, "update-package-versions-status", "--domain", "my-domain", "--repository", "my-repo", "--format", "cargo",
		"--package", "good-crate", "--versions", "1.0.0", "--target-status", "Published")
	yanked("false")

	code, _, resp = do("GET", "ba/d-/bad-crate", tok, nil)
	if code != 404 || !strings.Contains(resp, `"errors"`) {
		t.Errorf("index of a crate nobody published: %d %s", code, resp)
	}
	for _, path := range []string{"api/v1/crates?q=x", "api/v1/crates/bad-crate/owners"} {
		code, _, resp := do("GET", path, tok, nil)
		if code != 400 || !strings.Contains(resp, "not supported") {
			t.Errorf("%s: %d %s", path, code, resp)
		}
	}
	code, _, resp = do("DELETE", "api/v1/crates/bad-crate/1.0.0/yank", tok, nil)
	if code != 404 || !strings.Contains(resp, `"errors"`) {
		t.Errorf("yank of a crate nobody published: %d %s", code, resp)
	}
	if pkgs := list(t, aws.OK(t, "list-packages", "--domain", "my-domain", "--repository", "my-repo"), "packages"); len(pkgs) != 1 {
		t.Errorf("packages after bad input: %v", pkgs)
	}
}

// TestCargoExec: without a login, `arca exec --tool cargo -- cargo ...`
// gives cargo the registry and a token in its environment: cargo
// publishes and builds against it, and no cargo config is written.
func TestCargoExec(t *testing.T) {
	t.Parallel()
	s := arcaFixture(t)
	u, cargo := cargoUser(t, s)
	execArgs := func(args ...string) []string {
		return append([]string{"exec", "--tool", "cargo", "--endpoint-url", s.URL, "--domain", "my-domain", "--repository", "my-repo", "--", cargo}, args...)
	}
	lib := u.writeCrate(t, "exec-lib",
		"[package]\nname = \"exec-lib\"\nversion = \"1.2.3\"\nedition = \"2021\"\ndescription = \"x\"\nlicense = \"MIT\"\n",
		"lib.rs", "pub fn v() -> &'static str { \"exec-lib 1.2.3\" }\n")
	if r := runProgram(t, u.env, lib, arcaBin, execArgs("publish", "--registry", "my-repo", "--allow-dirty", "--no-verify")...); r.Code != 0 {
		t.Fatalf("arca exec cargo publish\n%s", r)
	}
	app := u.writeCrate(t, "exec-app",
		"[package]\nname = \"exec-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nexec-lib = { version = \"1\", registry = \"my-repo\" }\n",
		"main.rs", "fn main() { println!(\"{}\", exec_lib::v()); }\n")
	r := runProgram(t, u.env, app, arcaBin, execArgs("run", "-q")...)
	if r.Code != 0 || strings.TrimSpace(r.Stdout) != "exec-lib 1.2.3" {
		t.Fatalf("arca exec cargo run\n%s", r)
	}
	if _, err := os.Stat(filepath.Join(u.Home, ".cargo", "config.toml")); !os.IsNotExist(err) {
		t.Errorf("arca exec wrote ~/.cargo/config.toml (%v)", err)
	}
}

// TestCargoExternalConnection: with crates-io replaced by the repository
// (`arca login --tool cargo --mirror`), cargo builds a crate depending on
// a crate only the public registry behind public:crates-io has: Arca
// reads the fake registry's index and its config.json, downloads the
// .crate from the other host its dl template names, checks its checksum
// and keeps the version (the control plane lists it).
func TestCargoExternalConnection(t *testing.T) {
	t.Parallel()
	crate := crateFile(t, "ext_crate", "1.4.0")
	sum := sha256.Sum256(crate)
	var downloads atomic.Int32
	dl := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/crates/ext_crate/ext_crate-1.4.0.crate" {
			http.NotFound(w, r)
			return
		}
		downloads.Add(1)
		w.Write(crate)
	}))
	t.Cleanup(dl.Close)
	index := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/index/config.json":
			io.WriteString(w, `{"dl":"`+dl.URL+`/crates/{crate}/{crate}-{version}.crate"}`)
		case "/index/ex/t_/ext_crate":
			io.WriteString(w, `{"name":"ext_crate","vers":"1.3.0","deps":[],"cksum":"`+strings.Repeat("0", 64)+`","features":{},"yanked":true}`+"\n")
			io.WriteString(w, `{"name":"ext_crate","vers":"1.4.0","deps":[],"cksum":"`+hex.EncodeToString(sum[:])+`","features":{},"yanked":false,"v":1}`+"\n")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(index.Close)

	s := startServer(t, "--external-connection", "public:crates-io="+index.URL+"/index/", "--upstream-timeout", "5s")
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
	aws.OK(t, "associate-external-connection", "--domain", "my-domain", "--repository", "my-repo", "--external-connection", "public:crates-io")
	u, cargo := cargoUser(t, s)
	u.arcaOK(t, loginArgs(s, "cargo", "--mirror")...)

	app := u.writeCrate(t, "ext-app",
		"[package]\nname = \"ext-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\next_crate = \"1\"\n",
		"main.rs", "fn main() { println!(\"{}\", ext_crate::hello()); }\n")
	r := u.ok(t, app, cargo, "run", "-q")
	if strings.TrimSpace(r.Stdout) != "ext_crate" {
		t.Fatalf("cargo run printed %q", r.Stdout)
	}
	lock, _ := os.ReadFile(filepath.Join(app, "Cargo.lock"))
	if !strings.Contains(string(lock), "name = \"ext_crate\"\nversion = \"1.4.0\"") {
		t.Errorf("Cargo.lock:\n%s", lock)
	}
	if downloads.Load() != 1 {
		t.Errorf("%d downloads from the registry, want 1", downloads.Load())
	}
	vs := list(t, aws.OK(t, "list-package-versions", "--domain", "my-domain", "--repository", "my-repo", "--format", "cargo", "--package", "ext_crate"), "versions")
	if len(vs) != 1 || str(t, vs[0].(map[string]any), "version") != "1.4.0" {
		t.Errorf("versions kept: %v", vs)
	}
}
