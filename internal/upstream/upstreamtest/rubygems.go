package upstreamtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// RubyGems is a fake public gem registry: the compact index (versions,
// info/{name}, names) that Bundler and Arca's public:ruby-gems-org
// client read, and the .gem files under gems/. Its gems are real (a tar
// of metadata.gz with a YAML gemspec and data.tar.gz with
// lib/{name}.rb), so gem and Bundler install them, directly or through
// Arca:
//
//	reg := upstreamtest.NewRubyGems(t)
//	reg.Publish(upstreamtest.Gem{Name: "ext-gem", Version: "1.0.0",
//		Dependencies: map[string]string{"other": "~> 2.0"}})
//	cfg.ExternalConnections["public:ruby-gems-org"] = reg.URL
//	reg.Requests("/info/ext-gem"); reg.Requests("/gems/ext-gem-1.0.0.gem")
//	reg.Yank("ext-gem", "1.0.0")    // leaves info; versions gets "-1.0.0"
//	reg.Down(); reg.SetStatus(503); reg.Reset()
//
// The versions file is append-only, as the compact index's is: a line
// per push or yank after the created_at header, each with the MD5 of the
// gem's info file at that moment.
type RubyGems struct {
	// URL is the registry's base URL, http://127.0.0.1:PORT, what a gem
	// source and public:ruby-gems-org are configured with.
	URL string

	server

	mu       sync.Mutex
	gems     []Gem             // in push order, yanked ones removed
	files    map[string][]byte // .gem by file name
	sums     map[string]string // their SHA-256 when published
	versions strings.Builder   // the versions file
}

// Gem is a gem to publish. Platform is "ruby" when empty; Dependencies
// are runtime dependencies, by name, with requirements as a gemspec
// writes them ("~> 1.0", ">= 1, < 2"); RequiredRuby likewise.
type Gem struct {
	Name, Version, Platform string
	Dependencies            map[string]string
	RequiredRuby            string
	Summary                 string
}

// NewRubyGems starts a fake gem registry until the test ends.
func NewRubyGems(t testing.TB) *RubyGems {
	t.Helper()
	r := &RubyGems{files: map[string][]byte{}, sums: map[string]string{}}
	r.URL = r.start(t, "fake gem registry", r.serve, plainError)
	r.versions.WriteString("created_at: 2025-01-01T00:00:00Z\n---\n")
	return r
}

func (g Gem) platform() string {
	if g.Platform == "" {
		return "ruby"
	}
	return g.Platform
}

// FileName is the gem's file name, name-version[-platform].gem.
func (g Gem) FileName() string {
	if g.platform() == "ruby" {
		return g.Name + "-" + g.Version + ".gem"
	}
	return g.Name + "-" + g.Version + "-" + g.platform() + ".gem"
}

// Publish builds g and adds it to the registry.
func (r *RubyGems) Publish(g Gem) {
	b := GemFile(g)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gems = append(r.gems, g)
	r.files[g.FileName()] = b
	sum := sha256.Sum256(b)
	r.sums[g.FileName()] = hex.EncodeToString(sum[:])
	v := g.Version
	if g.platform() != "ruby" {
		v += "-" + g.platform()
	}
	fmt.Fprintf(&r.versions, "%s %s %s\n", g.Name, v, md5Hex(r.info(g.Name)))
}

// Yank removes every platform of a version from the gem's info file and
// appends its removal to the versions file; its files still download.
func (r *RubyGems) Yank(name, version string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kept := r.gems[:0]
	for _, g := range r.gems {
		if g.Name != name || g.Version != version {
			kept = append(kept, g)
		}
	}
	r.gems = kept
	fmt.Fprintf(&r.versions, "%s -%s %s\n", name, version, md5Hex(r.info(name)))
}

// File returns a published .gem's bytes.
func (r *RubyGems) File(name string) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.files[name]
}

// Corrupt makes the registry serve other bytes for a .gem than its info
// file's checksum.
func (r *RubyGems) Corrupt(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files[name] = append(append([]byte(nil), r.files[name]...), 0)
}

