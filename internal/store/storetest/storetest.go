// Package storetest is the conformance suite of store.Store. Every engine
// runs Run against a fresh, empty store; an engine is acceptable when the
// whole suite passes.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// Run runs the suite. newStore must return an empty store; the suite closes it.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []namedTest{
		{"Accounts", testAccounts},
		{"SigningKeys", testSigningKeys},
		{"Domains", testDomains},
		{"DomainPaging", testDomainPaging},
		{"Repositories", testRepositories},
		{"RepositoryListing", testRepositoryListing},
		{"Upstreams", testUpstreams},
		{"ExternalConnections", testExternalConnections},
		{"Tags", testTags},
		{"Policies", testPolicies},
		{"DeleteRemovesTagsAndPolicies", testDeleteRemovesTagsAndPolicies},
		{"UpdateRollsBack", testUpdateRollsBack},
		{"ConcurrentUpdates", testConcurrentUpdates},
	}
	tests = append(tests, packageTests()...)
	tests = append(tests, changeTests()...)
	tests = append(tests, sourceURLTests()...)
	tests = append(tests, iamTests()...)
	tests = append(tests, revocationTests()...)
	tests = append(tests, groupTests()...)
	tests = append(tests, eventTests()...)
	tests = append(tests, replicaTests()...)
	tests = append(tests, raceTests()...)
	tests = append(tests, consoleTests()...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

type namedTest struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

var ctx = context.Background()

// now is a millisecond-precision UTC time, as the store keeps times.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantKind(t *testing.T, err error, kind *errkind.Error, what string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: got error %v, want kind %v", what, err, kind.Kind)
	}
}

func mkDomain(t *testing.T, q store.Queries, owner, name string) store.Domain {
	t.Helper()
	d := store.Domain{Owner: owner, Name: name, EncryptionKey: "arn:aws:kms:us-east-1:" + owner + ":key/k", CreatedAt: now()}
	must(t, q.CreateDomain(ctx, &d))
	if d.ID == 0 {
		t.Fatal("CreateDomain did not set the id")
	}
	return d
}

func mkRepo(t *testing.T, q store.Queries, d store.Domain, name, admin string) store.Repository {
	t.Helper()
	r := store.Repository{DomainID: d.ID, Name: name, Administrator: admin, Description: "about " + name, CreatedAt: now()}
	must(t, q.CreateRepository(ctx, &r))
	if r.ID == 0 {
		t.Fatal("CreateRepository did not set the id")
	}
	return r
}

func testAccounts(t *testing.T, s store.Store) {
	created := now()
	must(t, s.PutAccount(ctx, store.Account{ID: "111122223333", CreatedAt: created}))
	// A second put keeps the first creation time.
	must(t, s.PutAccount(ctx, store.Account{ID: "111122223333", CreatedAt: created.Add(time.Hour)}))
	a, err := s.GetAccount(ctx, "111122223333")
	must(t, err)
	if !a.CreatedAt.Equal(created) {
		t.Errorf("account created %v, want %v", a.CreatedAt, created)
	}
	_, err = s.GetAccount(ctx, "999999999999")
	wantKind(t, err, errkind.ErrNotFound, "GetAccount missing")

	k := store.AccessKey{ID: "AKIAEXAMPLE", Secret: "s3cr3t", AccountID: "111122223333", PrincipalARN: "arn:aws:iam::111122223333:root", Active: true, CreatedAt: created}
	must(t, s.PutAccessKey(ctx, k))
	got, err := s.GetAccessKey(ctx, k.ID)
	must(t, err)
	if !reflect.DeepEqual(got, k) {
		t.Errorf("GetAccessKey = %+v, want %+v", got, k)
	}
	k.Active, k.Secret = false, "rotated"
	must(t, s.PutAccessKey(ctx, k))
	got, err = s.GetAccessKey(ctx, k.ID)
	must(t, err)
	if got.Active || got.Secret != "rotated" {
		t.Errorf("PutAccessKey did not replace: %+v", got)
	}
	_, err = s.GetAccessKey(ctx, "AKIANOPE")
	wantKind(t, err, errkind.ErrNotFound, "GetAccessKey missing")
	must(t, s.PutAccount(ctx, store.Account{ID: "444455556666", CreatedAt: created}))
	other := store.AccessKey{ID: "AKIAANOTHER", Secret: "x", AccountID: "444455556666", PrincipalARN: "arn:aws:iam::444455556666:root", Active: true, CreatedAt: created}
	must(t, s.PutAccessKey(ctx, other))
	all, err := s.ListAllAccessKeys(ctx)
	must(t, err)
	if !reflect.DeepEqual(all, []store.AccessKey{other, got}) {
		t.Errorf("ListAllAccessKeys = %+v, want both accounts' keys by id", all)
	}
}

