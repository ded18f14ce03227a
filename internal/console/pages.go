package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/arcahq/arca/internal/errkind"
)

// The control plane's outputs, as far as the pages show them (JSON member
// names of the CodeArtifact model).
type (
	domainSummary struct {
		Name        string  `json:"name"`
		Owner       string  `json:"owner"`
		Arn         string  `json:"arn"`
		Status      string  `json:"status"`
		CreatedTime float64 `json:"createdTime"`
	}
	domainDescription struct {
		domainSummary
		RepositoryCount int   `json:"repositoryCount"`
		AssetSizeBytes  int64 `json:"assetSizeBytes"`
	}
	repositorySummary struct {
		Name                 string `json:"name"`
		AdministratorAccount string `json:"administratorAccount"`
		DomainName           string `json:"domainName"`
		DomainOwner          string `json:"domainOwner"`
		Description          string `json:"description"`
	}
	repositoryDescription struct {
		repositorySummary
		Arn       string `json:"arn"`
		Upstreams []struct {
			RepositoryName string `json:"repositoryName"`
		} `json:"upstreams"`
		ExternalConnections []struct {
			ExternalConnectionName string `json:"externalConnectionName"`
			PackageFormat          string `json:"packageFormat"`
			Status                 string `json:"status"`
		} `json:"externalConnections"`
	}
	originRestrictions struct {
		Publish  string `json:"publish"`
		Upstream string `json:"upstream"`
	}
	packageSummary struct {
		Format              string `json:"format"`
		Namespace           string `json:"namespace"`
		Package             string `json:"package"`
		OriginConfiguration struct {
			Restrictions originRestrictions `json:"restrictions"`
		} `json:"originConfiguration"`
	}
	versionOrigin struct {
		DomainEntryPoint struct {
			RepositoryName         string `json:"repositoryName"`
			ExternalConnectionName string `json:"externalConnectionName"`
		} `json:"domainEntryPoint"`
		OriginType string `json:"originType"`
	}
	versionSummary struct {
		Version  string        `json:"version"`
		Revision string        `json:"revision"`
		Status   string        `json:"status"`
		Origin   versionOrigin `json:"origin"`
	}
	versionDescription struct {
		Format        string  `json:"format"`
		Namespace     string  `json:"namespace"`
		PackageName   string  `json:"packageName"`
		DisplayName   string  `json:"displayName"`
		Version       string  `json:"version"`
		Summary       string  `json:"summary"`
		HomePage      string  `json:"homePage"`
		SourceCode    string  `json:"sourceCodeRepository"`
		PublishedTime float64 `json:"publishedTime"`
		Licenses      []struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		} `json:"licenses"`
		Revision string        `json:"revision"`
		Status   string        `json:"status"`
		Origin   versionOrigin `json:"origin"`
	}
	assetSummary struct {
		Name   string            `json:"name"`
		Size   int64             `json:"size"`
		Hashes map[string]string `json:"hashes"`
	}
	dependency struct {
		Namespace          string `json:"namespace"`
		Package            string `json:"package"`
		DependencyType     string `json:"dependencyType"`
		VersionRequirement string `json:"versionRequirement"`
	}
	heldVersion struct {
		Version       string  `json:"version"`
		PackageGroup  string  `json:"packageGroup"`
		PublishedTime float64 `json:"publishedTime"`
		AvailableTime float64 `json:"availableTime"`
		Reason        string  `json:"reason"`
	}
	groupRestriction struct {
		Mode          string `json:"mode"`
		EffectiveMode string `json:"effectiveMode"`
		InheritedFrom struct {
			Pattern string `json:"pattern"`
		} `json:"inheritedFrom"`
	}
	packageGroup struct {
		Arn                 string  `json:"arn"`
		Pattern             string  `json:"pattern"`
		Description         string  `json:"description"`
		ContactInfo         string  `json:"contactInfo"`
		CreatedTime         float64 `json:"createdTime"`
		OriginConfiguration struct {
			Restrictions map[string]groupRestriction `json:"restrictions"`
		} `json:"originConfiguration"`
		Parent struct {
			Pattern string `json:"pattern"`
		} `json:"parent"`
	}
)