// info renders a gem's info file; r.mu is held.
func (r *RubyGems) info(name string) []byte {
	var b strings.Builder
	b.WriteString("---\n")
	for _, g := range r.gems {
		if g.Name != name {
			continue
		}
		b.WriteString(g.Version)
		if g.platform() != "ruby" {
			b.WriteString("-" + g.platform())
		}
		var deps []string
		for _, d := range sortedKeys(g.Dependencies) {
			deps = append(deps, d+":"+strings.ReplaceAll(g.Dependencies[d], ", ", "&"))
		}
		fmt.Fprintf(&b, " %s|checksum:%s", strings.Join(deps, ","), r.sums[g.FileName()])
		if g.RequiredRuby != "" {
			b.WriteString(",ruby:" + strings.ReplaceAll(g.RequiredRuby, ", ", "&"))
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (r *RubyGems) serve(w http.ResponseWriter, req *http.Request) {
	p := req.URL.Path
	r.mu.Lock()
	var body []byte
	found := true
	switch {
	case p == "/versions":
		body = []byte(r.versions.String())
	case p == "/names":
		seen := map[string]bool{}
		var names []string
		for _, g := range r.gems {
			if !seen[g.Name] {
				seen[g.Name] = true
				names = append(names, g.Name)
			}
		}
		sort.Strings(names)
		body = []byte("---\n" + strings.Join(names, "\n") + "\n")
	case strings.HasPrefix(p, "/info/"):
		body = r.info(strings.TrimPrefix(p, "/info/"))
		found = len(body) > len("---\n")
	case strings.HasPrefix(p, "/gems/"):
		body, found = r.files[strings.TrimPrefix(p, "/gems/")]
	default:
		found = false
	}
	r.mu.Unlock()
	if !found {
		http.Error(w, "This gem could not be found", http.StatusNotFound)
		return
	}
	if strings.HasPrefix(p, "/gems/") {
		w.Header().Set("Content-Type", "application/octet-stream")
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("ETag", `"`+md5Hex(body)+`"`)
	}
	http.ServeContent(w, req, "", time.Time{}, bytes.NewReader(body))
}

// GemFile builds a .gem of g as gem build would: a tar of metadata.gz
// (the YAML gemspec) and data.tar.gz (lib/{name}.rb, which sets
// $arca_loaded to "name version").
func GemFile(g Gem) []byte {
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	add := func(tw *tar.Writer, name string, b []byte) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), ModTime: time.Unix(1735689600, 0)})
		tw.Write(b)
	}
	var data bytes.Buffer
	dz := gzip.NewWriter(&data)
	dt := tar.NewWriter(dz)
	add(dt, "lib/"+g.Name+".rb", fmt.Appendf(nil, "$arca_loaded = %q\n", g.Name+" "+g.Version))
	dt.Close()
	dz.Close()
	add(tw, "metadata.gz", gzipped([]byte(gemspecYAML(g))))
	add(tw, "data.tar.gz", data.Bytes())
	tw.Close()
	return out.Bytes()
}

func gzipped(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

// gemRequirementYAML renders a requirement ("~> 1.0, >= 1.0.2") as a
// gemspec's YAML does, indented by indent.
func gemRequirementYAML(req, indent string) string {
	if req == "" {
		req = ">= 0"
	}
	var b strings.Builder
	b.WriteString("!ruby/object:Gem::Requirement\n" + indent + "requirements:\n")
	for _, c := range strings.Split(req, ",") {
		op, v, ok := strings.Cut(strings.TrimSpace(c), " ")
		if !ok {
			op, v = "=", op
		}
		fmt.Fprintf(&b, "%s- - %q\n%s  - !ruby/object:Gem::Version\n%s    version: '%s'\n", indent, op, indent, indent, strings.TrimSpace(v))
	}
	return b.String()
}

func gemspecYAML(g Gem) string {
	summary := g.Summary
	if summary == "" {
		summary = "Gem " + g.Name
	}
	var deps strings.Builder
	for _, d := range sortedKeys(g.Dependencies) {
		fmt.Fprintf(&deps, "- !ruby/object:Gem::Dependency\n  name: %s\n  requirement: %s  type: :runtime\n  prerelease: false\n  version_requirements: %s",
			d, gemRequirementYAML(g.Dependencies[d], "    "), gemRequirementYAML(g.Dependencies[d], "    "))
	}
	depList := "dependencies: []\n"
	if deps.Len() > 0 {
		depList = "dependencies:\n" + deps.String()
	}
	return "--- !ruby/object:Gem::Specification\n" +
		"name: " + g.Name + "\n" +
		"version: !ruby/object:Gem::Version\n  version: '" + g.Version + "'\n" +
		"platform: " + g.platform() + "\n" +
		"authors:\n- Arca tests\nautorequire:\nbindir: bin\ncert_chain: []\n" +
		"date: 2025-01-01 00:00:00.000000000 Z\n" +
		depList +
		"description:\nemail:\nexecutables: []\nextensions: []\nextra_rdoc_files: []\n" +
		"files:\n- lib/" + g.Name + ".rb\n" +
		"homepage:\nlicenses:\n- MIT\nmetadata: {}\npost_install_message:\nrdoc_options: []\n" +
		"require_paths:\n- lib\n" +
		"required_ruby_version: " + gemRequirementYAML(g.RequiredRuby, "  ") +
		"required_rubygems_version: " + gemRequirementYAML("", "  ") +
		"requirements: []\nrubygems_version: 3.3.15\nsigning_key:\nspecification_version: 4\n" +
		"summary: " + summary + "\ntest_files: []\n"
}
