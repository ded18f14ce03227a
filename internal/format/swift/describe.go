package swift

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/arcahq/arca/internal/endpoint"
)

var _ endpoint.Describer = (*Format)(nil)

// Describe names the package and version a request is about, for the
// audit log: /{scope}/{name}[/...] names a package (lower case, as
// stored), /{scope}/{name}/{version}[.zip|.json|/Package.swift] a
// version; /login and /identifiers none.
func (f *Format) Describe(r *http.Request, req *endpoint.Request) (namespace, name, version string) {
	segs := strings.Split(req.Rest, "/")
	if len(segs) < 2 || len(segs) > 4 {
		return "", "", ""
	}
	for i, s := range segs {
		segs[i], _ = url.PathUnescape(s)
	}
	base, _ := trimKind(segs[1], mediaJSON)
	n, err := ParseName(segs[0], base)
	if err != nil {
		return "", "", ""
	}
	if len(segs) >= 3 {
		version, _ = trimKind(segs[2], mediaJSON, mediaZip)
	}
	ref := n.Ref()
	return ref.Namespace, ref.Name, version
}
