package format

import (
	"fmt"
	"sort"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream"
)

// Registry is the set of formats a server knows, built from their Rules
// in one place (internal/server). The catalog, the resolver and the
// control plane each declare the few of its methods they use; the
// methods that take a format answer for a format the registry does not
// know with the defaults of Basic.
type Registry struct {
	rules       map[artifact.Format]Rules
	order       []artifact.Format
	connections map[string]artifact.Format // external connection name -> format
}

// NewRegistry returns the registry of rules. Two formats of one name, or
// two formats claiming one external connection, are a programming error.
func NewRegistry(rules ...Rules) *Registry {
	r := &Registry{rules: map[artifact.Format]Rules{}, connections: map[string]artifact.Format{}}
	for _, fr := range rules {
		f := fr.Format()
		if _, dup := r.rules[f]; dup {
			panic(fmt.Sprintf("format %s registered twice", f))
		}
		r.rules[f] = fr
		r.order = append(r.order, f)
		for _, name := range fr.Connections() {
			if other, dup := r.connections[name]; dup {
				panic(fmt.Sprintf("external connection %s claimed by %s and %s", name, other, f))
			}
			r.connections[name] = f
		}
	}
	return r
}

// Rules returns the rules of format f; Basic{Name: f} when f is unknown.
func (r *Registry) Rules(f artifact.Format) Rules {
	if fr, ok := r.rules[f]; ok {
		return fr
	}
	return Basic{Name: f}
}

// Known reports whether f is one of the registry's formats.
func (r *Registry) Known(f artifact.Format) bool {
	_, ok := r.rules[f]
	return ok
}

// Normalize returns ref as its format keys packages (Rules.Normalize).
func (r *Registry) Normalize(ref artifact.PackageRef) artifact.PackageRef {
	return r.Rules(ref.Format).Normalize(ref)
}

// NormalizeVersion returns v as format f keys versions.
func (r *Registry) NormalizeVersion(f artifact.Format, v string) string {
	return r.Rules(f).NormalizeVersion(v)
}

// CompareVersions orders two versions of a package of format f.
func (r *Registry) CompareVersions(f artifact.Format, a, b string) int {
	return r.Rules(f).CompareVersions(a, b)
}

// NamespaceRequired reports whether every package of format f has a
// namespace.
func (r *Registry) NamespaceRequired(f artifact.Format) bool { return r.Rules(f).NamespaceRequired() }

// Display names ref in messages as its format does (Rules.Display).
func (r *Registry) Display(ref artifact.PackageRef) string { return r.Rules(ref.Format).Display(ref) }

// HasNamespace reports whether packages of format f can have a
// namespace.
func (r *Registry) HasNamespace(f artifact.Format) bool { return r.Rules(f).HasNamespace() }

// LatestTag is format f's tag naming the default display version, or "".
func (r *Registry) LatestTag(f artifact.Format) string { return r.Rules(f).LatestTag() }

// PublishedByAPI reports whether PublishPackageVersion publishes
// packages of format f.
func (r *Registry) PublishedByAPI(f artifact.Format) bool { return r.Rules(f).PublishedByAPI() }

// SourceURLs returns the declared source URLs of a version of format f
// (SourceIndexed), or nil when the format indexes none.
func (r *Registry) SourceURLs(f artifact.Format) func(artifact.Meta) []string {
	if s, ok := r.rules[f].(SourceIndexed); ok {
		return s.SourceURLs
	}
	return nil
}

// Served returns, sorted, the formats whose packages the server serves:
// those with a repository endpoint (Surface) and those the control plane
// publishes (PublishedByAPI, generic). The others are known but have
// nothing to serve yet.
func (r *Registry) Served() []string {
	var out []string
	for _, f := range r.order {
		_, surface := r.rules[f].(Surface)
		if surface || r.rules[f].PublishedByAPI() {
			out = append(out, string(f))
		}
	}
	sort.Strings(out)
	return out
}

// ConnectionFormat returns the format of the named external connection,
// and false when no format serves a connection of that name.
func (r *Registry) ConnectionFormat(name string) (artifact.Format, bool) {
	f, ok := r.connections[name]
	return f, ok
}

// ConnectionNames returns every external connection name, sorted.
func (r *Registry) ConnectionNames() []string {
	names := make([]string, 0, len(r.connections))
	for n := range r.connections {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Surfaces builds the repository endpoint surface of every format, by
// name: the format's own (Surface) or, for a format without one, Plain.
func (r *Registry) Surfaces(d Deps) map[string]endpoint.Format {
	out := make(map[string]endpoint.Format, len(r.order))
	for _, f := range r.order {
		if s, ok := r.rules[f].(Surface); ok {
			out[string(f)] = s.Surface(d)
		} else {
			out[string(f)] = Plain{Name: string(f), Scheme: "Basic", Log: d.Log}
		}
	}
	return out
}

// Connect builds the registry clients of the configured external
// connections (name -> URL) from base, which each gets with its URL and
// Connection set. A connection whose format has no client (Connector),
// or that no format serves, is absent: its repositories serve only what
// they already hold.
func (r *Registry) Connect(urls map[string]string, base upstream.Config) map[string]resolve.Connection {
	conns := map[string]resolve.Connection{}
	for name, url := range urls {
		f, ok := r.connections[name]
		if !ok {
			continue
		}
		c, ok := r.rules[f].(Connector)
		if !ok {
			continue
		}
		cfg := base
		cfg.URL, cfg.Connection = url, name
		conns[name] = c.Connect(cfg)
	}
	return conns
}
