package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// The tests below are the invariants that span rows, checked the way the
// services check them (read, decide, write, in one Update) by writers that
// race each other, as replicas sharing one database do. An engine that
// ran Update below serialisable isolation would let several writers decide
// on the same stale read; one that aborted a transaction without running it
// again would fail a writer that should have succeeded.

func raceTests() []namedTest {
	return []namedTest{
		{"RaceAccessKeyLimit", testRaceAccessKeyLimit},
		{"RaceUpstreamCycle", testRaceUpstreamCycle},
		{"RacePublishOneVersion", testRacePublishOneVersion},
		{"RacePublishNewPackage", testRacePublishNewPackage},
		{"PagingNonASCII", testPagingNonASCII},
	}
}

// writers is how many goroutines race in each test: more than the
// invariants allow, few enough for two shared cores.
const writers = 8

// race runs fn(0..n-1) in n goroutines released together and returns
// their errors by index.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

var errRefused = errors.New("refused by the invariant")

// sortErrors counts the successes and the refusals, and reports any
// other error.
func sortErrors(t *testing.T, errs []error, refusal error) (ok, refused int) {
	t.Helper()
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, refusal):
			refused++
		default:
			t.Errorf("writer %d: %v", i, err)
		}
	}
	return ok, refused
}

// testRaceAccessKeyLimit: IAM allows two access keys per user; the check
// counts the user's keys, then adds one.
func testRaceAccessKeyLimit(t *testing.T, s store.Store) {
	mkAccounts(t, s)
	mkUser(t, s, acctA, "AIDARACE", "racer", "/")
	const limit = 2
	errs := race(writers, func(i int) error {
		return s.Update(ctx, func(q store.Queries) error {
			keys, err := q.ListAccessKeys(ctx, acctA, "AIDARACE")
			if err != nil {
				return err
			}
			if len(keys) >= limit {
				return errRefused
			}
			return q.PutAccessKey(ctx, store.AccessKey{ID: fmt.Sprintf("AKIARACE%02d", i), Secret: "s", AccountID: acctA,
				PrincipalARN: "arn:aws:iam::" + acctA + ":user/racer", UserID: "AIDARACE", Active: true, CreatedAt: now()})
		})
	})
	ok, refused := sortErrors(t, errs, errRefused)
	keys, err := s.ListAccessKeys(ctx, acctA, "AIDARACE")
	must(t, err)
	if ok != limit || refused != writers-limit || len(keys) != limit {
		t.Errorf("%d writers racing for %d keys: %d created, %d refused, %d stored", writers, limit, ok, refused, len(keys))
	}
}

// testRaceUpstreamCycle: a repository may not reach itself through its
// upstreams; the check reads the domain's graph, then sets the edges.
// Writers add a->b and b->a at once, round after round: at most one of
// each pair may land.
func testRaceUpstreamCycle(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	a := mkRepo(t, s, d, "a", d.Owner)
	b := mkRepo(t, s, d, "b", d.Owner)
	reaches := func(g map[int64][]int64, from, to int64) bool {
		seen := map[int64]bool{}
		stack := []int64{from}
		for len(stack) > 0 {
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if n == to {
				return true
			}
			if !seen[n] {
				seen[n] = true
				stack = append(stack, g[n]...)
			}
		}
		return false
	}
	for round := range 5 {
		must(t, s.SetUpstreams(ctx, a.ID, nil))
		must(t, s.SetUpstreams(ctx, b.ID, nil))
		edges := [][2]int64{{a.ID, b.ID}, {b.ID, a.ID}}
		errs := race(len(edges), func(i int) error {
			from, to := edges[i][0], edges[i][1]
			return s.Update(ctx, func(q store.Queries) error {
				g, err := q.UpstreamGraph(ctx, d.ID)
				if err != nil {
					return err
				}
				if reaches(g, to, from) {
					return errRefused
				}
				return q.SetUpstreams(ctx, from, []int64{to})
			})
		})
		ok, _ := sortErrors(t, errs, errRefused)
		g, err := s.UpstreamGraph(ctx, d.ID)
		must(t, err)
		if ok != 1 || reaches(g, a.ID, b.ID) && reaches(g, b.ID, a.ID) {
			t.Fatalf("round %d: %d of two opposite edges landed; graph %v", round, ok, g)
		}
	}
}

