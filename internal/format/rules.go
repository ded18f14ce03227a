package format

import (
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/endpoint"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream"
)

// Rules are what a format decides about its packages, beyond its own
// endpoint: how names and versions are keyed, how versions order, whether
// a package needs a namespace, which tag names the default version, and
// which external connections serve it. The catalog, the resolver and the
// control plane follow them through a Registry; nothing outside a
// format's folder decides these by the format's name.
//
// A format implements Rules in its rules.go, on a value type without
// state (npm.Rules{}); its methods are pure and safe for concurrent use.
// The optional capabilities Surface and Connector are found by type
// assertion.
type Rules interface {
	// Format is the format's name, as the model's PackageFormat spells it
	// and as repository endpoint paths carry it.
	Format() artifact.Format
	// Normalize returns ref (a package of this format) as the format
	// keys packages: a PyPI project under the PEP 503 normal form of its
	// name, so that "Hello_CA" and "hello-ca" are one project. Formats
	// that key names as given return ref unchanged.
	Normalize(ref artifact.PackageRef) artifact.PackageRef
	// NormalizeVersion returns v as the format keys versions ("1.0-RC1"
	// is PyPI's "1.0rc1"); a version the format cannot parse, and every
	// version of a format that keys them as given, is returned unchanged.
	NormalizeVersion(v string) string
	// CompareVersions orders two versions: negative when a sorts before
	// b.
	CompareVersions(a, b string) int
	// HasNamespace reports whether packages of the format can have a
	// namespace (npm's optional scope, and every format whose namespace
	// is required); package group definitions of a format without one
	// leave the namespace segment empty (/pypi//name$).
	HasNamespace() bool
	// NamespaceRequired reports whether every package of the format has
	// a namespace (Maven's group id, Swift's scope, generic's namespace),
	// as the model requires of the control plane's package operations.
	NamespaceRequired() bool
	// Display names a package of the format in messages as its users
	// write it ("npm @scope/name", "maven group:artifact"); formats
	// without a form of their own use artifact.PackageRef's String
	// ("pypi name", "generic namespace/name").
	Display(ref artifact.PackageRef) string
	// LatestTag is the tag whose version is a package's default display
	// version (npm's "latest"), or "" when the format has none.
	LatestTag() string
	// PublishedByAPI reports whether the control plane's
	// PublishPackageVersion publishes packages of this format (generic);
	// the others publish with their package manager.
	PublishedByAPI() bool
	// Connections are the names of the external connections that serve
	// this format (User Guide, "Supported external connection
	// repositories"). Where each one points is configuration.
	Connections() []string
}

// SourceIndexed is the optional capability of Rules whose packages are
// looked up by the source code repository URLs their versions declare
// (Swift's identifiers lookup): the catalog keeps those URLs indexed on
// every write of a version of the format.
type SourceIndexed interface {
	// SourceURLs returns the URLs a version with meta declares, normalised
	// as a lookup compares them, each once.
	SourceURLs(meta artifact.Meta) []string
}

// Surface is the optional capability of Rules whose format serves a
// repository endpoint: it builds the format's HTTP surface. A format
// without it is known (repositories, control plane, external connection
// names) but its endpoint answers 404 (Plain).
type Surface interface {
	Surface(d Deps) endpoint.Format
}

// Connector is the optional capability of Rules whose external
// connections have a registry client: Connect returns the client of the
// registry cfg describes (cfg.URL from configuration, cfg.Connection the
// connection's name). A format without it accepts its connections, whose
// repositories then serve only what they already hold.
type Connector interface {
	Connect(cfg upstream.Config) resolve.Connection
}

// Basic are the rules of a format with no folder yet, and the defaults a
// format's own rules may embed: names and versions as given, versions in
// natural order, no latest tag, publishing by the package manager.
type Basic struct {
	Name artifact.Format
	// Namespaced is NamespaceRequired and HasNamespace.
	Namespaced bool
	// Order orders versions; nil for CompareNatural.
	Order func(a, b string) int
	// ExternalConnections is Connections.
	ExternalConnections []string
}