// invoke runs an operation for the session's principal.
func (c *Console) invoke(ctx context.Context, s *session, op string, in map[string]any, out any) error {
	return c.control.Invoke(ctx, s.Principal, op, in, out)
}

// domainIn is the domain of a page's path.
func domainIn(r *http.Request) map[string]any {
	return map[string]any{"domain": r.PathValue("domain"), "domainOwner": r.PathValue("owner")}
}

// repoIn adds the page's repository.
func repoIn(r *http.Request) map[string]any {
	in := domainIn(r)
	in["repository"] = r.PathValue("repo")
	return in
}

// pkgIn adds the page's package: its format and name from the path, its
// namespace from the query.
func pkgIn(r *http.Request) map[string]any {
	in := repoIn(r)
	in["format"] = r.PathValue("format")
	in["package"] = r.PathValue("package")
	if ns := r.URL.Query().Get("namespace"); ns != "" {
		in["namespace"] = ns
	}
	return in
}

// Paths of the pages.
func domainPath(owner, domain string) string {
	return "/console/domains/" + url.PathEscape(owner) + "/" + url.PathEscape(domain)
}

func repoPath(owner, domain, repo string) string {
	return domainPath(owner, domain) + "/repositories/" + url.PathEscape(repo)
}

func pkgPath(owner, domain, repo, format, namespace, name string) string {
	p := repoPath(owner, domain, repo) + "/packages/" + url.PathEscape(format) + "/" + url.PathEscape(name)
	if namespace != "" {
		p += "?namespace=" + url.QueryEscape(namespace)
	}
	return p
}

func versionPath(owner, domain, repo, format, namespace, name, version string) string {
	p := repoPath(owner, domain, repo) + "/packages/" + url.PathEscape(format) + "/" + url.PathEscape(name) + "/versions/" + url.PathEscape(version)
	if namespace != "" {
		p += "?namespace=" + url.QueryEscape(namespace)
	}
	return p
}

// crumbs of the pages below a domain.
func domainCrumbs(r *http.Request) []link {
	o, d := r.PathValue("owner"), r.PathValue("domain")
	return []link{{"Domains", "/console/domains"}, {d, domainPath(o, d)}}
}

func repoCrumbs(r *http.Request) []link {
	o, d, rp := r.PathValue("owner"), r.PathValue("domain"), r.PathValue("repo")
	return append(domainCrumbs(r), link{rp, repoPath(o, d, rp)})
}

func pkgCrumbs(r *http.Request) []link {
	o, d, rp := r.PathValue("owner"), r.PathValue("domain"), r.PathValue("repo")
	name := r.PathValue("package")
	ns := r.URL.Query().Get("namespace")
	display := name
	if ns != "" {
		display = ns + "/" + name
	}
	return append(repoCrumbs(r), link{display, pkgPath(o, d, rp, r.PathValue("format"), ns, name)})
}

func (c *Console) home(w http.ResponseWriter, r *http.Request, s *session) {
	http.Redirect(w, r, "/console/domains", http.StatusSeeOther)
}

// --- domains ---

func (c *Console) domains(w http.ResponseWriter, r *http.Request, s *session) {
	var out struct {
		Domains []domainSummary `json:"domains"`
	}
	if err := c.invoke(r.Context(), s, "ListDomains", map[string]any{}, &out); err != nil {
		c.fail(w, r, s, err)
		return
	}
	type row struct {
		domainSummary
		Href string
	}
	rows := make([]row, len(out.Domains))
	for i, d := range out.Domains {
		rows[i] = row{d, domainPath(d.Owner, d.Name)}
	}
	c.render(w, r, http.StatusOK, "domains", page{Title: "Domains", Session: s, Crumbs: []link{{"Domains", ""}}, Data: rows})
}