// publish is how a format publishes: find or create the package, refuse a
// version that exists, create it with its assets.
func publish(s store.Store, d store.Domain, r store.Repository, ref artifact.PackageRef, version string, a artifact.Asset) error {
	return s.Update(ctx, func(q store.Queries) error {
		p := store.Package{RepositoryID: r.ID, PackageRef: ref, Origin: artifact.DefaultOriginConfig(true), CreatedAt: now()}
		if _, err := q.EnsurePackage(ctx, &p); err != nil {
			return err
		}
		if _, err := q.GetVersion(ctx, p.ID, version); err == nil {
			return errkind.Conflictf("version %s exists", version)
		} else if !errors.Is(err, errkind.ErrNotFound) {
			return err
		}
		v := store.Version{PackageID: p.ID, Version: version, Status: artifact.Published, Revision: "rev",
			Origin: artifact.Origin{Type: artifact.OriginInternal, Repository: r.Name}, CreatedAt: now(), UpdatedAt: now(),
			Assets: []artifact.Asset{a}}
		return q.CreateVersion(ctx, d.ID, &v)
	})
}

// testRacePublishOneVersion: writers publish the same version with
// different bytes; one wins, the others see Conflict, and nothing of the
// losers remains (their bytes are not counted in the domain).
func testRacePublishOneVersion(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	ref := artifact.PackageRef{Format: artifact.NPM, Name: "contested"}
	errs := race(writers, func(i int) error {
		return publish(s, d, r, ref, "1.0.0", asset("contested-1.0.0.tgz", fmt.Sprintf("bytes of writer %d", i)))
	})
	ok, conflicts := sortErrors(t, errs, errkind.ErrConflict)
	if ok != 1 || conflicts != writers-1 {
		t.Fatalf("%d writers publishing one version: %d won, %d conflicts", writers, ok, conflicts)
	}
	winner := -1
	for i, err := range errs {
		if err == nil {
			winner = i
		}
	}
	p, err := s.GetPackage(ctx, r.ID, ref)
	must(t, err)
	v, err := s.GetVersion(ctx, p.ID, "1.0.0")
	must(t, err)
	want := asset("contested-1.0.0.tgz", fmt.Sprintf("bytes of writer %d", winner))
	if len(v.Assets) != 1 || v.Assets[0] != want {
		t.Errorf("stored assets %+v, want the winner's %+v", v.Assets, want)
	}
	got, err := s.GetDomainByID(ctx, d.ID)
	must(t, err)
	if got.AssetSizeBytes != want.Size {
		t.Errorf("assetSizeBytes = %d, want only the winner's %d", got.AssetSizeBytes, want.Size)
	}
}

// testRacePublishNewPackage: writers publish different versions of a
// package that does not exist yet, sharing one tarball's bytes: every
// publish succeeds, the package is created once, and the shared bytes
// are counted once.
func testRacePublishNewPackage(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	ref := artifact.PackageRef{Format: artifact.NPM, Name: "fresh"}
	shared := asset("fresh.tgz", "the same bytes")
	errs := race(writers, func(i int) error {
		return publish(s, d, r, ref, fmt.Sprintf("1.0.%d", i), shared)
	})
	if ok, _ := sortErrors(t, errs, errRefused); ok != writers {
		t.Fatalf("%d of %d publishes of distinct versions succeeded", ok, writers)
	}
	ps, err := s.ListPackages(ctx, r.ID, store.PackageFilter{}, 100)
	must(t, err)
	if len(ps) != 1 {
		t.Fatalf("%d packages after racing publishes of one package", len(ps))
	}
	vs, err := s.ListVersions(ctx, ps[0].ID, true)
	must(t, err)
	if len(vs) != writers {
		t.Errorf("%d versions stored, want %d", len(vs), writers)
	}
	got, err := s.GetDomainByID(ctx, d.ID)
	must(t, err)
	if got.AssetSizeBytes != shared.Size {
		t.Errorf("assetSizeBytes = %d, want the shared bytes once (%d)", got.AssetSizeBytes, shared.Size)
	}
}

