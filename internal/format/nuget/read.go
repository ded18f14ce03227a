package nuget

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
)

// Registration paging: a package with at most InlineLimit versions has
// its pages inside the registration index; a larger one has pages of
// PageSize versions that clients fetch by their @id. Variables so that
// tests can page small packages.
var (
	PageSize    = 64
	InlineLimit = 128
)

// unlistedPublished is the publish time NuGet shows for unlisted versions
// (clients older than "listed" read it so).
var unlistedPublished = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return buf.Bytes()
}

const contentTypeJSON = "application/json; charset=utf-8"

func serveJSON(c *call, v any) error {
	rendered.NewDoc(marshal(v), contentTypeJSON).Serve(c.w, c.r)
	return nil
}

// NuGet's 16 MiB share of the cache budget.
const (
	// DocCacheBytes bounds the memory of rendered version lists and
	// registration indexes (plain and gzipped together).
	DocCacheBytes = 7 << 20
	// SortedCacheBytes bounds the memory of packages' versions in order,
	// by view lineage (about 120 bytes a version).
	SortedCacheBytes = 4 << 20
	// RunCacheBytes bounds the memory of runs of the flat container's
	// version lists made into parts (plain and compressed), and
	// (FlatLayoutCacheBytes of it) of how each list was cut.
	RunCacheBytes = 1 << 20
	// FlatLayoutCacheBytes is the part of RunCacheBytes that keeps how
	// each flat container's list was last cut into runs, with its
	// versions (about 10 bytes a version; one package may take half).
	FlatLayoutCacheBytes = 256 << 10
	// BriefCacheBytes bounds the memory of what version lists need of
	// versions' entries (about 250 bytes a version).
	BriefCacheBytes = 2 << 20
	// EntryCacheBytes bounds the memory of versions' decoded entries.
	EntryCacheBytes = 2 << 20
)

// entryKey names a version's decoded entry: what it was decoded from (a
// version's revision changes with every change to its metadata).
type entryKey struct {
	id, version, revision string
}

// brief is what lists of versions need of a version's entry: its parsed
// version, the id it was published under and whether it is SemVer 2.0.0,
// or ok false when its metadata holds none. Briefs are small, so those
// of a package of thousands of versions stay cached together and a
// rebuild after a publish decodes one version's entry, not every one's
// (the whole entries, with their .nuspec, outgrow any small bound).
type brief struct {
	v       Version
	id      string
	semVer2 bool
	ok      bool
}

func briefSize(b brief) int64 {
	return int64(96 + len(b.id) + len(b.v.Release) + len(b.v.Metadata))
}

// decoded is a version's whole entry (for registration leaves), or ok
// false when its metadata holds none.
type decoded struct {
	entry Entry
	ok    bool
	size  int64 // roughly its memory: twice the JSON it was decoded from
}

func decodedSize(d decoded) int64 { return d.size }

// docKey names a rendered document of a package.
type docKey struct {
	repository int64
	id         string // lower-cased
	kind       string // "flat", "registrations", "registrations2"
	baseURL    string // URLs in documents depend on it
}

// orderKey names the versions of a package that clients see, in order.
type orderKey struct {
	repository int64
	id         string // lower-cased
	semVer2    bool
}

// resource is an entry of the service index.
type resource struct {
	ID            string `json:"@id"`
	Type          string `json:"@type"`
	Comment       string `json:"comment,omitempty"`
	ClientVersion string `json:"clientVersion,omitempty"`
}

// serviceIndex serves v3/index.json with every resource type the public
// NuGet gallery advertises for these resources: each client looks for the
// types it knows (nuget.exe 5.x for RegistrationsBaseUrl/3.0.0-beta,
// /3.4.0 or /Versioned, and fails on an index without them). The
// registration types before 3.6.0 point at registrations without SemVer
// 2.0.0 versions, as the clients that use them cannot read those.
func (f *Format) serviceIndex(c *call) error {
	base := c.req.BaseURL
	var rs []resource
	add := func(path, comment string, types ...string) {
		for _, t := range types {
			r := resource{ID: base + path, Type: t, Comment: comment}
			if strings.HasSuffix(t, "/Versioned") {
				r.ClientVersion = "4.3.0-alpha"
			}
			rs = append(rs, r)
		}
	}
	add(pathPublish, "Push (PUT), unlist (DELETE) and relist (POST) packages", "PackagePublish/2.0.0")
	add(pathSearch, "Search the repository's packages", "SearchQueryService", "SearchQueryService/3.0.0-beta", "SearchQueryService/3.0.0-rc", "SearchQueryService/3.5.0")
	add(pathRegistrations1, "Package metadata, SemVer 1.0.0 versions only", "RegistrationsBaseUrl", "RegistrationsBaseUrl/3.0.0-beta", "RegistrationsBaseUrl/3.0.0-rc", "RegistrationsBaseUrl/3.4.0")
	add(pathRegistrations2, "Package metadata, SemVer 2.0.0 versions included", "RegistrationsBaseUrl/3.6.0", "RegistrationsBaseUrl/Versioned")
	add(pathFlat, "Package contents, by lower-cased id and version", "PackageBaseAddress/3.0.0")
	return serveJSON(c, map[string]any{"version": "3.0.0", "resources": rs})
}

