package swift_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/swift"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// scanIdentifiers is the identifiers lookup as it was before the index:
// every version of every Swift package of the repository read, and the
// packages kept of which a listed release names the URL. The index must
// answer the same.
func scanIdentifiers(ctx context.Context, t *testing.T, c *catalog.Catalog, repo store.Repository, want string) []string {
	t.Helper()
	want = swift.NormalizeURL(want)
	ids := []string{}
	filter := store.PackageFilter{Format: artifact.Swift}
	for {
		page, err := c.ListPackages(ctx, repo, filter, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Packages {
			_, versions, _, err := c.PackageVersions(ctx, repo, p.PackageRef)
			if err != nil {
				t.Fatal(err)
			}
			named := false
			for _, v := range versions {
				m, err := swift.ParseMetadata(v.Meta.Extra)
				if err != nil || !v.Status.Listed() {
					continue
				}
				for _, u := range m.RepositoryURLs {
					named = named || swift.NormalizeURL(u) == want
				}
			}
			if named {
				ids = append(ids, p.Namespace+"."+p.Name)
			}
		}
		if !page.More || len(page.Packages) == 0 {
			return ids
		}
		filter.After = page.Packages[len(page.Packages)-1].PackageRef
	}
}

// TestSwiftIdentifiersIndex compares the indexed lookup with the scan
// after every step of publishes, copies, status changes, disposals and
// deletes, for URLs written as clients write them.
func TestSwiftIdentifiersIndex(t *testing.T) {
	s := servertest.NewScenario(t, domain)
	repos := map[string]*env{}
	for _, name := range []string{"repo", "copy"} {
		repos[name] = &env{s: s, t: t, base: s.Repository(name, types.PackageFormatSwift)}
	}
	cat := s.Catalog()
	ctx := t.Context()
	stored := map[string]store.Repository{}
	for name := range repos {
		r, err := cat.Repository(ctx, catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: servertest.AccountID, Name: domain}, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		stored[name] = r
	}
	urls := []string{
		"https://example.com/mona/LinkedList", "https://EXAMPLE.com/mona/LinkedList.git/", "git@example.com:mona/LinkedList.git",
		"https://example.com/mona/tree", "https://example.com/other", "ssh://git@example.com/mona/tree.git",
	}
	check := func(step string) {
		t.Helper()
		for name, e := range repos {
			for _, u := range urls {
				r := e.get("identifiers?url="+url.QueryEscape(u), map[string]string{"Accept": accept})
				got := []string{}
				switch r.Status {
				case http.StatusOK:
					var body struct{ Identifiers []string }
					if err := json.Unmarshal(r.Body, &body); err != nil {
						t.Fatalf("%s: %s", step, r.Body)
					}
					got = body.Identifiers
				case http.StatusNotFound:
				default:
					t.Fatalf("%s: identifiers of %s in %s: %d %s", step, u, name, r.Status, r.Body)
				}
				if want := scanIdentifiers(ctx, t, cat, stored[name], u); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: identifiers of %s in %s = %v, the scan finds %v", step, u, name, got, want)
				}
			}
		}
	}
	archive := func(root string) []byte {
		return sourceArchive(t, root, map[string]string{"Package.swift": "// swift-tools-version:5.7\n"})
	}
	publish := func(path, metadata string) {
		t.Helper()
		expect(t, repos["repo"].publish(path, archive("P"), metadata), http.StatusCreated)
	}
	meta := func(urls ...string) string {
		b, _ := json.Marshal(map[string]any{"repositoryURLs": urls})
		return string(b)
	}
	ca := s.CA
	// pkg names a package of "repo" as the control plane's inputs do.
	type pkg struct{ d, r, ns, p *string }
	of := func(scope, name string) pkg {
		return pkg{aws.String(domain), aws.String("repo"), aws.String(scope), aws.String(name)}
	}
	status := func(target types.PackageVersionStatus, k pkg, vs ...string) {
		t.Helper()
		if _, err := ca.UpdatePackageVersionsStatus(ctx, &codeartifact.UpdatePackageVersionsStatusInput{Domain: k.d, Repository: k.r, Namespace: k.ns, Package: k.p, Format: types.PackageFormatSwift, Versions: vs, TargetStatus: target}); err != nil {
			t.Fatal(err)
		}
	}
	copyTo := func(dst string, k pkg, vs ...string) {
		t.Helper()
		if _, err := ca.CopyPackageVersions(ctx, &codeartifact.CopyPackageVersionsInput{Domain: k.d, SourceRepository: k.r, DestinationRepository: aws.String(dst), Namespace: k.ns, Package: k.p, Format: types.PackageFormatSwift, Versions: vs}); err != nil {
			t.Fatal(err)
		}
	}

	check("empty")
	publish("mona/LinkedList/1.0.0", meta("https://example.com/mona/LinkedList.git", "https://example.com/mona/tree"))
	publish("mona/LinkedList/1.1.0", meta("HTTPS://Example.com/mona/LinkedList/"))
	publish("zed/tree/1.0.0", meta("git@example.com:mona/LinkedList.git", "https://example.com/mona/tree"))
	publish("alpha/tree/1.0.0", meta("https://example.com/mona/tree.git"))
	publish("alpha/none/1.0.0", "")
	publish("alpha/none/2.0.0", `{"description":"no URLs"}`)
	check("published")
	if got := scanIdentifiers(ctx, t, cat, stored["repo"], "https://example.com/mona/tree/"); !reflect.DeepEqual(got, []string{"alpha.tree", "mona.linkedlist", "zed.tree"}) {
		t.Fatalf("the scan finds %v", got)
	}

	status(types.PackageVersionStatusUnlisted, of("mona", "linkedlist"), "1.0.0")
	check("1.0.0 unlisted")
	status(types.PackageVersionStatusArchived, of("mona", "linkedlist"), "1.1.0")
	check("1.1.0 archived")
	status(types.PackageVersionStatusPublished, of("mona", "linkedlist"), "1.0.0", "1.1.0")
	check("both published again")

	copyTo("copy", of("zed", "tree"), "1.0.0")
	copyTo("copy", of("mona", "linkedlist"), "1.0.0")
	check("copied")

	k := of("mona", "linkedlist")
	if _, err := ca.DisposePackageVersions(ctx, &codeartifact.DisposePackageVersionsInput{Domain: k.d, Repository: k.r, Namespace: k.ns, Package: k.p, Format: types.PackageFormatSwift, Versions: []string{"1.0.0"}}); err != nil {
		t.Fatal(err)
	}
	check("1.0.0 disposed")
	k = of("alpha", "tree")
	if _, err := ca.DeletePackageVersions(ctx, &codeartifact.DeletePackageVersionsInput{Domain: k.d, Repository: k.r, Namespace: k.ns, Package: k.p, Format: types.PackageFormatSwift, Versions: []string{"1.0.0"}}); err != nil {
		t.Fatal(err)
	}
	check("alpha.tree 1.0.0 deleted")
	publish("alpha/tree/1.0.0", meta("https://example.com/other"))
	check("alpha.tree 1.0.0 published again with another URL")
	if _, err := ca.DeletePackage(ctx, &codeartifact.DeletePackageInput{Domain: aws.String(domain), Repository: aws.String("repo"), Namespace: aws.String("zed"), Package: aws.String("tree"), Format: types.PackageFormatSwift}); err != nil {
		t.Fatal(err)
	}
	check("zed.tree deleted")
	if _, err := ca.DeleteRepository(ctx, &codeartifact.DeleteRepositoryInput{Domain: aws.String(domain), Repository: aws.String("copy")}); err != nil {
		t.Fatal(err)
	}
	delete(repos, "copy")
	check("copy deleted")
}