func testSigningKeys(t *testing.T, s store.Store) {
	keys, err := s.ListSigningKeys(ctx)
	must(t, err)
	if len(keys) != 0 {
		t.Fatalf("new store has %d signing keys", len(keys))
	}
	old := store.SigningKey{ID: 7, Secret: []byte{1, 2, 3, 0, 255}, CreatedAt: now().Add(-time.Hour)}
	newer := store.SigningKey{ID: 4000000000, Secret: []byte("newer secret"), CreatedAt: now()}
	must(t, s.CreateSigningKey(ctx, old))
	must(t, s.CreateSigningKey(ctx, newer))
	wantKind(t, s.CreateSigningKey(ctx, store.SigningKey{ID: 7, Secret: []byte("x"), CreatedAt: now()}), errkind.ErrConflict, "duplicate signing key")
	keys, err = s.ListSigningKeys(ctx)
	must(t, err)
	if !reflect.DeepEqual(keys, []store.SigningKey{newer, old}) {
		t.Errorf("ListSigningKeys = %+v, want newest first", keys)
	}
	must(t, s.SetSigningKeySecret(ctx, 7, []byte("resealed")))
	wantKind(t, s.SetSigningKeySecret(ctx, 8, []byte("x")), errkind.ErrNotFound, "SetSigningKeySecret missing")
	must(t, s.DeleteSigningKey(ctx, 4000000000))
	wantKind(t, s.DeleteSigningKey(ctx, 4000000000), errkind.ErrNotFound, "DeleteSigningKey missing")
	keys, err = s.ListSigningKeys(ctx)
	must(t, err)
	old.Secret = []byte("resealed")
	if !reflect.DeepEqual(keys, []store.SigningKey{old}) {
		t.Errorf("after reseal and delete: ListSigningKeys = %+v", keys)
	}
}

func testDomains(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "my-domain")
	got, err := s.GetDomain(ctx, "111122223333", "my-domain")
	must(t, err)
	if !reflect.DeepEqual(got, d) {
		t.Errorf("GetDomain = %+v, want %+v", got, d)
	}
	byID, err := s.GetDomainByID(ctx, d.ID)
	must(t, err)
	if !reflect.DeepEqual(byID, d) {
		t.Errorf("GetDomainByID = %+v, want %+v", byID, d)
	}
	dup := store.Domain{Owner: "111122223333", Name: "my-domain", CreatedAt: now()}
	wantKind(t, s.CreateDomain(ctx, &dup), errkind.ErrConflict, "duplicate domain")
	// The same name under another owner is another domain.
	other := mkDomain(t, s, "444455556666", "my-domain")
	if other.ID == d.ID {
		t.Fatal("two owners got the same domain id")
	}
	_, err = s.GetDomain(ctx, "111122223333", "nope")
	wantKind(t, err, errkind.ErrNotFound, "GetDomain missing")

	n, err := s.CountRepositories(ctx, d.ID)
	must(t, err)
	if n != 0 {
		t.Errorf("CountRepositories = %d on an empty domain", n)
	}
	mkRepo(t, s, d, "r1", d.Owner)
	mkRepo(t, s, d, "r2", d.Owner)
	if n, _ = s.CountRepositories(ctx, d.ID); n != 2 {
		t.Errorf("CountRepositories = %d, want 2", n)
	}

	must(t, s.DeleteDomain(ctx, other.ID))
	_, err = s.GetDomainByID(ctx, other.ID)
	wantKind(t, err, errkind.ErrNotFound, "deleted domain")
	wantKind(t, s.DeleteDomain(ctx, other.ID), errkind.ErrNotFound, "deleting twice")
	// Ids are never reused: a token minted for a deleted domain must not
	// fit a new domain of the same name.
	again := mkDomain(t, s, "444455556666", "my-domain")
	if again.ID == other.ID {
		t.Error("a recreated domain reused the deleted domain's id")
	}
}

