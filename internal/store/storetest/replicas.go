package storetest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/store"
)

func replicaTests() []namedTest {
	return []namedTest{
		{"Generations", testGenerations},
		{"GenerationsConcurrentReader", testGenerationsConcurrentReader},
		{"GenerationsRollBack", testGenerationsRollBack},
		{"Leases", testLeases},
		{"UploadChecksums", testUploadChecksums},
		{"BlobHolds", testBlobHolds},
	}
}

// changed returns the names GenerationsSince reports after after, and the
// highest value seen.
func changed(t *testing.T, s store.Queries, after int64) (map[string]int64, int64) {
	t.Helper()
	list, err := s.GenerationsSince(ctx, after)
	must(t, err)
	out := map[string]int64{}
	last := after
	for _, g := range list {
		out[g.Name] = g.Value
		last = max(last, g.Value)
	}
	return out, last
}

func testGenerations(t *testing.T, s store.Store) {
	latest, err := s.LatestGeneration(ctx)
	must(t, err)
	if latest != 0 {
		t.Fatalf("empty store: latest generation %d, want 0", latest)
	}
	if got, _ := changed(t, s, 0); len(got) != 0 {
		t.Fatalf("empty store: changes %v", got)
	}
	must(t, s.Update(ctx, func(q store.Queries) error { return q.BumpGenerations(ctx, "a", "b", "a") }))
	got, last := changed(t, s, 0)
	if want := map[string]int64{"": 1, "a": 1, "b": 1}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after one bump: %v, want %v", got, want)
	}
	must(t, s.Update(ctx, func(q store.Queries) error { return q.BumpGenerations(ctx, "b") }))
	got, last2 := changed(t, s, last)
	if want := map[string]int64{"": 2, "b": 2}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after a second bump, since %d: %v, want %v", last, got, want)
	}
	if got, _ := changed(t, s, last2); len(got) != 0 {
		t.Fatalf("nothing changed since %d, yet %v", last2, got)
	}
	if latest, err = s.LatestGeneration(ctx); err != nil || latest != 2 {
		t.Fatalf("latest generation %d, %v; want 2", latest, err)
	}
	if err := s.Update(ctx, func(q store.Queries) error { return q.BumpGenerations(ctx, "") }); err == nil {
		t.Fatal("an empty name was accepted")
	}
	must(t, s.Update(ctx, func(q store.Queries) error { return q.BumpGenerations(ctx) })) // nothing to bump
	if latest, _ = s.LatestGeneration(ctx); latest != 2 {
		t.Fatalf("bumping no name moved the sequence to %d", latest)
	}
}

// testGenerationsConcurrentReader races writers bumping names against a
// reader that follows the sequence: the reader must end up having seen
// every name bumped, which fails if a value can commit after a higher one
// was read.
func testGenerationsConcurrentReader(t *testing.T, s store.Store) {
	const writers, bumps = 4, 15
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < bumps; i++ {
				name := fmt.Sprintf("w%d-%d", w, i)
				if err := s.Update(ctx, func(q store.Queries) error { return q.BumpGenerations(ctx, name) }); err != nil {
					t.Errorf("bump %s: %v", name, err)
				}
			}
		}()
	}
	writing := make(chan struct{})
	go func() { wg.Wait(); close(writing) }()
	seen := map[string]bool{}
	var last int64
	follow := func() error {
		list, err := s.GenerationsSince(ctx, last)
		for _, g := range list {
			seen[g.Name] = true
			last = max(last, g.Value)
		}
		return err
	}
	for done := false; !done; {
		select {
		case <-writing:
			done = true
		default:
		}
		// A read after the writers are done follows the last one.
		must(t, follow())
	}
	for w := 0; w < writers; w++ {
		for i := 0; i < bumps; i++ {
			if name := fmt.Sprintf("w%d-%d", w, i); !seen[name] {
				t.Errorf("the reader never saw %s", name)
			}
		}
	}
}

func testGenerationsRollBack(t *testing.T, s store.Store) {
	err := s.Update(ctx, func(q store.Queries) error {
		must(t, q.BumpGenerations(ctx, "gone"))
		return fmt.Errorf("roll back")
	})
	if err == nil {
		t.Fatal("Update did not return the error")
	}
	if got, _ := changed(t, s, 0); len(got) != 0 {
		t.Fatalf("a rolled back bump left %v", got)
	}
}

