package pypi

// PageCacheBytes bounds the memory of rendered pages (plain and gzipped
// together) and of the runs of releases' entries they are assembled from
// (RunCacheBytes of it).
const PageCacheBytes = 24 << 20

// RunCacheBytes is the part of PageCacheBytes that keeps runs of
// releases' entries, compressed (rendered.Runs).
const RunCacheBytes = 12 << 20

// FragmentCacheBytes bounds the memory of releases' files, of which
// pages' entries are made, for projects made from views that are not kept
// (versions of upstream repositories or a public index): about 11,000
// releases of a wheel or two. A kept project holds its releases' files
// itself, and a page's entries are in its runs.
const FragmentCacheBytes = 4 << 20

// ProjectCacheBytes bounds the memory of projects' releases kept in
// order between rebuilds (keptProject), one project up to half of it:
// about 11,000 releases at the default budget, as many as the
// resolver keeps candidates of (resolve.ViewCacheBytes).
const ProjectCacheBytes = 6 << 20

// OrderCacheBytes bounds the memory of projects' version orders, by
// which a rebuild sorts only the versions that are new.
const OrderCacheBytes = 2 << 20

// pageKind is a rendering of a project.
type pageKind uint8

const (
	pageHTML    pageKind = iota // the simple API, PEP 503 HTML
	pageJSON                    // the simple API, PEP 691 JSON
	pageJSONAPI                 // the JSON API, pypi/{project}/json
	pageRelease                 // the JSON API, pypi/{project}/{version}/json
	pageHTMLv1                  // PEP 503 HTML under its PEP 691 media type
)

// pageKey names a rendered page.
type pageKey struct {
	repository int64
	project    string
	kind       pageKind
	version    string // pageRelease only
	baseURL    string // the JSON API's URLs are absolute
}