var _ Rules = Basic{}

// Format is b.Name.
func (b Basic) Format() artifact.Format { return b.Name }

// Normalize returns ref as given.
func (Basic) Normalize(ref artifact.PackageRef) artifact.PackageRef { return ref }

// NormalizeVersion returns v as given.
func (Basic) NormalizeVersion(v string) string { return v }

// CompareVersions orders versions by b.Order, naturally without one.
func (b Basic) CompareVersions(x, y string) int {
	if b.Order != nil {
		return b.Order(x, y)
	}
	return CompareNatural(x, y)
}

// NamespaceRequired is b.Namespaced.
func (b Basic) NamespaceRequired() bool { return b.Namespaced }

// HasNamespace is b.Namespaced.
func (b Basic) HasNamespace() bool { return b.Namespaced }

// Display is ref.String(): "format name", "format namespace/name".
func (Basic) Display(ref artifact.PackageRef) string { return ref.String() }

// LatestTag is "": no tags.
func (Basic) LatestTag() string { return "" }

// PublishedByAPI is false: packages are published by their package
// manager.
func (Basic) PublishedByAPI() bool { return false }

// Connections is b.ExternalConnections.
func (b Basic) Connections() []string { return b.ExternalConnections }

// CompareSemVer orders versions by semantic versioning 2.0.0 (npm, cargo,
// generic, Swift), build metadata breaking ties byte-wise; versions that
// are not strict semver sort before those that are, in natural order.
//
// Spec: https://semver.org/spec/v2.0.0.html
func CompareSemVer(a, b string) int {
	return CompareParsed(a, b, semver.StrictNewVersion, (*semver.Version).Compare)
}

// CompareParsed orders two versions of a format whose versions parse
// with parse and order with cmp: by cmp when both parse (byte-wise when
// cmp ties, so that only equal strings compare equal), a parsable version
// after an unparsable one, two unparsable ones by CompareNatural.
func CompareParsed[V any](a, b string, parse func(string) (V, error), cmp func(V, V) int) int {
	va, ea := parse(a)
	vb, eb := parse(b)
	return compareParsed(a, b, va, vb, ea, eb, cmp)
}

// SortParsed sorts items by their versions (version names an item's) in
// CompareParsed's order, parsing each version once: sorting thousands of
// versions by CompareParsed would parse each a dozen times or more.
func SortParsed[T, V any](items []T, version func(T) string, parse func(string) (V, error), cmp func(V, V) int) {
	type parsed struct {
		s   string
		v   V
		err error
		i   int
	}
	keys := make([]parsed, len(items))
	for i, it := range items {
		s := version(it)
		v, err := parse(s)
		keys[i] = parsed{s, v, err, i}
	}
	slices.SortStableFunc(keys, func(a, b parsed) int { return compareParsed(a.s, b.s, a.v, b.v, a.err, b.err, cmp) })
	sorted := make([]T, len(items))
	for i, k := range keys {
		sorted[i] = items[k.i]
	}
	copy(items, sorted)
}

func compareParsed[V any](a, b string, va, vb V, ea, eb error, cmp func(V, V) int) int {
	switch {
	case ea == nil && eb == nil:
		if c := cmp(va, vb); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	case ea == nil:
		return 1
	case eb == nil:
		return -1
	}
	return CompareNatural(a, b)
}

// CompareNatural compares strings chunk by chunk, digit runs as numbers:
// 1.9 < 1.10, rc2 < rc10.
func CompareNatural(a, b string) int {
	for a != "" && b != "" {
		ca, ra := chunk(a)
		cb, rb := chunk(b)
		if isDigit(ca[0]) && isDigit(cb[0]) {
			na, nb := strings.TrimLeft(ca, "0"), strings.TrimLeft(cb, "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
		} else if c := strings.Compare(ca, cb); c != 0 {
			return c
		}
		a, b = ra, rb
	}
	return len(a) - len(b)
}

func chunk(s string) (string, string) {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