// TestSwiftIdentifiersBackfill: releases stored before the index existed
// (migration 00015 adds the table empty and leaves a backfill pending)
// are found by the first lookup, which indexes them.
func TestSwiftIdentifiersBackfill(t *testing.T) {
	s := servertest.NewScenario(t, domain)
	e := &env{s: s, t: t, base: s.Repository("repo", types.PackageFormatSwift)}
	zip := sourceArchive(t, "P", map[string]string{"Package.swift": "// swift-tools-version:5.7\n"})
	for _, p := range []struct{ path, meta string }{
		{"mona/linkedlist/1.0.0", `{"repositoryURLs":["https://example.com/mona/LinkedList.git"]}`},
		{"mona/linkedlist/2.0.0", `{"repositoryURLs":["https://example.com/mona/LinkedList"]}`},
		{"zed/list/1.0.0", `{"repositoryURLs":["HTTPS://example.com/mona/LinkedList/","https://example.com/zed"]}`},
		{"alpha/none/1.0.0", ""},
	} {
		expect(t, e.publish(p.path, zip, p.meta), http.StatusCreated)
	}
	// The database as an older Arca left it: no URLs indexed, the
	// backfill pending.
	db, err := sql.Open("sqlite", filepath.Join(s.Data, "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM source_urls; INSERT INTO pending_backfills (name) VALUES ('source_urls/swift') ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(t.Context(), filepath.Join(s.Data, "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := t.Context()
	c := catalog.New(st, servertest.Region, time.Now, format.NewRegistry(swift.Rules{}))
	repo, err := c.Repository(ctx, catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: servertest.AccountID, Name: domain}, Name: "repo"})
	if err != nil {
		t.Fatal(err)
	}
	for u, want := range map[string][]string{
		"https://example.com/mona/LinkedList": {"mona.linkedlist", "zed.list"},
		"https://example.com/zed":             {"zed.list"},
		"https://example.com/none":            {},
	} {
		refs, err := c.PackagesWithSourceURL(ctx, repo, artifact.Swift, swift.NormalizeURL(u))
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, r := range refs {
			got = append(got, r.Namespace+"."+r.Name)
		}
		if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(got, scanIdentifiers(ctx, t, c, repo, u)) {
			t.Errorf("after the backfill %s finds %v, want %v", u, got, want)
		}
	}
	if pending, err := st.PendingBackfill(ctx, "source_urls/swift"); err != nil || pending {
		t.Errorf("backfill still pending: %v, %v", pending, err)
	}
}