// version is a version of the package as reads show it. Its candidate
// and entry are filled in (withEntries) only where a document shows more
// than the version: kept orders hold neither (a candidate would keep its
// view's alive). Kept orders hold pointers: a rebuild after a publish
// copies a pointer a version, not the version (at 5,000 versions 40 KB
// instead of 560 KB a publish, the largest allocation of a rebuild), and
// a version kept from one order to the next is the same pointer, which is
// how the flat container's list finds the runs it can keep (flatParts).
type version struct {
	key   string // the stored form
	v     Version
	id    string // the package id as this version wrote it
	cand  *resolve.Candidate
	entry *Entry
}

// versionSize is the memory a version of a kept order holds (its
// pointer too).
func versionSize(v *version) int64 {
	return 8 + int64(unsafe.Sizeof(*v)) + int64(len(v.key)+len(v.id)+len(v.v.Release)+len(v.v.Metadata))
}

// versions resolves the package of the call through the repository's
// upstreams and external connection, and returns its versions that
// clients see, in order: Published and Unlisted ones (Unlisted ones show
// as not listed), SemVer 2.0.0 ones only when semVer2, with the view
// they are of. The versions are shared with other reads: they must not
// be modified.
func (f *Format) versions(ctx context.Context, c *call, semVer2 bool) (id string, out []*version, view *resolve.View, err error) {
	if err := ValidateID(c.rt.id); err != nil {
		return "", nil, nil, errkind.NotFoundf("Package %q not found: %s", c.rt.id, errkind.As(err).Message)
	}
	view, err = f.d.Resolver.Package(ctx, c.req.Repository, Ref(c.rt.id))
	if err != nil {
		return "", nil, nil, err
	}
	out = f.visible(orderKey{c.req.Repository.ID, view.Ref.Name, semVer2}, view, semVer2)
	if len(out) == 0 {
		return "", nil, nil, errkind.NotFoundf("Package %s has no versions in repository %s or its upstreams", NormalizeID(c.rt.id), c.req.Repository.Name)
	}
	// The id as the latest version wrote it.
	return out[len(out)-1].id, out, view, nil
}

// cached serves the document kind of the call's package from the cache,
// or renders it once however many requests ask at the same time. render
// gets the package's versions as versions returns them.
func (f *Format) cached(c *call, kind string, semVer2 bool, render func(id string, vs []*version, view *resolve.View) *rendered.Doc) error {
	repo := c.req.Repository
	ref := Ref(c.rt.id)
	key := docKey{repository: repo.ID, id: ref.Name, kind: kind, baseURL: c.req.BaseURL}
	// The generation is read before resolving: a write that lands while
	// the document renders leaves it under the old generation, stale.
	gen := f.d.Catalog.PackageGeneration(repo.DomainID, ref)
	atLeast := f.writers.Seen(repo.DomainID, ref, c.req.Claims.ID)
	doc, err := f.docs.LoadAtLeast(key, gen, atLeast, func() (*rendered.Doc, bool, error) {
		// The work outlives a client that goes away, for the others.
		id, vs, view, err := f.versions(context.WithoutCancel(c.ctx()), c, semVer2)
		if err != nil {
			return nil, false, err
		}
		return render(id, vs, view), view.Remote, nil
	})
	if err != nil {
		return err
	}
	doc.Serve(c.w, c.r)
	return nil
}

// notePublish records that the request's client (its token) changed the
// package, so that its next read shows the change while other readers
// may be served the previous rendering.
func (f *Format) notePublish(c *call, ref artifact.PackageRef) {
	f.writers.Wrote(c.req.Repository.DomainID, ref, c.req.Claims.ID)
}