func testLeases(t *testing.T, s store.Store) {
	t0 := now()
	take := func(holder string, at time.Time) bool {
		t.Helper()
		ok, err := s.TakeLease(ctx, "sweep", holder, at, at.Add(time.Minute))
		must(t, err)
		return ok
	}
	if !take("a", t0) {
		t.Fatal("a free lease was not taken")
	}
	if take("b", t0.Add(time.Second)) {
		t.Fatal("b took the lease a holds")
	}
	if !take("a", t0.Add(2*time.Second)) {
		t.Fatal("a could not renew its lease")
	}
	// a's renewal runs to t0+2s+1m: b must wait for that.
	if take("b", t0.Add(time.Minute+time.Second)) {
		t.Fatal("b took a renewed lease before it expired")
	}
	if !take("b", t0.Add(time.Minute+2*time.Second)) {
		t.Fatal("b could not take an expired lease")
	}
	must(t, s.ReleaseLease(ctx, "sweep", "a")) // not a's any more: no effect
	if take("a", t0.Add(time.Minute+3*time.Second)) {
		t.Fatal("a's release freed b's lease")
	}
	must(t, s.ReleaseLease(ctx, "sweep", "b"))
	if !take("a", t0.Add(time.Minute+4*time.Second)) {
		t.Fatal("a released lease was not free")
	}
	// Holders racing for a free lease: exactly one wins.
	must(t, s.ReleaseLease(ctx, "sweep", "a"))
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := s.TakeLease(ctx, "race", fmt.Sprint("h", i), t0, t0.Add(time.Minute))
			if err != nil {
				t.Errorf("take: %v", err)
			}
			if ok {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d holders took one lease", wins)
	}
}

func testUploadChecksums(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "uploads")
	r := store.Repository{DomainID: d.ID, Name: "repo", CreatedAt: now()}
	must(t, s.CreateRepository(ctx, &r))
	t0 := now()
	path := "com/example/lib/1.0/lib-1.0.jar"
	get := func(kind string, since time.Time) map[string]string {
		t.Helper()
		m, err := s.GetUploadChecksums(ctx, r.ID, path, kind, since)
		must(t, err)
		return m
	}
	if got := get(store.ChecksumsExpected, t0.Add(-time.Hour)); len(got) != 0 {
		t.Fatalf("nothing stored, yet %v", got)
	}
	must(t, s.PutUploadChecksums(ctx, store.UploadChecksums{RepositoryID: r.ID, Path: path, Kind: store.ChecksumsExpected,
		Sums: map[string]string{"sha1": "aa"}, UpdatedAt: t0}))
	must(t, s.PutUploadChecksums(ctx, store.UploadChecksums{RepositoryID: r.ID, Path: path, Kind: store.ChecksumsExpected,
		Sums: map[string]string{"md5": "bb", "sha1": "cc"}, UpdatedAt: t0.Add(time.Second)}))
	if got, want := get(store.ChecksumsExpected, t0), map[string]string{"sha1": "cc", "md5": "bb"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("expected sums %v, want %v", got, want)
	}
	if got := get(store.ChecksumsUploaded, t0); len(got) != 0 {
		t.Fatalf("another kind leaked: %v", got)
	}
	if got := get(store.ChecksumsExpected, t0.Add(2*time.Second)); len(got) != 0 {
		t.Fatalf("sums older than since returned: %v", got)
	}
	must(t, s.PutUploadChecksums(ctx, store.UploadChecksums{RepositoryID: r.ID, Path: path, Kind: store.ChecksumsUploaded,
		Sums: map[string]string{"sha1": "dd"}, UpdatedAt: t0.Add(time.Hour)}))
	must(t, s.DeleteUploadChecksums(ctx, r.ID, path, store.ChecksumsExpected))
	if got := get(store.ChecksumsExpected, t0); len(got) != 0 {
		t.Fatalf("deleted sums remain: %v", got)
	}
	must(t, s.PutUploadChecksums(ctx, store.UploadChecksums{RepositoryID: r.ID, Path: path, Kind: store.ChecksumsExpected,
		Sums: map[string]string{"md5": "ee"}, UpdatedAt: t0}))
	n, err := s.DeleteExpiredUploadChecksums(ctx, t0.Add(time.Minute))
	must(t, err)
	if n != 1 {
		t.Fatalf("pruned %d rows, want 1", n)
	}
	if got := get(store.ChecksumsUploaded, t0); !reflect.DeepEqual(got, map[string]string{"sha1": "dd"}) {
		t.Fatalf("pruning took a recent row: %v", got)
	}
	// Deleting the repository forgets its uploads.
	must(t, s.Update(ctx, func(q store.Queries) error { return q.DeleteRepository(ctx, r.ID) }))
	if got := get(store.ChecksumsUploaded, t0); len(got) != 0 {
		t.Fatalf("a deleted repository's sums remain: %v", got)
	}
}

