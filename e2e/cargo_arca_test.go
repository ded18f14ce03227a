package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
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
	"sync"
	"testing"

	cargofmt "github.com/arcahq/arca/internal/format/cargo"
)

// fakeCargoRegistry is a sparse cargo registry that requires
// authentication (docs/CLIENTS.md §4.7) and records the Authorization header
// of every request: it lets the test run real cargo against the
// credential provider that login configures, and see each token cargo
// sends.
type fakeCargoRegistry struct {
	srv   *httptest.Server
	mu    sync.Mutex
	index map[string][]string // crate name -> index lines
	files map[string][]byte   // "name/version" -> .crate
	auth  []string            // Authorization of each authenticated request
	paths []string
}

func newFakeCargoRegistry(t testing.TB) *fakeCargoRegistry {
	t.Helper()
	f := &fakeCargoRegistry{index: map[string][]string{}, files: map[string][]byte{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// add puts a crate version in the index and its file in the store.
func (f *fakeCargoRegistry) add(name, vers string, crate []byte) {
	sum := sha256.Sum256(crate)
	line, _ := json.Marshal(map[string]any{"name": name, "vers": vers, "deps": []any{}, "cksum": hex.EncodeToString(sum[:]), "features": map[string]any{}, "yanked": false})
	f.mu.Lock()
	defer f.mu.Unlock()
	f.index[name] = append(f.index[name], string(line))
	f.files[name+"/"+vers] = crate
}

func (f *fakeCargoRegistry) serve(w http.ResponseWriter, r *http.Request) {
	authz := r.Header.Get("Authorization")
	if authz == "" {
		w.Header().Set("WWW-Authenticate", `Cargo login_url="`+f.srv.URL+`/login"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	f.auth = append(f.auth, authz)
	f.paths = append(f.paths, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/")
	switch {
	case p == "config.json":
		json.NewEncoder(w).Encode(map[string]any{"dl": f.srv.URL + "/api/v1/crates", "api": f.srv.URL, "auth-required": true})
	case r.Method == http.MethodPut && p == "api/v1/crates/new":
		body, _ := io.ReadAll(r.Body)
		if len(body) < 8 {
			http.Error(w, "short body", http.StatusBadRequest)
			return
		}
		jl := binary.LittleEndian.Uint32(body)
		var meta struct{ Name, Vers string }
		json.Unmarshal(body[4:4+jl], &meta)
		rest := body[4+jl:]
		cl := binary.LittleEndian.Uint32(rest)
		f.add(meta.Name, meta.Vers, rest[4:4+cl])
		w.Write([]byte(`{"warnings":{"invalid_categories":[],"invalid_badges":[],"other":[]}}`))
	case strings.HasPrefix(p, "api/v1/crates/") && strings.HasSuffix(p, "/download"):
		parts := strings.Split(p, "/") // api v1 crates NAME VERSION download
		f.mu.Lock()
		b, ok := f.files[parts[3]+"/"+parts[4]]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	default:
		f.mu.Lock()
		var lines []string
		for name, l := range f.index {
			if cargofmt.IndexPath(name) == p {
				lines = l
			}
		}
		f.mu.Unlock()
		if lines == nil {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, strings.Join(lines, "\n")+"\n")
	}
}

// seen returns the Authorization headers and paths received so far.
func (f *fakeCargoRegistry) seen() ([]string, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string{}, f.auth...), append([]string{}, f.paths...)
}

// crateFile builds a .crate: a gzipped tar of NAME-VERSION/ with a
// manifest and a library.
func crateFile(t testing.TB, name, vers string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for p, c := range map[string]string{
		"Cargo.toml": "[package]\nname = \"" + name + "\"\nversion = \"" + vers + "\"\nedition = \"2021\"\n",
		"src/lib.rs": "pub fn hello() -> &'static str { \"" + name + "\" }\n",
	} {
		if err := tw.WriteHeader(&tar.Header{Name: name + "-" + vers + "/" + p, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(c))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// TestArcaCargoCredentialProvider: `arca login --tool cargo` writes a
// registry whose credential provider is arca; real cargo, pointed at a
// fake sparse registry with that same credential provider, builds against
// it and publishes to it, sending the token arca provides on every
// request, and a new one once the first has expired.
func TestArcaCargoCredentialProvider(t *testing.T) {
	t.Parallel()
	cargo := tool(t, "cargo")
	rustupHome := os.Getenv("RUSTUP_HOME")
	if rustupHome == "" {
		if h, err := os.UserHomeDir(); err == nil {
			rustupHome = filepath.Join(h, ".rustup")
		}
	}
	s := arcaFixture(t)
	u := newArcaUser(t, s)
	cargoHome := filepath.Join(u.Home, ".cargo")
	u.env = append(u.without("CARGO_HOME", "RUSTUP_HOME", "CARGO_TARGET_DIR", "CARGO_REGISTRIES_CRATES_IO_PROTOCOL"),
		"CARGO_HOME="+cargoHome, "RUSTUP_HOME="+rustupHome, "CARGO_TERM_COLOR=never", "CARGO_NET_RETRY=0")

	// The credential provider login writes (see the tools package's
	// tests) for the fake registry.
	fake := newFakeCargoRegistry(t)
	fake.add("hello-ca-crate", "0.1.0", crateFile(t, "hello-ca-crate", "0.1.0"))
	provider := `credential-provider = ["` + arcaBin + `", "credential", "--endpoint-url", "` + s.URL + `", "--domain", "my-domain", "--domain-owner", "` + s.Account + `"]`
	config := "[registries.fake]\nindex = \"sparse+" + fake.srv.URL + "/\"\n" + provider + "\n"
	os.MkdirAll(cargoHome, 0o755)
	if err := os.WriteFile(filepath.Join(cargoHome, "config.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}

	// cargo build with a dependency from the registry.
	app := u.dir(t, "cargo-app")
	os.MkdirAll(filepath.Join(app, "src"), 0o755)
	os.WriteFile(filepath.Join(app, "Cargo.toml"), []byte("[package]\nname = \"cargo-app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nhello-ca-crate = { version = \"0.1\", registry = \"fake\" }\n"), 0o644)
	os.WriteFile(filepath.Join(app, "src", "main.rs"), []byte("fn main() { println!(\"{}\", hello_ca_crate::hello()); }\n"), 0o644)
	u.ok(t, app, cargo, "build")

	// cargo publish to it.
	lib := u.dir(t, "pub-crate")
	os.MkdirAll(filepath.Join(lib, "src"), 0o755)
	os.WriteFile(filepath.Join(lib, "Cargo.toml"), []byte("[package]\nname = \"pub-crate\"\nversion = \"0.2.0\"\nedition = \"2021\"\ndescription = \"test crate\"\nlicense = \"MIT\"\n"), 0o644)
	os.WriteFile(filepath.Join(lib, "src", "lib.rs"), []byte("pub fn f() {}\n"), 0o644)
	u.ok(t, lib, cargo, "publish", "--registry", "fake", "--allow-dirty", "--no-verify")

	token := cachedToken(t, u.Home)
	whoami(t, endpointOf(s, "npm"), token, 200)
	auth, paths := fake.seen()
	want := map[string]bool{"GET /config.json": false, "GET /he/ll/hello-ca-crate": false, "GET /api/v1/crates/hello-ca-crate/0.1.0/download": false, "PUT /api/v1/crates/new": false}
	for i, a := range auth {
		if a != token {
			t.Errorf("%s: Authorization %.30q..., want the token arca provides", paths[i], a)
		}
		if _, ok := want[paths[i]]; ok {
			want[paths[i]] = true
		}
	}
	for p, ok := range want {
		if !ok {
			t.Errorf("cargo sent no authenticated %s (requests: %v)", p, paths)
		}
	}

	// Past the first token's lifetime, cargo gets a new one from arca.
	expireCache(t, u.Home)
	n := len(auth)
	u.ok(t, app, cargo, "update")
	fresh := cachedToken(t, u.Home)
	if fresh == "arca-e2e-expired-token" {
		t.Fatal("the expired token is still cached")
	}
	whoami(t, endpointOf(s, "npm"), fresh, 200)
	auth, paths = fake.seen()
	if len(auth) == n {
		t.Fatal("cargo update made no authenticated request")
	}
	for i, a := range auth[n:] {
		if a != fresh {
			t.Errorf("after expiry, %s: Authorization %.30q..., want the new token", paths[n+i], a)
		}
	}
}
