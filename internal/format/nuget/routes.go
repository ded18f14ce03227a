package nuget

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
)

// The paths of the resources the service index advertises, below the
// repository endpoint.
const (
	pathIndex          = "v3/index.json"
	pathPublish        = "v2/package"
	pathSearch         = "v3/search"
	pathFlat           = "v3/package/"
	pathRegistrations1 = "v3/registrations/"  // SemVer 1.0.0 versions only
	pathRegistrations2 = "v3/registrations2/" // every version
)

// route is what a request path names.
type route struct {
	handle  func(f *Format, c *call) error
	methods []string // the methods handle answers ("GET" also answers HEAD)
	// The path's parts, unescaped: a package id and version, the file
	// name of a flat-container download, the bounds of a registration
	// page, and whether registrations include SemVer 2.0.0 versions.
	id, version, file string
	lower, upper      string
	semVer2           bool
}

// lookup maps a path below the repository endpoint to its route: nil
// when no resource of the NuGet V3 protocol has that path.
//
//	v3/index.json                                  service index
//	v3/search                                      search
//	v3/package/{id}/index.json                     flat container: versions
//	v3/package/{id}/{version}/{id}.{version}.nupkg flat container: package
//	v3/package/{id}/{version}/{id}.nuspec          flat container: manifest
//	v3/registrations[2]/{id}/index.json            registration index
//	v3/registrations[2]/{id}/page/{lower}/{upper}.json  registration page
//	v3/registrations[2]/{id}/{version}.json        registration leaf
//	v2/package[/]                                  push (PUT)
//	v2/package/{id}/{version}                      unlist (DELETE), relist (POST)
func lookup(rest string) *route {
	get := onlyGet
	var buf [8]string
	segs := format.Split(buf[:0], rest)
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil
		}
		segs[i] = u
	}
	switch {
	case rest == pathIndex:
		return &route{handle: (*Format).serviceIndex, methods: get}
	case rest == pathSearch:
		return &route{handle: (*Format).search, methods: get}
	case rest == pathPublish || rest == pathPublish+"/":
		return &route{handle: (*Format).push, methods: []string{http.MethodPut}}
	case len(segs) == 4 && segs[0] == "v2" && segs[1] == "package" && segs[2] != "" && segs[3] != "":
		return &route{handle: (*Format).listing, methods: []string{http.MethodDelete, http.MethodPost}, id: segs[2], version: segs[3]}
	case len(segs) < 4 || segs[0] != "v3" || segs[2] == "":
		return nil
	}
	id := segs[2]
	switch segs[1] {
	case "package":
		switch {
		case len(segs) == 4 && segs[3] == "index.json":
			return &route{handle: (*Format).flatVersions, methods: get, id: id}
		case len(segs) == 5 && segs[3] != "":
			return &route{handle: (*Format).flatFile, methods: get, id: id, version: segs[3], file: segs[4]}
		}
	case "registrations", "registrations2":
		r := &route{methods: get, id: id, semVer2: segs[1] == "registrations2"}
		switch {
		case len(segs) == 4 && segs[3] == "index.json":
			r.handle = (*Format).registrationIndex
		case len(segs) == 6 && segs[3] == "page" && strings.HasSuffix(segs[5], ".json"):
			r.handle, r.lower, r.upper = (*Format).registrationPage, segs[4], strings.TrimSuffix(segs[5], ".json")
		case len(segs) == 4 && strings.HasSuffix(segs[3], ".json"):
			r.handle, r.version = (*Format).registrationLeaf, strings.TrimSuffix(segs[3], ".json")
		default:
			return nil
		}
		return r
	}
	return nil
}

// onlyGet is the methods of the routes that only read; never modified.
var onlyGet = []string{http.MethodGet}

// allows reports whether the route answers method.
func (r *route) allows(method string) bool {
	for _, m := range r.methods {
		if m == method || (m == http.MethodGet && method == http.MethodHead) {
			return true
		}
	}
	return false
}

// notV3 is the answer to a path of no V3 resource: NuGet V2 clients
// (nuget list, a source URL without v3/index.json) land here.
func notV3(rest string) error {
	return errkind.NotFoundf("%s is not a NuGet V3 resource. CodeArtifact supports only V3 of the NuGet protocol: use the repository endpoint followed by v3/index.json as the package source. nuget list, which needs V2, is not supported; use aws codeartifact list-packages", "/"+rest)
}
