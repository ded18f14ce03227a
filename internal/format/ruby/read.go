package ruby

import (
	"context"
	"iter"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/respond"
)

// maxGems bounds the gems an index lists.
const maxGems = 100_000

// indexed is the gems of one name the indexes list: those of its
// Published versions, in the order they were pushed.
type indexed struct {
	name string
	*gemList
}

// repositoryGems collects the gems of the repository and its upstream
// repositories (a public registry behind an external connection is not
// listed: it holds hundreds of thousands), by name.
func (f *Format) repositoryGems(c *call) ([]indexed, error) {
	ctx := c.ctx()
	names, err := f.d.PackageNames(ctx, c.req.Repository, artifact.Ruby, maxGems)
	if err != nil {
		return nil, err
	}
	var out []indexed
	for _, n := range names {
		l, err := f.packageGems(ctx, n, c)
		if err != nil {
			return nil, err
		}
		if len(l.gems) > 0 || len(l.history) > 0 {
			out = append(out, indexed{name: n, gemList: l})
		}
	}
	return out, nil
}

// packageGems returns the gems of name's Published versions as the
// repository's clients see them, in the order they were pushed, with the
// package's info file: rendered once per package generation (any change
// to the package or to the domain's structure renders it again), by
// extending the list of the previous generation when only versions were
// published since (grow.go).
func (f *Format) packageGems(ctx context.Context, name string, c *call) (*gemList, error) {
	repo := c.req.Repository
	gen := f.d.Catalog.PackageGeneration(repo.DomainID, Ref(name))
	// Readers other than the gem's last pusher get the previous list
	// while it is rebuilt.
	atLeast := f.writers.Seen(repo.DomainID, Ref(name), c.req.Claims.ID)
	key := gemsKey{repository: repo.ID, name: name}
	return f.gems.LoadAtLeast(key, gen, atLeast, func() (*gemList, bool, error) {
		view, err := f.d.Resolver.Package(context.WithoutCancel(ctx), repo, Ref(name))
		if errkind.KindOf(err) == errkind.NotFound {
			return &gemList{}, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		var d gemDecoder
		own := func(cand *resolve.Candidate) []Gem {
			decode := func() []Gem { return d.decode(cand.Meta.Extra) }
			var gems []Gem
			if cand.Revision == "" {
				gems = decode()
			} else {
				gems = f.extras.Get(extraKey{name, cand.Version.Version, cand.Revision}, decode) // shared: not modified
			}
			d.saw(gems)
			return gems
		}
		if prev, ok := f.gems.Last(key); ok {
			d.prev = prev.decoded // an extension's gems share with the last decoded
			if l, ok := prev.extend(name, view, own); ok {
				l.decoded = d.prev
				return l, view.Remote, nil
			}
		}
		l := buildGems(name, view, own)
		l.decoded = d.prev
		return l, view.Remote, nil
	})
}

// notePublish records that the request's client (its token) changed the
// gem name, so that its next read shows the change.
func (f *Format) notePublish(c *call, name string) {
	f.writers.Wrote(c.req.Repository.DomainID, Ref(name), c.req.Claims.ID)
}

// sortByPush orders gems as the info file lists them: by push time, then
// file name.
func sortByPush(gems []Gem) {
	slices.SortFunc(gems, func(a, b Gem) int {
		if c := a.Pushed.Compare(b.Pushed); c != 0 {
			return c
		}
		return strings.Compare(a.FullName(), b.FullName())
	})
}

// serve answers a document rendered for this request with the quoted
// MD5 of its bytes as its ETag (Bundler checks the ETag against the MD5
// of what it holds, after appending a Range answer), honouring Range and
// If-None-Match. A document kept across requests is a document instead.
func serve(c *call, contentType string, body []byte) error {
	h := c.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("ETag", `"`+MD5(body)+`"`)
	respond.Bytes(c.w, c.r, time.Time{}, body)
	return nil
}

// specs serves one list of the Marshal index.
func (f *Format) specs(c *call, which Which) error {
	pkgs, err := f.repositoryGems(c)
	if err != nil {
		return err
	}
	var gems []gemID
	for _, p := range pkgs {
		gems = append(gems, p.gems...)
	}
	return serve(c, "application/octet-stream", specsIndex(gems, which))
}

// findGem finds the gem whose file stem (name-version[-platform]) is
// stem. Names may hold "-", so each split whose version part is a
// version is tried; the downloadable (Published or Unlisted) version
// holding the file wins.
func (f *Format) findGem(c *call, stem string) (Gem, string, error) {
	ctx := c.ctx()
	for name, version := range splits(stem) {
		view, err := f.d.Resolver.Package(ctx, c.req.Repository, Ref(name))
		if errkind.KindOf(err) == errkind.NotFound {
			continue
		}
		if err != nil {
			return Gem{}, "", err
		}
		cand, ok := view.Versions[version]
		if !ok || !cand.Status.Downloadable() {
			continue
		}
		if g, ok := ParseExtra(cand.Meta.Extra).Gems[stem+".gem"]; ok {
			return g, name, nil
		}
	}
	return Gem{}, "", errkind.NotFoundf("Gem %s not found in repository %s or its upstreams", stem, c.req.Repository.Name)
}

// splits yields the (name, version) readings of a gem file's stem,
// "{name}-{version}[-{platform}]", whose name and version are valid: a
// name may contain dashes, so each dash is tried in turn.
func splits(stem string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for i := strings.IndexByte(stem, '-'); i > 0; i = nextDash(stem, i) {
			name, rest := stem[:i], stem[i+1:]
			version, _, _ := strings.Cut(rest, "-")
			if ValidateName(name) != nil {
				continue
			}
			if _, err := ParseVersion(version); err != nil {
				continue
			}
			if !yield(name, version) {
				return
			}
		}
	}
}