func (c *Console) domain(w http.ResponseWriter, r *http.Request, s *session) {
	var d struct {
		Domain domainDescription `json:"domain"`
	}
	if err := c.invoke(r.Context(), s, "DescribeDomain", domainIn(r), &d); err != nil {
		c.fail(w, r, s, err)
		return
	}
	var repos struct {
		Repositories []repositorySummary `json:"repositories"`
	}
	// The repositories are a permission of their own: without it the page
	// says so, and still shows the domain.
	type row struct {
		repositorySummary
		Href string
	}
	var rows []row
	reposErr := ""
	if err := c.invoke(r.Context(), s, "ListRepositoriesInDomain", domainIn(r), &repos); err != nil {
		if errkind.KindOf(err) != errkind.AccessDenied {
			c.fail(w, r, s, err)
			return
		}
		reposErr = errkind.As(err).Message
	}
	for _, rp := range repos.Repositories {
		rows = append(rows, row{rp, repoPath(rp.DomainOwner, rp.DomainName, rp.Name)})
	}
	c.render(w, r, http.StatusOK, "domain", page{Title: d.Domain.Name, Session: s, Crumbs: domainCrumbs(r), Data: struct {
		Domain       domainDescription
		Repositories []row
		ReposDenied  string
		GroupsHref   string
		EventsHref   string
	}{d.Domain, rows, reposErr, domainPath(d.Domain.Owner, d.Domain.Name) + "/groups", eventsPath(d.Domain.Owner, d.Domain.Name)}})
}

// --- package groups ---

func (c *Console) groups(w http.ResponseWriter, r *http.Request, s *session) {
	var out struct {
		PackageGroups []packageGroup `json:"packageGroups"`
	}
	if err := c.invoke(r.Context(), s, "ListPackageGroups", domainIn(r), &out); err != nil {
		c.fail(w, r, s, err)
		return
	}
	sort.Slice(out.PackageGroups, func(i, j int) bool { return out.PackageGroups[i].Pattern < out.PackageGroups[j].Pattern })
	type restriction struct {
		Type string
		groupRestriction
	}
	type row struct {
		packageGroup
		Restrictions []restriction
	}
	rows := make([]row, len(out.PackageGroups))
	for i, g := range out.PackageGroups {
		rows[i].packageGroup = g
		for _, t := range []string{"PUBLISH", "EXTERNAL_UPSTREAM", "INTERNAL_UPSTREAM"} {
			if x, ok := g.OriginConfiguration.Restrictions[t]; ok {
				rows[i].Restrictions = append(rows[i].Restrictions, restriction{t, x})
			}
		}
	}
	// The release-age gates and their break-glass entries are Arca's own
	// permission (arca:ListReleaseGates): without it the section says so.
	var gates struct {
		ReleaseGates []struct {
			PackageGroup struct {
				Pattern string `json:"pattern"`
			} `json:"packageGroup"`
			Own *struct {
				MinimumAgeSeconds int64  `json:"minimumAgeSeconds"`
				Cutoff            string `json:"cutoff"`
			} `json:"own"`
		} `json:"releaseGates"`
		AllowedVersions []struct {
			Format      string  `json:"format"`
			Namespace   string  `json:"namespace"`
			Package     string  `json:"package"`
			Version     string  `json:"version"`
			CreatedTime float64 `json:"createdTime"`
			CreatedBy   string  `json:"createdBy"`
		} `json:"allowedVersions"`
	}
	gatesDenied := ""
	if err := c.invoke(r.Context(), s, "ListReleaseGates", domainIn(r), &gates); err != nil {
		if errkind.KindOf(err) != errkind.AccessDenied {
			c.fail(w, r, s, err)
			return
		}
		gatesDenied = errkind.As(err).Message
	}
	c.render(w, r, http.StatusOK, "groups", page{Title: "Package groups", Session: s,
		Crumbs: append(domainCrumbs(r), link{"Package groups", ""}), Data: struct {
			Groups      []row
			Gates       any
			GatesDenied string
		}{rows, gates, gatesDenied}})
}

// --- repositories ---

// upstreamNode is one repository of the upstream graph, with its own
// upstreams below it.
type upstreamNode struct {
	Name      string
	Href      string
	External  []string
	Upstreams []*upstreamNode
	// Seen marks a repository already drawn higher in the graph (a
	// repository reachable by two paths): it is not expanded again.
	Seen bool
	// Denied holds the refusal of a repository the user may not describe.
	Denied string
}

// maxUpstreamDepth bounds the drawing (CodeArtifact allows 10 upstreams
// per repository, and graphs are acyclic).
const maxUpstreamDepth = 10

