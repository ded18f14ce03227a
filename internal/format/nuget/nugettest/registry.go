package nugettest

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Registry is a fake public NuGet V3 registry: a service index, a
// registration (inlined, or in pages fetched by their @id with Paged),
// catalog entries declaring each package's SHA-512, and a flat container.
//
//	reg := nugettest.NewRegistry(t)
//	reg.Add(nugettest.Spec{ID: "Newtonsoft.Json", Version: "13.0.1"})
//	cfg.ExternalConnections["public:nuget-org"] = reg.IndexURL
//	reg.Requests("/flat/newtonsoft.json/13.0.1/newtonsoft.json.13.0.1.nupkg")
//	reg.SetStatus(503); reg.Corrupt("newtonsoft.json", "13.0.1")
type Registry struct {
	URL, IndexURL string

	status atomic.Int32
	paged  atomic.Bool

	mu       sync.Mutex
	packages map[string][]Spec        // by lower-cased id
	files    map[string][]byte        // flat container path -> bytes
	hashes   map[string]string        // flat container path -> declared SHA-512
	counts   map[string]*atomic.Int64 // requests by path
}

// NewRegistry starts a fake registry until the test ends.
func NewRegistry(t testing.TB) *Registry {
	r := &Registry{packages: map[string][]Spec{}, files: map[string][]byte{}, hashes: map[string]string{},
		counts: map[string]*atomic.Int64{}}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.URL, r.IndexURL = srv.URL, srv.URL+"/v3/index.json"
	return r
}

// Add publishes a package built from s.
func (r *Registry) Add(s Spec) {
	id, ver := strings.ToLower(s.ID), strings.ToLower(s.Version)
	b := Package(s)
	sum := sha512.Sum512(b)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.packages[id] = append(r.packages[id], s)
	path := flatPath(id, ver)
	r.files[path] = b
	r.hashes[path] = base64.StdEncoding.EncodeToString(sum[:])
}

// Corrupt makes the flat container serve other bytes than the catalog
// entry's hash for a version.
func (r *Registry) Corrupt(id, version string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := flatPath(id, version)
	r.files[p] = append(append([]byte(nil), r.files[p]...), 0)
}

// SetStatus makes every request answer status (0 to serve again).
func (r *Registry) SetStatus(status int) { r.status.Store(int32(status)) }

// Paged makes the registration index leave its page out, for the client
// to fetch by its @id.
func (r *Registry) Paged(on bool) { r.paged.Store(on) }

// Requests returns how many requests a path got.
func (r *Registry) Requests(path string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.counts[path]; ok {
		return c.Load()
	}
	return 0
}

// FlatPath is the path of a version's .nupkg in the flat container.
func FlatPath(id, version string) string {
	return flatPath(strings.ToLower(id), strings.ToLower(version))
}

func flatPath(id, ver string) string {
	return "/flat/" + id + "/" + ver + "/" + id + "." + ver + ".nupkg"
}

func (r *Registry) serve(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	c, ok := r.counts[req.URL.Path]
	if !ok {
		c = &atomic.Int64{}
		r.counts[req.URL.Path] = c
	}
	r.mu.Unlock()
	c.Add(1)
	if s := r.status.Load(); s != 0 {
		http.Error(w, "fake registry failure", int(s))
		return
	}
	p := req.URL.Path
	switch {
	case p == "/v3/index.json":
		writeJSON(w, map[string]any{"version": "3.0.0", "resources": []map[string]string{
			{"@id": r.URL + "/flat/", "@type": "PackageBaseAddress/3.0.0"},
			{"@id": r.URL + "/reg/", "@type": "RegistrationsBaseUrl/3.6.0"},
			{"@id": r.URL + "/reg-old/", "@type": "RegistrationsBaseUrl/3.0.0-beta"},
		}})
	case strings.HasPrefix(p, "/reg/") && strings.HasSuffix(p, "/index.json"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/reg/"), "/index.json")
		page, ok := r.page(id)
		if !ok {
			http.NotFound(w, req)
			return
		}
		if r.paged.Load() {
			delete(page, "items")
		}
		writeJSON(w, map[string]any{"count": 1, "items": []any{page}})
	case strings.HasPrefix(p, "/reg/") && strings.HasSuffix(p, "/page.json"):
		page, ok := r.page(strings.TrimSuffix(strings.TrimPrefix(p, "/reg/"), "/page.json"))
		if !ok {
			http.NotFound(w, req)
			return
		}
		writeJSON(w, page)
	case strings.HasPrefix(p, "/catalog/"):
		flat := "/flat/" + strings.TrimSuffix(strings.TrimPrefix(p, "/catalog/"), ".json") + ".nupkg"
		r.mu.Lock()
		h, ok := r.hashes[flat]
		r.mu.Unlock()
		if !ok {
			http.NotFound(w, req)
			return
		}
		writeJSON(w, map[string]string{"packageHash": h, "packageHashAlgorithm": "SHA512"})
	case strings.HasPrefix(p, "/flat/"):
		r.mu.Lock()
		b, ok := r.files[p]
		r.mu.Unlock()
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(b)
	default:
		http.NotFound(w, req)
	}
}

// page renders a package's one registration page.
func (r *Registry) page(id string) (map[string]any, bool) {
	r.mu.Lock()
	specs := append([]Spec(nil), r.packages[id]...)
	r.mu.Unlock()
	if len(specs) == 0 {
		return nil, false
	}
	var items []any
	for _, s := range specs {
		ver := strings.ToLower(s.Version)
		var groups []any
		for _, tf := range sortedKeys(s.Dependencies) {
			var deps []any
			for _, dep := range sortedKeys(s.Dependencies[tf]) {
				deps = append(deps, map[string]string{"id": dep, "range": s.Dependencies[tf][dep]})
			}
			groups = append(groups, map[string]any{"targetFramework": tf, "dependencies": deps})
		}
		desc := s.Description
		if desc == "" {
			desc = "Package " + s.ID
		}
		items = append(items, map[string]any{
			"@id": r.URL + "/reg/" + id + "/" + ver + ".json",
			"catalogEntry": map[string]any{
				"@id": r.URL + "/catalog/" + id + "/" + ver + "/" + id + "." + ver + ".json",
				"id":  s.ID, "version": s.Version, "authors": "Arca tests", "description": desc,
				"licenseExpression": s.License, "projectUrl": s.ProjectURL, "listed": true,
				"published": "2020-01-02T03:04:05.000+00:00", "dependencyGroups": groups, "tags": []string{"fake"},
			},
			"packageContent": r.URL + flatPath(id, ver),
		})
	}
	return map[string]any{"@id": r.URL + "/reg/" + id + "/page.json", "count": len(items), "items": items}, true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