func nextDash(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '-')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// quickSpec serves quick/Marshal.4.8/{full name}.gemspec.rz.
func (f *Format) quickSpec(c *call) error {
	stem, ok := strings.CutSuffix(c.r.PathValue("file"), ".gemspec.rz")
	if !ok {
		return errkind.NotFoundf("%s is not a quick gemspec", c.r.PathValue("file"))
	}
	g, _, err := f.findGem(c, stem)
	if err != nil {
		return err
	}
	return serve(c, "application/octet-stream", QuickSpec(&g.Spec))
}

// download sends a .gem. Its version is retained in this repository if it
// came from an upstream. Unlisted (yanked) versions download; Archived,
// Disposed and Unfinished ones do not.
func (f *Format) download(c *call) error {
	file := c.r.PathValue("file")
	stem, ok := strings.CutSuffix(file, ".gem")
	if !ok {
		return errkind.NotFoundf("%s is not a gem file", file)
	}
	// The file is an asset of its version: looked up by name and version
	// directly, not through the package's view of every version.
	for name, version := range splits(stem) {
		v, a, err := f.d.Resolver.Asset(c.ctx(), c.req.Repository, Ref(name), version, file)
		if errkind.KindOf(err) == errkind.NotFound {
			continue
		}
		if err != nil {
			return err
		}
		if !v.Status.Downloadable() {
			break
		}
		return assets.Serve(c.w, c.r, f.d.Blobs, a, "application/octet-stream")
	}
	return errkind.NotFoundf("Gem %s not found in repository %s or its upstreams", stem, c.req.Repository.Name)
}

// versions serves the compact index's versions. A repository whose
// search reaches public:ruby-gems-org serves the registry's versions
// file followed by the lines of its own gems (later lines of a name
// update it, so their checksums are those of the info files served
// here): Bundler asks only for the info files of gems the versions file
// lists. When the registry's file cannot be had, the repository's own
// lines are served.
func (f *Format) versions(c *call) error {
	pkgs, err := f.repositoryGems(c)
	if err != nil {
		return err
	}
	var events []VersionsEvent
	for _, p := range pkgs {
		events = append(events, p.history...)
	}
	if public := f.publicVersions(c); public != nil {
		return serve(c, "text/plain; charset=utf-8", AppendVersions(public, events))
	}
	lists := make([]*gemList, len(pkgs))
	for i, p := range pkgs {
		lists[i] = p.gemList
	}
	key := c.req.Repository.ID
	if v, ok := f.versionsFiles.Peek(key, 0); ok && v.madeFrom(lists) {
		v.doc.serve(c)
		return nil
	}
	body := VersionsFile(events)
	if int64(len(body)) > f.versionsMax {
		return serve(c, "text/plain; charset=utf-8", body) // would not be kept
	}
	v := &versionsFile{lists: lists, doc: newDocument(body, "text/plain; charset=utf-8")}
	f.versionsFiles.Put(key, 0, v)
	v.doc.serve(c)
	return nil
}

// versionsFiler is the connection client's part publicVersions uses.
type versionsFiler interface {
	VersionsFile(ctx context.Context) ([]byte, error)
}

// publicVersions returns the versions file of the gem registry the
// repository's search reaches, or nil.
func (f *Format) publicVersions(c *call) []byte {
	conn, ok := f.d.Resolver.Connection(ConnectionName)
	if !ok {
		return nil
	}
	vf, ok := conn.(versionsFiler)
	if !ok {
		return nil
	}
	ctx, repo := c.ctx(), c.req.Repository
	order, err := f.d.Resolver.SearchOrder(ctx, repo)
	if err != nil {
		return nil
	}
	for _, name := range order {
		r, err := f.d.Catalog.Repository(ctx, catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: repo.DomainOwner, Name: repo.DomainName}, Name: name})
		if err != nil || !slices.Contains(r.ExternalConnections, ConnectionName) {
			continue
		}
		b, err := vf.VersionsFile(ctx)
		if err != nil {
			f.d.Log.Warn("the gem registry's versions file is unavailable; serving the repository's own", "repository", repo.Name, "error", err)
			return nil
		}
		return b
	}
	return nil
}

// info serves the compact index's info/{name}.
func (f *Format) info(c *call) error {
	name := c.r.PathValue("name")
	if err := ValidateName(name); err != nil {
		return errkind.NotFoundf("Gem %q not found: %s", name, errkind.As(err).Message)
	}
	l, err := f.packageGems(c.ctx(), name, c)
	if err != nil {
		return err
	}
	if len(l.gems) == 0 {
		return errkind.NotFoundf("Gem %s not found in repository %s or its upstreams", name, c.req.Repository.Name)
	}
	l.info.serve(c)
	return nil
}

// names serves the compact index's names.
func (f *Format) names(c *call) error {
	pkgs, err := f.repositoryGems(c)
	if err != nil {
		return err
	}
	var names []string
	for _, p := range pkgs {
		if len(p.gems) > 0 {
			names = append(names, p.name)
		}
	}
	return serve(c, "text/plain; charset=utf-8", NamesFile(names))
}

// root answers the endpoint itself: RubyGems 3.3's gem install asks
// HEAD {source} and, when it answers, resolves through the compact index
// (info/{name} and the quick gemspecs) rather than the Marshal index,
// which lists only what repositories hold; so gems of the public
// registry behind the external connection install with gem too.
func (f *Format) root(c *call) error {
	return text(c, http.StatusOK, "RubyGems repository "+c.req.Repository.Name+": gem and Bundler sources use this URL\n")
}