// upstreamGraph describes a repository's upstreams, depth first, in
// priority order.
func (c *Console) upstreamGraph(ctx context.Context, s *session, in map[string]any, d repositoryDescription, seen map[string]bool, depth int) ([]*upstreamNode, error) {
	var out []*upstreamNode
	for _, u := range d.Upstreams {
		n := &upstreamNode{Name: u.RepositoryName, Href: repoPath(d.DomainOwner, d.DomainName, u.RepositoryName)}
		out = append(out, n)
		if seen[u.RepositoryName] || depth >= maxUpstreamDepth {
			n.Seen = true
			continue
		}
		seen[u.RepositoryName] = true
		var ud struct {
			Repository repositoryDescription `json:"repository"`
		}
		uin := map[string]any{"domain": in["domain"], "domainOwner": in["domainOwner"], "repository": u.RepositoryName}
		if err := c.invoke(ctx, s, "DescribeRepository", uin, &ud); err != nil {
			if errkind.KindOf(err) != errkind.AccessDenied {
				return nil, err
			}
			n.Denied = errkind.As(err).Message
			continue
		}
		for _, x := range ud.Repository.ExternalConnections {
			n.External = append(n.External, x.ExternalConnectionName)
		}
		var err error
		if n.Upstreams, err = c.upstreamGraph(ctx, s, in, ud.Repository, seen, depth+1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// formats are the package formats, for the filter.
var formats = []string{"cargo", "generic", "maven", "npm", "nuget", "pypi", "ruby", "swift"}

func (c *Console) repository(w http.ResponseWriter, r *http.Request, s *session) {
	var d struct {
		Repository repositoryDescription `json:"repository"`
	}
	if err := c.invoke(r.Context(), s, "DescribeRepository", repoIn(r), &d); err != nil {
		c.fail(w, r, s, err)
		return
	}
	graph, err := c.upstreamGraph(r.Context(), s, repoIn(r), d.Repository, map[string]bool{d.Repository.Name: true}, 1)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	q := r.URL.Query()
	filter := struct{ Format, Namespace, Prefix string }{q.Get("format"), q.Get("namespace"), q.Get("prefix")}
	in := repoIn(r)
	for k, v := range map[string]string{"format": filter.Format, "namespace": filter.Namespace, "packagePrefix": filter.Prefix, "nextToken": q.Get("next")} {
		if v != "" {
			in[k] = v
		}
	}
	var pkgs struct {
		Packages  []packageSummary `json:"packages"`
		NextToken string           `json:"nextToken"`
	}
	pkgErr := ""
	if err := c.invoke(r.Context(), s, "ListPackages", in, &pkgs); err != nil {
		switch errkind.KindOf(err) {
		case errkind.AccessDenied, errkind.Validation:
			pkgErr = errkind.As(err).Message
		default:
			c.fail(w, r, s, err)
			return
		}
	}
	type row struct {
		packageSummary
		Href string
	}
	rows := make([]row, len(pkgs.Packages))
	rp := d.Repository
	for i, p := range pkgs.Packages {
		rows[i] = row{p, pkgPath(rp.DomainOwner, rp.DomainName, rp.Name, p.Format, p.Namespace, p.Package)}
	}
	nextHref := ""
	if pkgs.NextToken != "" {
		v := url.Values{}
		for k, x := range map[string]string{"format": filter.Format, "namespace": filter.Namespace, "prefix": filter.Prefix, "next": pkgs.NextToken} {
			if x != "" {
				v.Set(k, x)
			}
		}
		nextHref = repoPath(rp.DomainOwner, rp.DomainName, rp.Name) + "?" + v.Encode()
	}
	c.render(w, r, http.StatusOK, "repository", page{Title: rp.Name, Session: s, Crumbs: repoCrumbs(r), Error: pkgErr, Data: struct {
		Repository  repositoryDescription
		Graph       []*upstreamNode
		Packages    []row
		Filter      any
		Formats     []string
		NextHref    string
		ConnectHref string
	}{rp, graph, rows, filter, formats, nextHref, repoPath(rp.DomainOwner, rp.DomainName, rp.Name) + "/connect"}})
}

// --- packages ---

func (c *Console) pkg(w http.ResponseWriter, r *http.Request, s *session) {
	var d struct {
		Package struct {
			Format              string `json:"format"`
			Namespace           string `json:"namespace"`
			Name                string `json:"name"`
			OriginConfiguration struct {
				Restrictions originRestrictions `json:"restrictions"`
			} `json:"originConfiguration"`
		} `json:"package"`
	}
	if err := c.invoke(r.Context(), s, "DescribePackage", pkgIn(r), &d); err != nil {
		c.fail(w, r, s, err)
		return
	}
	in := pkgIn(r)
	if next := r.URL.Query().Get("next"); next != "" {
		in["nextToken"] = next
	}
	var vs struct {
		Versions  []versionSummary `json:"versions"`
		NextToken string           `json:"nextToken"`
	}
	if err := c.invoke(r.Context(), s, "ListPackageVersions", in, &vs); err != nil {
		c.fail(w, r, s, err)
		return
	}
	// What the release-age gate holds back is its own permission
	// (arca:ListHeldVersions): without it the section says so.
	var held struct {
		HeldVersions []heldVersion `json:"heldVersions"`
	}
	heldErr := ""
	if err := c.invoke(r.Context(), s, "ListHeldVersions", pkgIn(r), &held); err != nil {
		if errkind.KindOf(err) != errkind.AccessDenied {
			c.fail(w, r, s, err)
			return
		}
		heldErr = errkind.As(err).Message
	}
	o, dm, rp := r.PathValue("owner"), r.PathValue("domain"), r.PathValue("repo")
	p := d.Package
	type row struct {
		versionSummary
		Href string
	}
	rows := make([]row, len(vs.Versions))
	for i, v := range vs.Versions {
		rows[i] = row{v, versionPath(o, dm, rp, p.Format, p.Namespace, p.Name, v.Version)}
	}
	nextHref := ""
	if vs.NextToken != "" {
		v := url.Values{"next": {vs.NextToken}}
		if p.Namespace != "" {
			v.Set("namespace", p.Namespace)
		}
		nextHref = repoPath(o, dm, rp) + "/packages/" + url.PathEscape(p.Format) + "/" + url.PathEscape(p.Name) + "?" + v.Encode()
	}
	c.render(w, r, http.StatusOK, "package", page{Title: displayName(p.Namespace, p.Name), Session: s, Crumbs: pkgCrumbs(r), Data: struct {
		Format, Namespace, Name string
		Origin                  originRestrictions
		Versions                []row
		NextHref                string
		Held                    []heldVersion
		HeldDenied              string
	}{p.Format, p.Namespace, p.Name, p.OriginConfiguration.Restrictions, rows, nextHref, held.HeldVersions, heldErr}})
}

func displayName(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// --- versions ---

// versionIn is the page's version.
func versionIn(r *http.Request) map[string]any {
	in := pkgIn(r)
	in["packageVersion"] = r.PathValue("version")
	return in
}

// targetStatuses are the statuses UpdatePackageVersionsStatus sets.
var targetStatuses = []string{"Published", "Unlisted", "Archived"}

func (c *Console) version(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderVersion(w, r, s, http.StatusOK, "", "")
}

// renderVersion shows a version: its description, assets, dependencies
// and readme, and the status form; msg and notice report an action.
func (c *Console) renderVersion(w http.ResponseWriter, r *http.Request, s *session, status int, msg, notice string) {
	var d struct {
		PackageVersion versionDescription `json:"packageVersion"`
	}
	if err := c.invoke(r.Context(), s, "DescribePackageVersion", versionIn(r), &d); err != nil {
		c.fail(w, r, s, err)
		return
	}
	v := d.PackageVersion
	// Each part is a permission of its own; a part the user may not read
	// shows the refusal in its place.
	type part struct {
		Denied string
	}
	var assets struct {
		Assets []assetSummary `json:"assets"`
	}
	var deps struct {
		Dependencies []dependency `json:"dependencies"`
	}
	var readme struct {
		Readme string `json:"readme"`
	}
	parts := map[string]*part{}
	for _, q := range []struct {
		op  string
		out any
	}{{"ListPackageVersionAssets", &assets}, {"ListPackageVersionDependencies", &deps}, {"GetPackageVersionReadme", &readme}} {
		p := &part{}
		parts[q.op] = p
		if err := c.invoke(r.Context(), s, q.op, versionIn(r), q.out); err != nil {
			switch errkind.KindOf(err) {
			case errkind.AccessDenied, errkind.Conflict, errkind.NotFound:
				p.Denied = errkind.As(err).Message
			default:
				c.fail(w, r, s, err)
				return
			}
		}
	}
	base := versionPath(r.PathValue("owner"), r.PathValue("domain"), r.PathValue("repo"), v.Format, v.Namespace, v.PackageName, v.Version)
	path, query, _ := strings.Cut(base, "?")
	type assetRow struct {
		assetSummary
		Href   string
		SHA256 string
	}
	rows := make([]assetRow, len(assets.Assets))
	for i, a := range assets.Assets {
		href := path + "/assets/" + url.PathEscape(a.Name)
		if query != "" {
			href += "?" + query
		}
		rows[i] = assetRow{a, href, a.Hashes["SHA-256"]}
	}
	var statuses []string
	for _, st := range targetStatuses {
		if st != v.Status {
			statuses = append(statuses, st)
		}
	}
	c.render(w, r, status, "version", page{Title: displayName(v.Namespace, v.PackageName) + " " + v.Version, Session: s,
		Crumbs: append(pkgCrumbs(r), link{v.Version, ""}), Error: msg, Notice: notice, Data: struct {
			Version      versionDescription
			Assets       []assetRow
			AssetsDenied string
			Dependencies []dependency
			DepsDenied   string
			Readme       []block
			ReadmeDenied string
			Statuses     []string
			StatusAction string
		}{v, rows, parts["ListPackageVersionAssets"].Denied, deps.Dependencies, parts["ListPackageVersionDependencies"].Denied,
			markdown(readme.Readme), parts["GetPackageVersionReadme"].Denied, statuses, path + "/status" + queryOf(query)}})
}

func queryOf(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

// setStatus changes a version's status (UpdatePackageVersionsStatus, with
// the status the page showed as the expected one, so a change made in
// between is not overwritten).
func (c *Console) setStatus(w http.ResponseWriter, r *http.Request, s *session) {
	target := r.PostFormValue("status")
	in := pkgIn(r)
	in["versions"] = []any{r.PathValue("version")}
	in["targetStatus"] = target
	if exp := r.PostFormValue("expectedStatus"); exp != "" {
		in["expectedStatus"] = exp
	}
	var out struct {
		SuccessfulVersions map[string]any `json:"successfulVersions"`
		FailedVersions     map[string]struct {
			ErrorCode    string `json:"errorCode"`
			ErrorMessage string `json:"errorMessage"`
		} `json:"failedVersions"`
	}
	if err := c.invoke(r.Context(), s, "UpdatePackageVersionsStatus", in, &out); err != nil {
		if k := errkind.KindOf(err); k == errkind.AccessDenied || k == errkind.Internal {
			c.fail(w, r, s, err)
			return
		}
		c.renderVersion(w, r, s, http.StatusBadRequest, errkind.As(err).Message, "")
		return
	}
	for v, f := range out.FailedVersions {
		c.renderVersion(w, r, s, http.StatusConflict, fmt.Sprintf("Version %s was not changed: %s (%s)", v, f.ErrorMessage, f.ErrorCode), "")
		return
	}
	c.renderVersion(w, r, s, http.StatusOK, "", "The status is now "+target+".")
}

// asset downloads an asset (GetPackageVersionAsset): as an attachment,
// never rendered by the browser.
func (c *Console) asset(w http.ResponseWriter, r *http.Request, s *session) {
	// The operation's query string names (the model's locationName).
	names := map[string]string{"domain": "domain", "domainOwner": "domain-owner", "repository": "repository",
		"format": "format", "namespace": "namespace", "package": "package", "packageVersion": "version"}
	q := url.Values{}
	for k, v := range versionIn(r) {
		q.Set(names[k], v.(string))
	}
	q.Set("asset", r.PathValue("asset"))
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = q.Encode()
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(r.PathValue("asset")))
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if err := c.control.ServeAs(w, r2, s.Principal, "GetPackageVersionAsset"); err != nil {
		w.Header().Del("Content-Disposition")
		c.fail(w, r, s, err)
	}
}
