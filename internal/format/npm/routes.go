package npm

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
)

// routes is the npm surface of a repository endpoint, as npm 11, yarn 1
// and pnpm call it (docs/CLIENTS.md §4.1-§4.3), first match wins. Patterns are
// paths below the repository endpoint: literal segments, {pkg} for a
// package name, {x} for one segment and {x...} for the rest. "GET" routes
// also answer HEAD; "*" is any method.
//
// The paths are matched here rather than by http.ServeMux because npm's
// grammar needs it: a scoped name is one segment or two ("@scope%2fname",
// "@scope%2Fname" from pnpm, or "@scope/name" in tarball URLs), which no
// ServeMux pattern can express beside "{name}/{version}".
var routes = []route{
	{"GET", "-/ping", (*Format).ping},
	{"GET", "-/whoami", (*Format).whoami},
	{"POST", "-/npm/v1/security/advisories/bulk", (*Format).audit},
	{"POST", "-/npm/v1/security/audits/quick", (*Format).audit},
	{"POST", "-/npm/v1/security/audits", (*Format).audit},
	{"GET", "-/package/{pkg}/dist-tags", (*Format).getDistTags},
	{"PUT", "-/package/{pkg}/dist-tags/{tag}", (*Format).putDistTag},
	{"POST", "-/package/{pkg}/dist-tags/{tag}", (*Format).putDistTag},
	{"DELETE", "-/package/{pkg}/dist-tags/{tag}", (*Format).deleteDistTag},

	// Commands CodeArtifact does not support (User Guide, "npm command
	// support"), answered with the guide's note.
	{"*", "-/package/{pkg}/access", unsupported("access")},
	{"*", "-/package/{pkg}/collaborators", unsupported("access")},
	{"*", "-/v1/search", unsupported("search")},
	{"*", "-/v1/login", unsupported("login")},
	{"*", "-/user/token/{rest...}", unsupported("logout")},
	{"*", "-/user/{rest...}", unsupported("adduser")},
	{"*", "-/npm/v1/user", unsupported("profile")},
	{"*", "-/npm/v1/tokens{rest...}", unsupported("token")},
	{"*", "-/npm/v1/hooks{rest...}", unsupported("hook")},
	{"*", "-/npm/v1/hook{rest...}", unsupported("hook")},
	{"*", "-/org/{org}/package", unsupported("access")},
	{"*", "-/org/{rest...}", unsupported("team")},
	{"*", "-/team/{rest...}", unsupported("team")},
	{"*", "-/_view/{rest...}", unsupported("stars")},
	{"*", "-/{rest...}", (*Format).notFound},

	{"GET", "{pkg}", (*Format).getPackage},
	{"PUT", "{pkg}", (*Format).putPackage},
	{"GET", "{pkg}/-/{file...}", (*Format).getTarball},
	{"*", "{pkg}/-/{file}/-rev/{rev}", unsupported("unpublish")},
	{"*", "{pkg}/-rev/{rev}", unsupported("unpublish")},
	{"GET", "{pkg}/{version}", (*Format).getVersion},
}

// route is one entry of the route table.
type route struct {
	method  string
	pattern string
	handle  func(f *Format, c *call) error
}

// routeParts are the routes' patterns split at "/", once.
var routeParts = func() [][]string {
	parts := make([][]string, len(routes))
	for i, rt := range routes {
		parts[i] = strings.Split(rt.pattern, "/")
	}
	return parts
}()

// params are the values of a matched pattern's wildcards, unescaped.
type params struct {
	pkg       string // the package name, "@scope/name" or "name"
	hasPkg    bool
	tag, file string
	version   string
}

// match matches an escaped path, split at "/", against a pattern's parts.
func match(parts, segs []string) (params, bool) {
	var p params
	for _, pat := range parts {
		if open := strings.IndexByte(pat, '{'); open >= 0 && strings.HasSuffix(pat, "...}") {
			// A literal prefix then the rest of the path.
			if len(segs) == 0 || !strings.HasPrefix(segs[0], pat[:open]) {
				return p, false
			}
			rest, err := url.PathUnescape(strings.TrimPrefix(strings.Join(segs, "/"), pat[:open]))
			if err != nil {
				return p, false
			}
			if pat[open:] == "{file...}" {
				p.file = rest
			}
			return p, true
		}
		if len(segs) == 0 {
			return p, false
		}
		seg, err := url.PathUnescape(segs[0])
		if err != nil {
			return p, false
		}
		segs = segs[1:]
		switch pat {
		case "{pkg}":
			// "@scope%2fname" is one segment, "@scope/name" two.
			if strings.HasPrefix(seg, "@") && !strings.Contains(seg, "/") {
				if len(segs) == 0 {
					return p, false
				}
				base, err := url.PathUnescape(segs[0])
				if err != nil {
					return p, false
				}
				seg, segs = seg+"/"+base, segs[1:]
			}
			p.pkg, p.hasPkg = seg, true
		case "{tag}":
			p.tag = seg
		case "{file}":
			p.file = seg
		case "{version}":
			p.version = seg
		default:
			if strings.HasPrefix(pat, "{") {
				break // a wildcard whose value no handler needs
			}
			if seg != pat {
				return p, false
			}
		}
		if seg == "" {
			return p, false
		}
	}
	return p, len(segs) == 0
}