// testPagingNonASCII: keyset paging compares names byte by byte (Go's
// string order), whatever the database's locale: a linguistic collation
// would sort "Zebra" after "apple", "é" beside "e", and ignore "-" and
// "_", skipping or repeating rows between pages.
func testPagingNonASCII(t *testing.T, s store.Store) {
	names := []string{"zeta", "Zebra", "apple", "Äpfel", "éclair", "eclair", "e-clair", "e_clair", "日本", "ab", "a-b", "a_b", "A"}
	want := append([]string(nil), names...)
	sort.Strings(want)

	d := mkDomain(t, s, "111122223333", "d")
	for _, n := range names {
		mkDomain(t, s, "444455556666", n)
		mkRepo(t, s, d, n, d.Owner)
		mkPackage(t, s, mkRepoOnce(t, s, d), artifact.PackageRef{Format: artifact.Generic, Namespace: "ns", Name: n})
	}
	for _, page := range []int{1, 2, 5} {
		var domains []string
		for after := ""; ; {
			ds, err := s.ListDomains(ctx, "444455556666", after, page)
			must(t, err)
			if len(ds) == 0 {
				break
			}
			for _, x := range ds {
				domains = append(domains, x.Name)
			}
			after = ds[len(ds)-1].Name
		}
		if !reflect.DeepEqual(domains, want) {
			t.Errorf("domains in pages of %d = %q, want %q", page, domains, want)
		}

		var repos []string
		for f := (store.RepositoryFilter{DomainID: d.ID}); ; {
			rs, err := s.ListRepositories(ctx, f, page)
			must(t, err)
			if len(rs) == 0 {
				break
			}
			for _, x := range rs {
				if x.Name != packagesRepo {
					repos = append(repos, x.Name)
				}
			}
			f.AfterName, f.AfterID = rs[len(rs)-1].Name, rs[len(rs)-1].ID
		}
		if !reflect.DeepEqual(repos, want) {
			t.Errorf("repositories in pages of %d = %q, want %q", page, repos, want)
		}

		r := mkRepoOnce(t, s, d)
		var pkgs []string
		for f := (store.PackageFilter{}); ; {
			ps, err := s.ListPackages(ctx, r.ID, f, page)
			must(t, err)
			if len(ps) == 0 {
				break
			}
			for _, x := range ps {
				pkgs = append(pkgs, x.Name)
			}
			f.After = ps[len(ps)-1].PackageRef
		}
		if !reflect.DeepEqual(pkgs, want) {
			t.Errorf("packages in pages of %d = %q, want %q", page, pkgs, want)
		}
	}
	// A prefix is a byte range too: "e" does not match "éclair", "a"
	// matches neither "A" nor "Äpfel".
	rs, err := s.ListRepositories(ctx, store.RepositoryFilter{DomainID: d.ID, Prefix: "a"}, 100)
	must(t, err)
	var got []string
	for _, x := range rs {
		got = append(got, x.Name)
	}
	var wantA []string
	for _, n := range want {
		if strings.HasPrefix(n, "a") {
			wantA = append(wantA, n)
		}
	}
	if !reflect.DeepEqual(got, wantA) {
		t.Errorf("repositories with prefix a = %q, want %q", got, wantA)
	}
}

// packagesRepo holds testPagingNonASCII's packages.
const packagesRepo = "~packages"

func mkRepoOnce(t *testing.T, s store.Store, d store.Domain) store.Repository {
	t.Helper()
	r, err := s.GetRepository(ctx, d.ID, packagesRepo)
	if errors.Is(err, errkind.ErrNotFound) {
		return mkRepo(t, s, d, packagesRepo, d.Owner)
	}
	must(t, err)
	return r
}