func testDomainPaging(t *testing.T, s store.Store) {
	for _, n := range []string{"delta", "alpha", "charlie", "bravo", "echo"} {
		mkDomain(t, s, "111122223333", n)
	}
	mkDomain(t, s, "444455556666", "zulu")
	var names []string
	after := ""
	for {
		page, err := s.ListDomains(ctx, "111122223333", after, 2)
		must(t, err)
		if len(page) == 0 {
			break
		}
		for _, d := range page {
			names = append(names, d.Name)
		}
		after = page[len(page)-1].Name
	}
	if want := []string{"alpha", "bravo", "charlie", "delta", "echo"}; !reflect.DeepEqual(names, want) {
		t.Errorf("paged domains = %v, want %v", names, want)
	}
}

func testRepositories(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "my-domain")
	r := mkRepo(t, s, d, "my-repo", "111122223333")
	got, err := s.GetRepository(ctx, d.ID, "my-repo")
	must(t, err)
	want := r
	want.DomainName, want.DomainOwner = d.Name, d.Owner
	want.Upstreams, want.ExternalConnections = []string{}, []string{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetRepository = %+v, want %+v", got, want)
	}
	byID, err := s.GetRepositoryByID(ctx, r.ID)
	must(t, err)
	if !reflect.DeepEqual(byID, want) {
		t.Errorf("GetRepositoryByID = %+v, want %+v", byID, want)
	}
	dup := store.Repository{DomainID: d.ID, Name: "my-repo", Administrator: "111122223333", CreatedAt: now()}
	wantKind(t, s.CreateRepository(ctx, &dup), errkind.ErrConflict, "duplicate repository")
	_, err = s.GetRepository(ctx, d.ID, "nope")
	wantKind(t, err, errkind.ErrNotFound, "GetRepository missing")

	must(t, s.SetRepositoryDescription(ctx, r.ID, "new words"))
	got, _ = s.GetRepositoryByID(ctx, r.ID)
	if got.Description != "new words" {
		t.Errorf("description = %q after SetRepositoryDescription", got.Description)
	}
	wantKind(t, s.SetRepositoryDescription(ctx, 987654, "x"), errkind.ErrNotFound, "describing a missing repository")

	must(t, s.DeleteRepository(ctx, r.ID))
	_, err = s.GetRepositoryByID(ctx, r.ID)
	wantKind(t, err, errkind.ErrNotFound, "deleted repository")
	wantKind(t, s.DeleteRepository(ctx, r.ID), errkind.ErrNotFound, "deleting twice")
	// The name is free again.
	mkRepo(t, s, d, "my-repo", "111122223333")
}