// visible returns the versions of a view that clients see, in order,
// without their entries, kept under key by the view's lineage (a
// rebuild after a publish places the versions published since). The
// briefs of versions with a revision are decoded once (f.briefs).
func (f *Format) visible(key orderKey, view *resolve.View, semVer2 bool) []*version {
	shown := func(cand *resolve.Candidate) (*version, bool, error) {
		if !cand.Status.Downloadable() {
			return nil, false, nil
		}
		decode := func() brief {
			e, ok := EntryOf(cand.Meta)
			if !ok {
				return brief{}
			}
			v, err := ParseVersion(e.Version)
			return brief{v: v, id: e.ID, semVer2: e.SemVer2, ok: err == nil}
		}
		var b brief
		if cand.Revision != "" {
			b = f.briefs.Get(entryKey{view.Ref.Name, cand.Version.Version, cand.Revision}, decode)
		} else {
			b = decode()
		}
		if !b.ok || (b.semVer2 && !semVer2) {
			return nil, false, nil
		}
		return &version{key: cand.Version.Version, v: b.v, id: b.id}, true, nil
	}
	vs, _ := f.sorted.Items(key, view, shown, func(v *version) string { return v.key }, compareVersions)
	return vs
}

// compareVersions orders versions as clients see them, and versions
// differing only in build metadata by their stored form.
func compareVersions(a, b *version) int {
	if c := Compare(a.v, b.v); c != 0 {
		return c
	}
	return strings.Compare(a.key, b.key)
}

// withEntries returns vs, versions of view that visible returned, with
// their candidates and entries (copies: the kept ones are shared): the
// entries of versions with a revision are decoded once (f.entries).
func (f *Format) withEntries(view *resolve.View, vs []*version) []version {
	name := view.Ref.Name
	out := make([]version, len(vs))
	for i := range out {
		out[i] = *vs[i]
		cand := view.Versions[out[i].key]
		out[i].cand = cand
		decode := func() decoded {
			e, ok := EntryOf(cand.Meta)
			return decoded{entry: e, ok: ok, size: 2*int64(len(cand.Meta.Extra)) + 256}
		}
		var d decoded
		if cand.Revision != "" {
			d = f.entries.Get(entryKey{name, out[i].key, cand.Revision}, decode)
		} else {
			d = decode()
		}
		out[i].entry = &d.entry
	}
	return out
}

// flatVersions serves v3/package/{id}/index.json: the lower-cased
// versions a client may restore (Unlisted ones included, as on the public
// gallery, so that pinned versions still restore).
func (f *Format) flatVersions(c *call) error {
	return f.cached(c, "flat", true, func(id string, vs []*version, _ *resolve.View) *rendered.Doc {
		key := docKey{repository: c.req.Repository.ID, id: Ref(c.rt.id).Name, kind: "flat"}
		return f.flatDoc(key, id, vs)
	})
}

// flatDoc renders the flat container's list of vs, the versions of the
// package key names (its kind "flat", no base URL: the list has no
// URLs) as visible returned them, written by id.
func (f *Format) flatDoc(key docKey, id string, vs []*version) *rendered.Doc {
	parts := []*rendered.Part{flatHead}
	parts = append(parts, f.flatParts(key, rendered.Entries{
		Scope: "nuget flat " + NormalizeID(id), Len: len(vs), Sep: ",",
		Name: func(i int) string { return vs[i].key },
		// An entry is made from its version alone.
		Revision: func(int) string { return "-" },
		Render:   func(i int) []byte { return bytes.TrimSuffix(marshal(vs[i].key), []byte("\n")) },
	}, vs)...)
	parts = append(parts, flatTail)
	return rendered.AssembleEach(contentTypeJSON, parts...)
}

// flatLayout is how the flat container's list of a package was last cut
// into runs, and the versions it was made of.
type flatLayout struct {
	scope  string
	vs     []*version
	layout *rendered.Layout
}

func flatLayoutSize(l *flatLayout) int64 { return 64 + 8*int64(len(l.vs)) + l.layout.Size() }

// newFlats returns a cache of lists' layouts of at most max bytes.
func newFlats(max int64) *rendered.Cache[docKey, *flatLayout] {
	return rendered.NewCacheOfLarge[docKey](max, max/2, flatLayoutSize, time.Now)
}