func testBlobHolds(t *testing.T, s store.Store) {
	const d = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	t0 := now()
	until := t0.Add(time.Minute)
	hold := func(holder string, at time.Time) bool {
		t.Helper()
		var ok bool
		must(t, s.Update(ctx, func(q store.Queries) (err error) {
			ok, err = q.HoldBlob(ctx, d, holder, at, until)
			return err
		}))
		return ok
	}
	claim := func(holder string, at time.Time) bool {
		t.Helper()
		var ok bool
		must(t, s.Update(ctx, func(q store.Queries) (err error) {
			ok, err = q.ClaimBlobDelete(ctx, d, holder, at, until)
			return err
		}))
		return ok
	}
	if !hold("a", t0) || !hold("a", t0) {
		t.Fatal("a could not hold (and hold again) a free digest")
	}
	if !hold("b", t0) {
		t.Fatal("two holders cannot hold one digest")
	}
	if claim("c", t0) {
		t.Fatal("c claimed a digest a and b hold")
	}
	must(t, s.ReleaseBlob(ctx, d, "a"))
	if claim("c", t0) {
		t.Fatal("c claimed a digest b still holds")
	}
	must(t, s.ReleaseBlob(ctx, d, "b"))
	if !claim("c", t0) {
		t.Fatal("c could not claim a digest nobody holds")
	}
	if hold("a", t0) {
		t.Fatal("a held a digest c is deleting")
	}
	if claim("b", t0) {
		t.Fatal("b claimed a digest c is deleting")
	}
	must(t, s.ReleaseBlob(ctx, d, "c"))
	if !hold("a", t0) {
		t.Fatal("a could not hold once c's delete was done")
	}
	// A holder that died: its hold lapses.
	if !claim("c", until.Add(time.Second)) {
		t.Fatal("a lapsed hold kept c from claiming")
	}
	if hold("a", t0.Add(time.Second)) {
		t.Fatal("a held a digest claimed by c")
	}
	// Another digest is not concerned.
	if ok, err := s.HoldBlob(ctx, "f"+d[1:], "a", t0, until); err != nil || !ok {
		t.Fatalf("holding another digest: %v %v", ok, err)
	}
	// Holders racing for one digest, half to hold and half to delete: a
	// claim never stands beside another holder's hold or claim.
	const e = "e123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	var wg sync.WaitGroup
	var mu sync.Mutex
	holds, claims := 0, 0
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ok bool
			err := s.Update(ctx, func(q store.Queries) (err error) {
				if i%2 == 0 {
					ok, err = q.HoldBlob(ctx, e, fmt.Sprint("h", i), t0, until)
				} else {
					ok, err = q.ClaimBlobDelete(ctx, e, fmt.Sprint("h", i), t0, until)
				}
				return err
			})
			if err != nil {
				t.Errorf("hold or claim: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if ok && i%2 == 0 {
				holds++
			} else if ok {
				claims++
			}
		}()
	}
	wg.Wait()
	if claims > 1 || (claims == 1 && holds > 0) {
		t.Fatalf("%d claims and %d holds stand on one digest", claims, holds)
	}
	n, err := s.DeleteExpiredBlobHolds(ctx, until.Add(time.Second))
	must(t, err)
	if n < 3 {
		t.Fatalf("pruned %d holds and claims, want at least the 3 that lapsed", n)
	}
	if !hold("a", t0) {
		t.Fatal("a pruned claim still counts")
	}
}