func testRepositoryListing(t *testing.T, s store.Store) {
	d1 := mkDomain(t, s, "111122223333", "d1")
	d2 := mkDomain(t, s, "111122223333", "d2")
	mkRepo(t, s, d1, "app", "111122223333")
	mkRepo(t, s, d1, "app_cache", "444455556666")
	mkRepo(t, s, d1, "apps", "111122223333")
	mkRepo(t, s, d1, "zeta", "111122223333")
	mkRepo(t, s, d2, "app", "111122223333")
	mkRepo(t, s, d2, "beta", "444455556666")

	list := func(f store.RepositoryFilter, page int) []string {
		t.Helper()
		var out []string
		for {
			rs, err := s.ListRepositories(ctx, f, page)
			must(t, err)
			if len(rs) == 0 {
				return out
			}
			for _, r := range rs {
				out = append(out, r.DomainName+"/"+r.Name)
				if len(r.Upstreams) != 0 || len(r.ExternalConnections) != 0 {
					t.Errorf("lists do not fill upstreams: %+v", r)
				}
			}
			last := rs[len(rs)-1]
			f.AfterName, f.AfterID = last.Name, last.ID
		}
	}
	cases := []struct {
		f    store.RepositoryFilter
		want []string
	}{
		{store.RepositoryFilter{}, []string{"d1/app", "d2/app", "d1/app_cache", "d1/apps", "d2/beta", "d1/zeta"}},
		{store.RepositoryFilter{DomainID: d1.ID}, []string{"d1/app", "d1/app_cache", "d1/apps", "d1/zeta"}},
		{store.RepositoryFilter{Administrator: "444455556666"}, []string{"d1/app_cache", "d2/beta"}},
		{store.RepositoryFilter{Prefix: "app"}, []string{"d1/app", "d2/app", "d1/app_cache", "d1/apps"}},
		{store.RepositoryFilter{Prefix: "app_"}, []string{"d1/app_cache"}},
		{store.RepositoryFilter{Prefix: "ap%"}, nil},
		{store.RepositoryFilter{DomainID: d2.ID, Prefix: "b"}, []string{"d2/beta"}},
	}
	for _, c := range cases {
		for _, page := range []int{1, 2, 100} {
			if got := list(c.f, page); !reflect.DeepEqual(got, c.want) {
				t.Errorf("ListRepositories(%+v) in pages of %d = %v, want %v", c.f, page, got, c.want)
			}
		}
	}
}

func testUpstreams(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	a := mkRepo(t, s, d, "a", d.Owner)
	b := mkRepo(t, s, d, "b", d.Owner)
	c := mkRepo(t, s, d, "c", d.Owner)
	must(t, s.SetUpstreams(ctx, a.ID, []int64{c.ID, b.ID}))
	must(t, s.SetUpstreams(ctx, b.ID, []int64{c.ID}))
	got, _ := s.GetRepositoryByID(ctx, a.ID)
	if !reflect.DeepEqual(got.Upstreams, []string{"c", "b"}) {
		t.Errorf("upstreams of a = %v, want priority order [c b]", got.Upstreams)
	}
	g, err := s.UpstreamGraph(ctx, d.ID)
	must(t, err)
	if want := map[int64][]int64{a.ID: {c.ID, b.ID}, b.ID: {c.ID}}; !reflect.DeepEqual(g, want) {
		t.Errorf("UpstreamGraph = %v, want %v", g, want)
	}
	must(t, s.SetUpstreams(ctx, a.ID, []int64{b.ID}))
	got, _ = s.GetRepositoryByID(ctx, a.ID)
	if !reflect.DeepEqual(got.Upstreams, []string{"b"}) {
		t.Errorf("upstreams after replace = %v", got.Upstreams)
	}
	must(t, s.SetUpstreams(ctx, a.ID, nil))
	g, _ = s.UpstreamGraph(ctx, d.ID)
	if want := map[int64][]int64{b.ID: {c.ID}}; !reflect.DeepEqual(g, want) {
		t.Errorf("UpstreamGraph after clearing a = %v, want %v", g, want)
	}
	// Deleting a downstream removes its edges.
	must(t, s.DeleteRepository(ctx, b.ID))
	g, _ = s.UpstreamGraph(ctx, d.ID)
	if len(g) != 0 {
		t.Errorf("UpstreamGraph after deleting b = %v", g)
	}
}