// flatParts returns the runs of e, the entries of vs: when the list
// last made for key is of versions that vs holds in the same order (the
// same pointers: a kept order extended by a publish), the runs that hold
// no new version are taken as they were cut (rendered.Runs.PartsAfter),
// without naming or digesting their entries again; otherwise every run
// is cut and digested (the same parts either way).
func (f *Format) flatParts(key docKey, e rendered.Entries, vs []*version) []*rendered.Part {
	var prev *rendered.Layout
	var old []int32
	if kept, ok := f.flats.Peek(key, 0); ok && kept.scope == e.Scope {
		if old, ok = insertedInto(kept.vs, vs); ok {
			prev = kept.layout
		}
	}
	parts, layout := f.runs.PartsAfter(e, prev, func(i int) int { return int(old[i]) })
	f.flats.Put(key, 0, &flatLayout{scope: e.Scope, vs: vs, layout: layout})
	return parts
}

// insertedInto returns, when vs is prev with versions inserted (prev's
// pointers in the same order, others between), the index in prev of
// each version of vs, -1 for an inserted one; ok false otherwise.
func insertedInto(prev, vs []*version) (old []int32, ok bool) {
	if len(prev) > len(vs) {
		return nil, false
	}
	old = make([]int32, len(vs))
	j := 0
	for i, v := range vs {
		if j < len(prev) && prev[j] == v {
			old[i], j = int32(j), j+1
		} else {
			old[i] = -1
		}
	}
	return old, j == len(prev)
}

// The flat container's version list around its versions, as marshal
// writes {"versions":[...]}: parts of every list.
var (
	flatHead = rendered.NewPart([]byte(`{"versions":[`))
	flatTail = rendered.NewPart([]byte("]}\n"))
)

// flatFile serves v3/package/{id}/{version}/{id}.{version}.nupkg and
// v3/package/{id}/{version}/{id}.nuspec. The version is retained in this
// repository if it came from an upstream or the external connection.
// Unlisted versions download; Archived, Disposed and Unfinished ones do
// not.
func (f *Format) flatFile(c *call) error {
	id := NormalizeID(c.rt.id)
	key, ok := NormalizeVersion(c.rt.version)
	nupkg := id + "." + strings.ToLower(c.rt.version) + ".nupkg"
	if !ok || ValidateID(c.rt.id) != nil || (c.rt.file != nupkg && c.rt.file != id+".nuspec") {
		return errkind.NotFoundf("%s is not a file of the flat container", c.r.URL.Path)
	}
	v, err := f.d.Resolver.SharedVersion(c.ctx(), c.req.Repository, Ref(id), key)
	if err != nil {
		return err
	}
	if !v.Status.Downloadable() {
		return errkind.NotFoundf("Version %s of %s is %s: it cannot be downloaded", key, id, v.Status)
	}
	if c.rt.file == id+".nuspec" {
		e, ok := EntryOf(v.Meta)
		if !ok {
			return errkind.NotFoundf("Version %s of %s has no .nuspec", key, id)
		}
		c.w.Header().Set("Content-Type", "text/xml")
		http.ServeContent(c.w, c.r, "", time.Time{}, strings.NewReader(e.NuspecFile))
		return nil
	}
	for _, a := range v.Assets {
		if strings.HasSuffix(a.Name, ".nupkg") {
			return assets.Serve(c.w, c.r, f.d.Blobs, a, "application/octet-stream")
		}
	}
	return errkind.NotFoundf("Version %s of %s has no .nupkg", key, id)
}

// registrationBase returns the registrations' base URL of the call.
func registrationBase(c *call) string {
	if c.rt.semVer2 {
		return c.req.BaseURL + pathRegistrations2
	}
	return c.req.BaseURL + pathRegistrations1
}

// registrationIndex serves v3/registrations[2]/{id}/index.json.
func (f *Format) registrationIndex(c *call) error {
	kind := "registrations"
	if c.rt.semVer2 {
		kind = "registrations2"
	}
	return f.cached(c, kind, c.rt.semVer2, func(id string, vs []*version, view *resolve.View) *rendered.Doc {
		base := registrationBase(c) + NormalizeID(id) + "/"
		inline := len(vs) <= InlineLimit
		var pages []any
		for start := 0; start < len(vs); start += PageSize {
			pages = append(pages, f.page(c, id, base, view, vs[start:min(start+PageSize, len(vs))], inline))
		}
		return rendered.NewDoc(marshal(map[string]any{
			"@id":   base + "index.json",
			"@type": []string{"catalog:CatalogRoot", "PackageRegistration", "catalog:Permalink"},
			"count": len(pages),
			"items": pages,
		}), contentTypeJSON)
	})
}

