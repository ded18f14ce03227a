package npm

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/arcahq/arca/internal/endpoint"
)

var _ endpoint.Describer = (*Format)(nil)

// Describe names the package and version a request is about, for the
// audit log: {pkg}, {pkg}/{version}, {pkg}/-/{tarball} and
// -/package/{pkg}/dist-tags/... name a package; anything else (ping,
// whoami, audits) none. A publish names its version only in its body, so
// its version is not named here.
func (f *Format) Describe(r *http.Request, req *endpoint.Request) (namespace, name, version string) {
	rest := req.Rest
	if p, ok := strings.CutPrefix(rest, "-/package/"); ok {
		rest = p
	} else if strings.HasPrefix(rest, "-/") {
		return "", "", ""
	}
	var buf [4]string
	segs := splitPath(rest, &buf)
	pkg, _ := url.PathUnescape(segs[0])
	segs = segs[1:]
	if strings.HasPrefix(pkg, "@") && !strings.Contains(pkg, "/") && len(segs) > 0 {
		base, _ := url.PathUnescape(segs[0])
		pkg, segs = pkg+"/"+base, segs[1:]
	}
	n, err := ParseName(pkg)
	if err != nil {
		return "", "", ""
	}
	switch {
	case len(segs) >= 2 && segs[0] == "-" && !strings.HasPrefix(req.Rest, "-/"):
		file, _ := url.PathUnescape(strings.Join(segs[1:], "/"))
		version, _ = ParseTarballFile(n, file)
	case len(segs) == 1 && segs[0] != "" && segs[0] != "-" && !strings.HasPrefix(req.Rest, "-/"):
		version, _ = url.PathUnescape(segs[0])
	}
	return n.Scope, n.Base, version
}

// splitPath is strings.SplitN(p, "/", 4) into buf, which spares Describe,
// on every npm request, the slice SplitN allocates.
func splitPath(p string, buf *[4]string) []string {
	n := 0
	for ; n < len(buf)-1; n++ {
		seg, after, found := strings.Cut(p, "/")
		if !found {
			break
		}
		buf[n], p = seg, after
	}
	buf[n] = p
	return buf[:n+1]
}
