package format

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/arcahq/arca/internal/errkind"
)

// RestRequest returns r with context ctx and its path replaced by "/" +
// rest, the path below the repository endpoint, so that a format's route
// table reads as the layout below the endpoint. A rest that does not
// unescape, or is not clean, names nothing: http.ServeMux would redirect
// it to its clean form, a path without the endpoint's prefix.
func RestRequest(ctx context.Context, r *http.Request, rest string) (*http.Request, error) {
	escaped := "/" + rest
	unescaped, err := url.PathUnescape(escaped)
	if err != nil {
		return nil, errkind.NotFoundf("Not found")
	}
	if clean := path.Clean(unescaped); clean != unescaped && clean+"/" != unescaped {
		return nil, errkind.NotFoundf("Not found")
	}
	u := *r.URL
	u.Path, u.RawPath = unescaped, escaped
	inner := r.WithContext(ctx)
	inner.URL = &u
	return inner, nil
}

// Split appends the "/"-separated segments of path to dst and returns
// the result, as strings.Split would return them: a caller passing a
// small array's slice splits a request path without allocating.
func Split(dst []string, path string) []string {
	for {
		seg, after, found := strings.Cut(path, "/")
		dst = append(dst, seg)
		if !found {
			return dst
		}
		path = after
	}
}