// page renders a registration page: with its leaves when withItems.
func (f *Format) page(c *call, id, base string, view *resolve.View, vs []*version, withItems bool) map[string]any {
	lower, upper := vs[0].v.String(), vs[len(vs)-1].v.String()
	p := map[string]any{
		"@id":    base + "page/" + strings.ToLower(lower) + "/" + strings.ToLower(upper) + ".json",
		"@type":  "catalog:CatalogPage",
		"count":  len(vs),
		"lower":  lower,
		"upper":  upper,
		"parent": base + "index.json",
	}
	if withItems {
		items := make([]any, len(vs))
		for i, v := range f.withEntries(view, vs) {
			items[i] = f.leaf(c, v)
		}
		p["items"] = items
	}
	return p
}

// registrationPage serves a page that the index did not inline.
func (f *Format) registrationPage(c *call) error {
	id, vs, view, err := f.versions(c.ctx(), c, c.rt.semVer2)
	if err != nil {
		return err
	}
	base := registrationBase(c) + NormalizeID(id) + "/"
	for start := 0; start < len(vs); start += PageSize {
		page := vs[start:min(start+PageSize, len(vs))]
		if strings.EqualFold(page[0].v.String(), c.rt.lower) && strings.EqualFold(page[len(page)-1].v.String(), c.rt.upper) {
			p := f.page(c, id, base, view, page, true)
			p["@context"] = map[string]string{"@vocab": "http://schema.nuget.org/schema#"}
			return serveJSON(c, p)
		}
	}
	return errkind.NotFoundf("Package %s has no registration page %s to %s", NormalizeID(id), c.rt.lower, c.rt.upper)
}

// registrationLeaf serves v3/registrations[2]/{id}/{version}.json.
func (f *Format) registrationLeaf(c *call) error {
	id, vs, view, err := f.versions(c.ctx(), c, c.rt.semVer2)
	if err != nil {
		return err
	}
	key, _ := NormalizeVersion(c.rt.version)
	for _, v := range vs {
		if v.key == key {
			return serveJSON(c, f.leaf(c, f.withEntries(view, []*version{v})[0]))
		}
	}
	return errkind.NotFoundf("Version %s of %s not found", c.rt.version, NormalizeID(id))
}

// leaf renders a registration leaf: the version's catalog entry and where
// its package downloads from.
func (f *Format) leaf(c *call, v version) map[string]any {
	e := v.entry
	id := NormalizeID(e.ID)
	base := registrationBase(c) + id + "/"
	leafURL := base + v.key + ".json"
	content := c.req.BaseURL + pathFlat + id + "/" + v.key + "/" + id + "." + v.key + ".nupkg"
	listed := v.cand.Status.Listed()
	published := v.cand.Meta.PublishedAt.UTC()
	if !listed {
		published = unlistedPublished
	}
	groups := make([]any, 0, len(e.DependencyGroups))
	for gi, g := range e.DependencyGroups {
		groupID := leafURL + "#dependencygroup/" + strconv.Itoa(gi)
		deps := make([]any, 0, len(g.Dependencies))
		for _, d := range g.Dependencies {
			dep := map[string]any{
				"@id": groupID + "/" + strings.ToLower(d.ID), "@type": "PackageDependency",
				"id": d.ID, "registration": registrationBase(c) + NormalizeID(d.ID) + "/index.json",
			}
			if d.Range != "" {
				dep["range"] = d.Range
			}
			deps = append(deps, dep)
		}
		group := map[string]any{"@id": groupID, "@type": "PackageDependencyGroup", "dependencies": deps}
		if g.TargetFramework != "" {
			group["targetFramework"] = g.TargetFramework
		}
		groups = append(groups, group)
	}
	entry := map[string]any{
		"@id": leafURL, "@type": "PackageDetails",
		"id": e.ID, "version": v.v.String(),
		"authors": e.Authors, "description": e.Description, "summary": e.Summary, "title": e.Title,
		"tags": tagList(e.Tags), "projectUrl": e.ProjectURL, "licenseUrl": e.LicenseURL,
		"licenseExpression": e.LicenseExpression, "iconUrl": e.IconURL, "language": e.Language,
		"requireLicenseAcceptance": e.RequireLicenseAcceptance, "minClientVersion": e.MinClientVersion,
		"listed": listed, "published": published.Format(time.RFC3339Nano),
		"dependencyGroups": groups, "packageContent": content,
	}
	return map[string]any{
		"@id": leafURL, "@type": "Package", "catalogEntry": entry,
		"packageContent": content, "registration": base + "index.json",
	}
}