func testExternalConnections(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	must(t, s.AddExternalConnection(ctx, r.ID, "public:npmjs"))
	wantKind(t, s.AddExternalConnection(ctx, r.ID, "public:npmjs"), errkind.ErrConflict, "connection twice")
	got, _ := s.GetRepositoryByID(ctx, r.ID)
	if !reflect.DeepEqual(got.ExternalConnections, []string{"public:npmjs"}) {
		t.Errorf("connections = %v", got.ExternalConnections)
	}
	wantKind(t, s.RemoveExternalConnection(ctx, r.ID, "public:pypi"), errkind.ErrNotFound, "removing an absent connection")
	must(t, s.RemoveExternalConnection(ctx, r.ID, "public:npmjs"))
	got, _ = s.GetRepositoryByID(ctx, r.ID)
	if len(got.ExternalConnections) != 0 {
		t.Errorf("connections after removal = %v", got.ExternalConnections)
	}
	must(t, s.AddExternalConnection(ctx, r.ID, "public:pypi"))
	r2 := mkRepo(t, s, d, "r2", d.Owner)
	must(t, s.AddExternalConnection(ctx, r2.ID, "public:pypi"))
	must(t, s.AddExternalConnection(ctx, r2.ID, "public:maven-central"))
	if names, err := s.AssociatedExternalConnections(ctx); err != nil || !reflect.DeepEqual(names, []string{"public:maven-central", "public:pypi"}) {
		t.Errorf("AssociatedExternalConnections = %v, %v", names, err)
	}
	must(t, s.DeleteRepository(ctx, r.ID))
	must(t, s.DeleteRepository(ctx, r2.ID))
	if names, err := s.AssociatedExternalConnections(ctx); err != nil || len(names) != 0 {
		t.Errorf("AssociatedExternalConnections with no repositories = %v, %v", names, err)
	}
}

func testTags(t *testing.T, s store.Store) {
	res := store.Resource{Kind: "repository", ID: 42}
	tags, err := s.ListTags(ctx, res)
	must(t, err)
	if tags == nil || len(tags) != 0 {
		t.Fatalf("ListTags on an untagged resource = %#v, want an empty list", tags)
	}
	must(t, s.PutTags(ctx, res, []store.Tag{{Key: "team", Value: "a"}, {Key: "cost", Value: "1"}}))
	must(t, s.PutTags(ctx, res, []store.Tag{{Key: "team", Value: "b"}, {Key: "env", Value: ""}}))
	must(t, s.PutTags(ctx, store.Resource{Kind: "domain", ID: 42}, []store.Tag{{Key: "other", Value: "kind"}}))
	tags, _ = s.ListTags(ctx, res)
	if want := []store.Tag{{Key: "cost", Value: "1"}, {Key: "env", Value: ""}, {Key: "team", Value: "b"}}; !reflect.DeepEqual(tags, want) {
		t.Errorf("tags = %v, want %v", tags, want)
	}
	must(t, s.DeleteTags(ctx, res, []string{"cost", "absent"}))
	tags, _ = s.ListTags(ctx, res)
	if want := []store.Tag{{Key: "env", Value: ""}, {Key: "team", Value: "b"}}; !reflect.DeepEqual(tags, want) {
		t.Errorf("tags after delete = %v, want %v", tags, want)
	}
	must(t, s.DeleteTags(ctx, res, nil))
	tags, _ = s.ListTags(ctx, res)
	if len(tags) != 0 {
		t.Errorf("tags after deleting all = %v", tags)
	}
	if other, _ := s.ListTags(ctx, store.Resource{Kind: "domain", ID: 42}); len(other) != 1 {
		t.Errorf("deleting a repository's tags touched a domain's: %v", other)
	}
}