// lookup finds the route for a request: the first whose pattern matches
// and whose method does; if patterns match but no method does, allowed
// lists the methods that would.
func lookup(method, path string) (r *route, p params, allowed []string) {
	var buf [8]string
	segs := format.Split(buf[:0], path)
	// Most routes start with a literal segment ("-"): those are passed
	// over on the first segment alone, as match would, without matching
	// them part by part.
	first, err := url.PathUnescape(segs[0])
	for i := range routes {
		if lit := routeParts[i][0]; !strings.Contains(lit, "{") && (err != nil || lit != first) {
			continue
		}
		rt := &routes[i]
		pp, ok := match(routeParts[i], segs)
		if !ok {
			continue
		}
		if rt.method == "*" || rt.method == method || (rt.method == http.MethodGet && method == http.MethodHead) {
			return rt, pp, nil
		}
		allowed = append(allowed, rt.method)
	}
	return nil, params{}, allowed
}

// Serve routes an npm request through the route table.
func (f *Format) Serve(w http.ResponseWriter, r *http.Request, req *endpoint.Request) error {
	rt, p, allowed := lookup(r.Method, req.Rest)
	if rt == nil {
		if len(allowed) > 0 {
			return &format.Refusal{Status: http.StatusMethodNotAllowed, Allow: allowed,
				Message: r.Method + " is not supported on " + req.Rest}
		}
		return errkind.NotFoundf("Not found")
	}
	c := &call{w: w, r: r, req: req, p: p}
	if p.hasPkg {
		n, err := ParseName(p.pkg)
		if err != nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				// No package can have that name, so none is here.
				return errkind.NotFoundf("Package %q not found: %s", p.pkg, errkind.As(err).Message)
			}
			return err
		}
		c.name = n
	}
	return rt.handle(f, c)
}

// unsupportedNotes are the User Guide's notes on the npm commands
// CodeArtifact does not support ("npm command support").
var unsupportedNotes = map[string]string{
	"access":    "CodeArtifact uses a permission model that is different from the public npmjs repository.",
	"adduser":   "CodeArtifact uses a user model that is different from the public npmjs repository. Use aws codeartifact login --tool npm to configure npm.",
	"hook":      "CodeArtifact does not currently support any kind of change notification mechanism.",
	"login":     "CodeArtifact uses an authentication model that is different from the public npmjs repository. Use aws codeartifact login --tool npm to configure npm.",
	"logout":    "CodeArtifact uses an authentication model that is different from the public npmjs repository. There is no way to sign out from a CodeArtifact repository, but authentication tokens expire after their configurable expiration time. The default token duration is 12 hours.",
	"owner":     "CodeArtifact uses a permissions model that is different from the public npmjs repository.",
	"profile":   "CodeArtifact uses a user model that is different from the public npmjs repository.",
	"search":    "CodeArtifact supports limited search functionality with the list-packages command (aws codeartifact list-packages).",
	"star":      "CodeArtifact currently does not support any kind of favorites mechanism.",
	"stars":     "CodeArtifact currently does not support any kind of favorites mechanism.",
	"team":      "CodeArtifact uses a user and group membership model that is different from the public npmjs repository.",
	"token":     "CodeArtifact uses a different model for getting authentication tokens. Use aws codeartifact get-authorization-token.",
	"unpublish": "CodeArtifact does not support removing a package version from a repository using the npm client. Use aws codeartifact delete-package-versions.",
}

// unsupported answers an unsupported command: 405 for unpublish, which
// removes what GET serves, 400 for the others.
func unsupported(command string) func(*Format, *call) error {
	status := http.StatusBadRequest
	if command == "unpublish" {
		status = http.StatusMethodNotAllowed
	}
	msg := "npm " + command + " is not supported: " + unsupportedNotes[command]
	return func(*Format, *call) error {
		r := &format.Refusal{Status: status, Message: msg}
		if status == http.StatusMethodNotAllowed {
			r.Allow = []string{http.MethodGet, http.MethodHead}
		}
		return r
	}
}