// Search bounds: the default and largest page ("take").
const (
	searchTake    = 20
	searchMaxTake = 1000
)

// search serves v3/search?q=&skip=&take=&prerelease=&semVerLevel=: the
// repository's own packages (not its upstreams'), by id, whose listed
// versions match. Every term of q must appear in the id, title, tags or
// description, case-insensitively.
func (f *Format) search(c *call) error {
	q := c.r.URL.Query()
	skip, _ := strconv.Atoi(q.Get("skip"))
	take, err := strconv.Atoi(q.Get("take"))
	if err != nil || take <= 0 {
		take = searchTake
	}
	take, skip = min(take, searchMaxTake), max(skip, 0)
	prerelease := strings.EqualFold(q.Get("prerelease"), "true")
	semVer2 := false
	if lv, err := ParseVersion(q.Get("semVerLevel")); err == nil && lv.Major >= 2 {
		semVer2 = true
	}
	terms := strings.Fields(strings.ToLower(q.Get("q")))
	ctx, repo := c.ctx(), c.req.Repository
	var hits []any
	total := 0
	filter := store.PackageFilter{Format: artifact.NuGet}
	for {
		page, err := f.d.Catalog.ListPackages(ctx, repo, filter, 1000)
		if err != nil {
			return err
		}
		for _, p := range page.Packages {
			_, stored, _, err := f.d.Catalog.PackageVersions(ctx, repo, p.PackageRef)
			if err != nil {
				return err
			}
			var listed []version
			for _, v := range stored {
				e, ok := EntryOf(v.Meta)
				pv, err := ParseVersion(e.Version)
				if !ok || err != nil || !v.Status.Listed() || (e.SemVer2 && !semVer2) || (pv.IsPrerelease() && !prerelease) {
					continue
				}
				listed = append(listed, version{key: v.Version, v: pv, entry: &e, cand: &resolve.Candidate{Version: &v}})
			}
			if len(listed) == 0 || !matches(*listed[0].entry, terms) {
				continue
			}
			slices.SortFunc(listed, func(a, b version) int { return Compare(a.v, b.v) })
			if total++; total > skip && len(hits) < take {
				hits = append(hits, searchResult(c, listed))
			}
		}
		if !page.More {
			break
		}
		filter.After = page.Packages[len(page.Packages)-1].PackageRef
	}
	if hits == nil {
		hits = []any{}
	}
	return serveJSON(c, map[string]any{"totalHits": total, "data": hits})
}

func matches(e Entry, terms []string) bool {
	text := strings.ToLower(strings.Join([]string{e.ID, e.Title, e.Tags, e.Description}, " "))
	for _, t := range terms {
		if !strings.Contains(text, t) {
			return false
		}
	}
	return true
}

// searchResult renders a package of the search results from its listed
// versions, in order.
func searchResult(c *call, vs []version) map[string]any {
	latest := vs[len(vs)-1]
	e := latest.entry
	id := NormalizeID(e.ID)
	registration := c.req.BaseURL + pathRegistrations2 + id + "/index.json"
	versions := make([]any, len(vs))
	for i, v := range vs {
		versions[i] = map[string]any{"version": v.v.String(), "downloads": 0, "@id": c.req.BaseURL + pathRegistrations2 + id + "/" + v.key + ".json"}
	}
	return map[string]any{
		"@id": registration, "@type": "Package", "registration": registration,
		"id": e.ID, "version": latest.v.String(), "description": e.Description, "summary": e.Summary, "title": e.Title,
		"iconUrl": e.IconURL, "licenseUrl": e.LicenseURL, "projectUrl": e.ProjectURL, "tags": tagList(e.Tags),
		"authors": authorList(e.Authors), "owners": e.Owners, "totalDownloads": 0, "verified": false,
		"packageTypes": []any{map[string]string{"name": "Dependency"}}, "versions": versions,
	}
}

// authorList splits a manifest's comma-separated authors.
func authorList(authors string) []string {
	out := []string{}
	for _, a := range strings.Split(authors, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