func testPolicies(t *testing.T, s store.Store) {
	res := store.Resource{Kind: "domain", ID: 9}
	_, err := s.GetPolicy(ctx, res)
	wantKind(t, err, errkind.ErrNotFound, "GetPolicy missing")
	p := store.Policy{Resource: res, Document: `{"Version":"2012-10-17"}`, Revision: "rev1", UpdatedAt: now()}
	must(t, s.PutPolicy(ctx, p))
	got, err := s.GetPolicy(ctx, res)
	must(t, err)
	if !reflect.DeepEqual(got, p) {
		t.Errorf("GetPolicy = %+v, want %+v", got, p)
	}
	p.Document, p.Revision = `{"Version":"2012-10-17","Statement":[]}`, "rev2"
	must(t, s.PutPolicy(ctx, p))
	got, _ = s.GetPolicy(ctx, res)
	if got.Revision != "rev2" || got.Document != p.Document {
		t.Errorf("PutPolicy did not replace: %+v", got)
	}
	must(t, s.DeletePolicy(ctx, res))
	wantKind(t, s.DeletePolicy(ctx, res), errkind.ErrNotFound, "deleting twice")
}

func testDeleteRemovesTagsAndPolicies(t *testing.T, s store.Store) {
	d := mkDomain(t, s, "111122223333", "d")
	r := mkRepo(t, s, d, "r", d.Owner)
	dr, rr := store.Resource{Kind: "domain", ID: d.ID}, store.Resource{Kind: "repository", ID: r.ID}
	for _, res := range []store.Resource{dr, rr} {
		must(t, s.PutTags(ctx, res, []store.Tag{{Key: "k", Value: "v"}}))
		must(t, s.PutPolicy(ctx, store.Policy{Resource: res, Document: "{}", Revision: "1", UpdatedAt: now()}))
	}
	must(t, s.DeleteRepository(ctx, r.ID))
	must(t, s.DeleteDomain(ctx, d.ID))
	for _, res := range []store.Resource{dr, rr} {
		if tags, _ := s.ListTags(ctx, res); len(tags) != 0 {
			t.Errorf("%v kept tags after deletion: %v", res, tags)
		}
		_, err := s.GetPolicy(ctx, res)
		wantKind(t, err, errkind.ErrNotFound, fmt.Sprintf("%v policy after deletion", res))
	}
}

func testUpdateRollsBack(t *testing.T, s store.Store) {
	boom := errors.New("boom")
	err := s.Update(ctx, func(q store.Queries) error {
		d := mkDomain(t, q, "111122223333", "doomed")
		mkRepo(t, q, d, "r", d.Owner)
		if _, err := q.GetDomain(ctx, "111122223333", "doomed"); err != nil {
			t.Errorf("a transaction does not see its own write: %v", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	_, err = s.GetDomain(ctx, "111122223333", "doomed")
	wantKind(t, err, errkind.ErrNotFound, "domain after rollback")

	must(t, s.Update(ctx, func(q store.Queries) error {
		mkDomain(t, q, "111122223333", "kept")
		return nil
	}))
	if _, err := s.GetDomain(ctx, "111122223333", "kept"); err != nil {
		t.Errorf("committed domain: %v", err)
	}
}

func testConcurrentUpdates(t *testing.T, s store.Store) {
	// Many writers racing to create the same names: each name is created
	// exactly once, the losers see Conflict, and nothing deadlocks.
	const writers, names = 8, 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := map[string]int{}
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < names; i++ {
				name := fmt.Sprintf("domain-%d", i)
				err := s.Update(ctx, func(q store.Queries) error {
					if _, err := q.GetDomain(ctx, "111122223333", name); err == nil {
						return errkind.Conflictf("exists")
					}
					d := store.Domain{Owner: "111122223333", Name: name, CreatedAt: now()}
					return q.CreateDomain(ctx, &d)
				})
				switch {
				case err == nil:
					mu.Lock()
					created[name]++
					mu.Unlock()
				case !errors.Is(err, errkind.ErrConflict):
					t.Errorf("concurrent create: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	for i := 0; i < names; i++ {
		if n := created[fmt.Sprintf("domain-%d", i)]; n != 1 {
			t.Errorf("domain-%d created %d times", i, n)
		}
	}
}
