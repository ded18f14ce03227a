package npm

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

// A version manifest is the package.json of a version as the registry
// keeps it: package.json after npm's normalisation, plus "dist" (where the
// tarball is and its digests) and fields npm adds ("_id", "_npmVersion").
// Arca stores it in artifact.Meta.Extra, without "readme" (kept in
// Meta.Readme) and without "dist.tarball" (always made afresh, pointing at
// the server that renders it).
//
// Spec: https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md

// object is a decoded JSON object whose values stay raw.
type object map[string]json.RawMessage

// parseObject decodes a manifest; anything but a JSON object is refused.
func parseObject(raw []byte) (object, error) {
	var o object
	if err := json.Unmarshal(raw, &o); err != nil || o == nil {
		return nil, errkind.Validationf("A version manifest must be a JSON object")
	}
	return o, nil
}

// str returns a member that is a string, or "".
func (o object) str(key string) string {
	var s string
	json.Unmarshal(o[key], &s)
	return s
}

// sub returns a member that is an object, or nil.
func (o object) sub(key string) object {
	var s object
	json.Unmarshal(o[key], &s)
	return s
}

func (o object) setString(key, value string) {
	b, _ := json.Marshal(value)
	o[key] = b
}

func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Dependency types of CodeArtifact's ListPackageVersionDependencies for
// npm, with the manifest member each comes from.
var dependencyGroups = []struct{ member, kind string }{
	{"dependencies", "regular"},
	{"devDependencies", "dev"},
	{"peerDependencies", "peer"},
	{"optionalDependencies", "optional"},
}

// MetaOf maps a version manifest to the format-neutral metadata (the fields
// of DescribePackageVersion and ListPackageVersionDependencies), and
// returns the manifest to store in Meta.Extra. readme is the document's
// top-level readme, used when the manifest has none.
func MetaOf(manifest []byte, readme string) (artifact.Meta, error) {
	o, err := parseObject(manifest)
	if err != nil {
		return artifact.Meta{}, err
	}
	m := artifact.Meta{
		DisplayName: o.str("name"),
		Summary:     o.str("description"),
		HomePage:    o.str("homepage"),
		Readme:      realReadme(o.str("readme")),
	}
	if m.Readme == "" {
		m.Readme = realReadme(readme)
	}
	if m.SourceCodeRepository = o.str("repository"); m.SourceCodeRepository == "" {
		m.SourceCodeRepository = o.sub("repository").str("url")
	}
	// The registry normalises repository URLs to "git+https://…";
	// CodeArtifact reports them without "git+" (the User Guide's
	// DescribePackageVersion example for lodash).
	m.SourceCodeRepository = strings.TrimPrefix(m.SourceCodeRepository, "git+")
	m.Licenses = licenses(o)
	m.Dependencies = dependencies(o)
	delete(o, "readme")
	if dist := o.sub("dist"); dist != nil {
		delete(dist, "tarball")
		o["dist"] = marshal(dist)
	}
	m.Extra = marshal(o)
	return m, nil
}

// noReadme is what the public registry puts in the readme of packages
// without one.
const noReadme = "ERROR: No README data found!"

func realReadme(r string) string {
	if strings.TrimSpace(r) == noReadme {
		return ""
	}
	return r
}

// licenses reads "license" (an SPDX expression, or the old {type, url})
// and the older "licenses" (a list of either).
func licenses(o object) []artifact.License {
	var out []artifact.License
	add := func(raw json.RawMessage) {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if s != "" {
				out = append(out, artifact.License{Name: s})
			}
			return
		}
		var l struct {
			Type string `json:"type"`
			Name string `json:"name"`
			URL  string `json:"url"`
		}
		if json.Unmarshal(raw, &l) == nil && (l.Type != "" || l.Name != "" || l.URL != "") {
			if l.Type == "" {
				l.Type = l.Name
			}
			if lic := (artifact.License{Name: l.Type, URL: l.URL}); !slices.Contains(out, lic) {
				out = append(out, lic)
			}
		}
	}
	if raw, ok := o["license"]; ok {
		add(raw)
	}
	var list []json.RawMessage
	if json.Unmarshal(o["licenses"], &list) == nil {
		for _, raw := range list {
			add(raw)
		}
	}
	return out
}

// dependencies lists every dependency group, each sorted by name. npm
// copies optionalDependencies into dependencies when it normalises a
// package.json; those copies are not listed as regular dependencies.
func dependencies(o object) []artifact.Dependency {
	optional := map[string]string{}
	json.Unmarshal(o["optionalDependencies"], &optional)
	var out []artifact.Dependency
	for _, g := range dependencyGroups {
		var deps map[string]json.RawMessage
		json.Unmarshal(o[g.member], &deps)
		names := make([]string, 0, len(deps))
		for n := range deps {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			var r string
			if json.Unmarshal(deps[n], &r) != nil {
				continue // not a range: not a dependency npm would install
			}
			if g.kind == "regular" {
				if opt, ok := optional[n]; ok && opt == r {
					continue
				}
			}
			d := artifact.Dependency{Package: n, DependencyType: g.kind, VersionRange: r}
			if scope, base, ok := strings.Cut(strings.TrimPrefix(n, "@"), "/"); ok && strings.HasPrefix(n, "@") {
				d.Namespace, d.Package = scope, base
			}
			out = append(out, d)
		}
	}
	return out
}

