package swift

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
)

// Serve routes a registry request (SE-0292 §4), by the path below the
// repository endpoint:
//
//	POST /login                                  4.7 login (authenticated by the endpoint)
//	GET  /identifiers?url=                       4.5 package identifiers of a repository URL
//	GET  /{scope}/{name}[.json]                  4.1 releases
//	GET  /{scope}/{name}/{version}[.json]        4.2 release metadata
//	PUT  /{scope}/{name}/{version}               4.6 publish
//	GET  /{scope}/{name}/{version}.zip           4.4 source archive
//	GET  /{scope}/{name}/{version}/Package.swift 4.3 manifest (?swift-version=)
//
// Every answer, errors included, carries Content-Version: 1. GET routes
// also answer HEAD.
func (f *Format) Serve(w http.ResponseWriter, r *http.Request, req *endpoint.Request) error {
	w.Header().Set("Content-Version", "1")
	segs := strings.Split(req.Rest, "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil || u == "" || strings.Contains(u, "/") {
			return errkind.NotFoundf("Not found")
		}
		segs[i] = u
	}
	c := &call{w: w, r: r, req: req}
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case len(segs) == 1 && segs[0] == "login":
		if r.Method != http.MethodPost {
			return methods(r, http.MethodPost)
		}
		return f.login(c)
	case len(segs) == 1 && segs[0] == "identifiers":
		if !get {
			return methods(r, http.MethodGet, http.MethodHead)
		}
		return f.identifiers(c)
	case len(segs) == 2:
		if !get {
			return methods(r, http.MethodGet, http.MethodHead)
		}
		name, kind := trimKind(segs[1], mediaJSON)
		if kind == "" {
			return errkind.NotFoundf("Not found")
		}
		if err := c.parse(segs[0], name); err != nil {
			return err
		}
		return f.releases(c)
	case len(segs) == 3:
		version, kind := trimKind(segs[2], mediaJSON, mediaZip)
		if r.Method == http.MethodPut && kind == mediaJSON && version == segs[2] {
			if err := c.parse(segs[0], segs[1]); err != nil {
				return err
			}
			c.version = version
			return f.publish(c)
		}
		if !get {
			if kind == mediaJSON && version == segs[2] {
				return methods(r, http.MethodGet, http.MethodHead, http.MethodPut)
			}
			return methods(r, http.MethodGet, http.MethodHead)
		}
		if kind == "" {
			return errkind.NotFoundf("Not found")
		}
		if err := c.parse(segs[0], segs[1]); err != nil {
			return err
		}
		c.version = version
		if kind == mediaZip {
			return f.archive(c)
		}
		return f.release(c)
	case len(segs) == 4 && segs[3] == "Package.swift":
		if !get {
			return methods(r, http.MethodGet, http.MethodHead)
		}
		if err := c.parse(segs[0], segs[1]); err != nil {
			return err
		}
		c.version = segs[2]
		return f.manifest(c)
	}
	return errkind.NotFoundf("Not found")
}

// parse sets the call's package from the path; a name no package can
// have is a 404 on a read (nothing is there) and a 400 on a publish.
func (c *call) parse(scope, name string) error {
	n, err := ParseName(scope, name)
	if err != nil {
		if c.r.Method == http.MethodPut {
			return err
		}
		return errkind.NotFoundf("Package %s.%s not found: %s", scope, name, errkind.As(err).Message)
	}
	c.name = n
	return nil
}

// trimKind strips a ".json" or ".zip" extension from a last segment that
// allows it and says which response it asks for; a segment without one
// asks for the first of kinds. "" means an extension the segment does not
// allow.
func trimKind(seg string, kinds ...string) (string, string) {
	for _, k := range []string{mediaJSON, mediaZip} {
		if base, ok := strings.CutSuffix(seg, "."+k); ok {
			for _, allowed := range kinds {
				if allowed == k {
					return base, k
				}
			}
			return base, ""
		}
	}
	return seg, kinds[0]
}

func methods(r *http.Request, allow ...string) error {
	return &format.Refusal{Status: http.StatusMethodNotAllowed, Allow: allow,
		Message: r.Method + " is not supported here"}
}