// Digests are what a client declared about a tarball in "dist": the
// SHA-1 of "shasum" and the SHA-512 of "integrity", both as hex ("" when
// not declared).
type Digests struct {
	SHA1   string
	SHA512 string
}

// DeclaredDigests reads "dist.shasum" and "dist.integrity" of a manifest.
// A malformed declaration is a Validation error.
func DeclaredDigests(manifest []byte) (Digests, error) {
	o, err := parseObject(manifest)
	if err != nil {
		return Digests{}, err
	}
	dist := o.sub("dist")
	var d Digests
	if s := dist.str("shasum"); s != "" {
		if b, err := hex.DecodeString(s); err != nil || len(b) != 20 {
			return Digests{}, errkind.Validationf("dist.shasum %q is not a SHA-1 digest in hex", s)
		}
		d.SHA1 = strings.ToLower(s)
	}
	sums, err := parseIntegrity(dist.str("integrity"))
	if err != nil {
		return Digests{}, err
	}
	d.SHA512 = sums["sha512"]
	if d.SHA1 == "" {
		d.SHA1 = sums["sha1"] // old packages declare only "sha1-…"
	}
	return d, nil
}

// parseIntegrity reads a Subresource Integrity string ("sha512-<base64>",
// possibly several, space-separated, with "?options") into hex digests by
// algorithm. Algorithms other than sha1, sha256 and sha512 are ignored.
//
// Spec: https://www.w3.org/TR/SRI/#the-integrity-attribute
func parseIntegrity(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, tok := range strings.Fields(s) {
		alg, value, ok := strings.Cut(tok, "-")
		if !ok {
			return nil, errkind.Validationf("dist.integrity %q is not a Subresource Integrity string", s)
		}
		size := map[string]int{"sha1": 20, "sha256": 32, "sha512": 64}[alg]
		if size == 0 {
			continue
		}
		value, _, _ = strings.Cut(value, "?")
		b, err := base64.StdEncoding.DecodeString(value)
		if err != nil || len(b) != size {
			return nil, errkind.Validationf("dist.integrity %q has a malformed %s digest", s, alg)
		}
		if prev, seen := out[alg]; seen && prev != hex.EncodeToString(b) {
			return nil, errkind.Validationf("dist.integrity %q declares two different %s digests", s, alg)
		}
		out[alg] = hex.EncodeToString(b)
	}
	return out, nil
}

// CheckDist checks what a manifest's "dist" declares ("shasum",
// "integrity") against the tarball received.
func CheckDist(manifest []byte, tarball artifact.Asset) error {
	o, err := parseObject(manifest)
	if err != nil {
		return err
	}
	dist := o.sub("dist")
	if s := dist.str("shasum"); s != "" && !equalFold(s, tarball.SHA1) {
		return errkind.Validationf("The tarball's SHA-1 is %s, but dist.shasum says %s", tarball.SHA1, s)
	}
	sums, err := parseIntegrity(dist.str("integrity"))
	if err != nil {
		return err
	}
	have := map[string]string{"sha1": tarball.SHA1, "sha256": tarball.SHA256, "sha512": tarball.SHA512}
	for alg, want := range sums {
		if !equalFold(want, have[alg]) {
			return errkind.Validationf("The tarball does not match dist.integrity: its %s is %s", alg, Integrity(tarball))
		}
	}
	return nil
}

func equalFold(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(a)), []byte(strings.ToLower(b))) == 1
}

// Integrity returns a tarball's "dist.integrity": sha512-<base64>.
func Integrity(a artifact.Asset) string {
	b, err := hex.DecodeString(a.SHA512)
	if err != nil || len(b) == 0 {
		return ""
	}
	return "sha512-" + base64.StdEncoding.EncodeToString(b)
}

// Deprecated returns a manifest's deprecation message ("" if none).
func Deprecated(manifest []byte) string {
	var o struct {
		Deprecated json.RawMessage `json:"deprecated"`
	}
	json.Unmarshal(manifest, &o)
	var s string
	if json.Unmarshal(o.Deprecated, &s) != nil {
		// npm also accepts deprecated: true.
		if string(o.Deprecated) == "true" {
			return "true"
		}
	}
	return s
}

// SetDeprecated returns manifest with its deprecation message set, or
// removed when message is "" (npm deprecate pkg@1 "" undeprecates).
func SetDeprecated(manifest []byte, message string) ([]byte, error) {
	o := object{}
	if len(manifest) > 0 {
		var err error
		if o, err = parseObject(manifest); err != nil {
			return nil, err
		}
	}
	if message == "" {
		delete(o, "deprecated")
	} else {
		o.setString("deprecated", message)
	}
	return marshal(o), nil
}
