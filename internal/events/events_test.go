package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/events"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

const (
	owner  = "111122223333"
	admin  = "444455556666"
	secret = "0123456789abcdef-secret"
)

var ctx = context.Background()

type fixture struct {
	st      store.Store
	cat     *catalog.Catalog
	svc     *events.Service
	own     store.Repository // administered by the domain owner
	foreign store.Repository // administered by another account
}

func setup(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat := catalog.New(st, "us-west-2", time.Now, nil)
	ob := events.NewOutbox("us-west-2", time.Now)
	cat.SetRecorder(ob)
	d := catalog.DomainRef{Owner: owner, Name: "my_domain"}
	if _, err := cat.CreateDomain(ctx, d, "", nil); err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, cat: cat, svc: events.NewService(st, time.Now, ob.Committed)}
	if f.own, err = cat.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: d, Name: "myrepo"}, owner, "", nil, nil); err != nil {
		t.Fatal(err)
	}
	if f.foreign, err = cat.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: d, Name: "theirs"}, admin, "", nil, nil); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) subscribe(t *testing.T, account, pattern string) store.EventSubscription {
	t.Helper()
	sub, err := f.svc.Subscribe(ctx, events.Scope{Account: account, DomainOwner: owner, DomainName: "my_domain"},
		events.NewSubscription{Name: "ci", URL: "http://127.0.0.1:9/hook", Secret: secret, Pattern: pattern})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// received returns the events queued for a subscription, oldest first.
func (f *fixture) received(t *testing.T, sub store.EventSubscription) []events.Event {
	t.Helper()
	ds, err := f.st.ListEventDeliveries(ctx, sub.ID, "", 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]events.Event, len(ds))
	for i, d := range ds {
		if err := json.Unmarshal(d.Body, &out[len(ds)-1-i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

var npmPkg = artifact.PackageRef{Format: artifact.NPM, Name: "mypackage"}

func asset(name, fill string) artifact.Asset {
	return artifact.Asset{Name: name, Size: 3, SHA256: strings.Repeat(fill, 64)}
}

func TestEventsOfAVersionsLife(t *testing.T) {
	f := setup(t)
	all := f.subscribe(t, owner, "")
	created := f.subscribe(t, owner, `{"detail": {"operationType": ["Created"]}}`)

	if _, err := f.cat.Publish(ctx, f.own, catalog.Publication{Ref: npmPkg, Version: "1.0.0", Meta: artifact.Meta{Summary: "s"},
		Assets: []artifact.Asset{asset("mypackage-1.0.0.tgz", "a")}}); err != nil {
		t.Fatal(err)
	}
	// A publication refused (the version exists) writes no event.
	if _, err := f.cat.Publish(ctx, f.own, catalog.Publication{Ref: npmPkg, Version: "1.0.0", Assets: []artifact.Asset{asset("x.tgz", "b")}}); !errors.Is(err, errkind.ErrConflict) {
		t.Fatalf("publishing again: %v", err)
	}
	b := catalog.Batch{Ref: npmPkg, Versions: []string{"1.0.0"}}
	if _, err := f.cat.UpdateStatus(ctx, f.own, b, artifact.Unlisted); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cat.DisposeVersions(ctx, f.own, b); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cat.DeleteVersions(ctx, f.own, b); err != nil {
		t.Fatal(err)
	}

	got := f.received(t, all)
	type want struct {
		op, state string
		changes   events.Changes
	}
	wants := []want{
		{"Created", "Published", events.Changes{AssetsAdded: 1, MetadataUpdated: true, StatusChanged: true}},
		{"Updated", "Unlisted", events.Changes{StatusChanged: true}},
		{"Updated", "Disposed", events.Changes{AssetsRemoved: 1, StatusChanged: true}},
		{"Deleted", "Disposed", events.Changes{}},
	}
	if len(got) != len(wants) {
		t.Fatalf("%d events, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		e := got[i]
		d := e.Detail
		if d.OperationType != w.op || d.PackageVersionState != w.state || d.Changes != w.changes || d.SequenceNumber != int64(i+1) {
			t.Errorf("event %d: %s %s %+v seq %d, want %s %s %+v seq %d", i, d.OperationType, d.PackageVersionState, d.Changes, d.SequenceNumber, w.op, w.state, w.changes, i+1)
		}
		if e.Version != "0" || e.Source != "aws.codeartifact" || e.DetailType != "CodeArtifact Package Version State Change" ||
			e.Account != owner || e.Region != "us-west-2" || len(e.Resources) != 1 ||
			e.Resources[0] != "arn:aws:codeartifact:us-west-2:"+owner+":package/my_domain/myrepo/npm//mypackage" {
			t.Errorf("event %d envelope: %+v", i, e)
		}
		if d.DomainName != "my_domain" || d.DomainOwner != owner || d.RepositoryName != "myrepo" || d.PackageFormat != "npm" ||
			d.PackageNamespace != nil || d.PackageName != "mypackage" || d.PackageVersion != "1.0.0" || d.PackageVersionRevision == "" || d.EventDeduplicationID == "" {
			t.Errorf("event %d detail: %+v", i, d)
		}
		if _, err := time.Parse(time.RFC3339, e.Time); err != nil || !strings.HasSuffix(e.Time, "Z") {
			t.Errorf("event %d time %q", i, e.Time)
		}
	}
	if c := f.received(t, created); len(c) != 1 || c[0].Detail.OperationType != "Created" {
		t.Errorf("the Created-only subscription got %+v", c)
	}
}

// A repository administered by another account: both accounts get the
// event, each its own copy, with one deduplication id; an account's
// subscription sees only the copies delivered to it.
func TestEventsGoToDomainOwnerAndRepositoryAdministrator(t *testing.T) {
	f := setup(t)
	ownerSub := f.subscribe(t, owner, "")
	adminSub := f.subscribe(t, admin, "")
	scoped := artifact.PackageRef{Format: artifact.NPM, Namespace: "scope", Name: "lib"}
	for _, r := range []store.Repository{f.own, f.foreign} {
		if _, err := f.cat.Publish(ctx, r, catalog.Publication{Ref: scoped, Version: "2.0.0", Assets: []artifact.Asset{asset("lib-2.0.0.tgz", "c")}}); err != nil {
			t.Fatal(err)
		}
	}
	o, a := f.received(t, ownerSub), f.received(t, adminSub)
	if len(o) != 2 || len(a) != 1 {
		t.Fatalf("owner got %d events, administrator %d; want 2 and 1", len(o), len(a))
	}
	if a[0].Account != admin || o[1].Account != owner || a[0].Detail.RepositoryName != "theirs" {
		t.Errorf("accounts: administrator's copy %s (%s), owner's %s", a[0].Account, a[0].Detail.RepositoryName, o[1].Account)
	}
	if a[0].ID == o[1].ID || a[0].Detail.EventDeduplicationID != o[1].Detail.EventDeduplicationID {
		t.Errorf("copies: ids %s %s, deduplication ids %s %s", a[0].ID, o[1].ID, a[0].Detail.EventDeduplicationID, o[1].Detail.EventDeduplicationID)
	}
	if ns := o[0].Detail.PackageNamespace; ns == nil || *ns != "scope" {
		t.Errorf("namespace %v", ns)
	}
	if !strings.HasSuffix(o[0].Resources[0], ":package/my_domain/myrepo/npm/scope/lib") {
		t.Errorf("resource %s", o[0].Resources[0])
	}
	// Sequences are per package: each repository's package starts at 1.
	if o[0].Detail.SequenceNumber != 1 || o[1].Detail.SequenceNumber != 1 {
		t.Errorf("sequence numbers %d %d", o[0].Detail.SequenceNumber, o[1].Detail.SequenceNumber)
	}
	// The administrator cannot see or remove the owner's subscription.
	if _, err := f.svc.Unsubscribe(ctx, events.Scope{Account: admin, DomainOwner: owner, DomainName: "my_domain"}, ownerSub.ID); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("another account's unsubscribe: %v, want NotFound", err)
	}
}

// Assets added to an existing version, and a deleted package: Updated
// with the count, then one Deleted per version.
func TestEventsOfAssetsAndPackageDeletion(t *testing.T) {
	f := setup(t)
	sub := f.subscribe(t, owner, "")
	ref := artifact.PackageRef{Format: artifact.PyPI, Name: "tiny"}
	pub := func(a artifact.Asset) {
		t.Helper()
		if _, err := f.cat.Publish(ctx, f.own, catalog.Publication{Ref: ref, Version: "1.0", AddAssets: catalog.AddAlways, Assets: []artifact.Asset{a}}); err != nil {
			t.Fatal(err)
		}
	}
	pub(asset("tiny-1.0.tar.gz", "d"))
	pub(asset("tiny-1.0-py3-none-any.whl", "e"))
	pub(asset("tiny-1.0-py3-none-any.whl", "e")) // the same again: no change, no event
	if _, err := f.cat.DeletePackage(ctx, f.own, ref); err != nil {
		t.Fatal(err)
	}
	got := f.received(t, sub)
	if len(got) != 3 {
		t.Fatalf("%d events: %+v", len(got), got)
	}
	if d := got[1].Detail; d.OperationType != "Updated" || d.Changes != (events.Changes{AssetsAdded: 1}) {
		t.Errorf("adding a wheel: %s %+v", d.OperationType, d.Changes)
	}
	if d := got[2].Detail; d.OperationType != "Deleted" || d.Changes.AssetsRemoved != 2 || d.SequenceNumber != 3 {
		t.Errorf("deleting the package: %s %+v seq %d", d.OperationType, d.Changes, d.SequenceNumber)
	}
}

func TestSubscribeRefuses(t *testing.T) {
	f := setup(t)
	sc := events.Scope{Account: owner, DomainOwner: owner, DomainName: "my_domain"}
	for _, tc := range []struct {
		n    events.NewSubscription
		says string
	}{
		{events.NewSubscription{URL: "ftp://x/", Secret: secret}, "http or https"},
		{events.NewSubscription{URL: "/relative", Secret: secret}, "absolute"},
		{events.NewSubscription{URL: "http://u:p@host/", Secret: secret}, "credentials"},
		{events.NewSubscription{URL: "", Secret: secret}, "needs the URL"},
		{events.NewSubscription{URL: "http://h/", Secret: "short"}, "at least 16"},
		{events.NewSubscription{URL: "http://h/", Secret: secret, Pattern: `{"source": "x"}`}, "must be in a list"},
		{events.NewSubscription{URL: "http://h/", Secret: secret, Name: strings.Repeat("n", 101)}, "at most 100"},
	} {
		_, err := f.svc.Subscribe(ctx, sc, tc.n)
		if !errors.Is(err, errkind.ErrValidation) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%+v: %v, want a validation error saying %q", tc.n, err, tc.says)
		}
	}
	if list, _ := f.svc.List(ctx, sc); len(list) != 0 {
		t.Errorf("refused subscriptions were stored: %+v", list)
	}
}

// receiver records signed deliveries and fails while down.
type receiver struct {
	mu       sync.Mutex
	down     bool
	got      []events.Event
	ids      []string
	attempts int
	bad      []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.attempts++
	if rc.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || !events.Verify(secret, body, r.Header.Get("X-Arca-Signature-256")) {
		rc.bad = append(rc.bad, r.Method+" "+r.Header.Get("Content-Type")+" "+r.Header.Get("X-Arca-Signature-256"))
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var e events.Event
	json.Unmarshal(body, &e)
	rc.got = append(rc.got, e)
	rc.ids = append(rc.ids, r.Header.Get("X-Arca-Delivery"))
	w.WriteHeader(http.StatusNoContent)
}

func TestDispatcherRetriesDeadLettersAndRedrives(t *testing.T) {
	f := setup(t)
	rc := &receiver{down: true}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	sc := events.Scope{Account: owner, DomainOwner: owner, DomainName: "my_domain"}
	sub, err := f.svc.Subscribe(ctx, sc, events.NewSubscription{URL: srv.URL + "/hook", Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1.0.0", "1.0.1"} {
		if _, err := f.cat.Publish(ctx, f.own, catalog.Publication{Ref: npmPkg, Version: v, Assets: []artifact.Asset{asset("p-"+v+".tgz", "f")}}); err != nil {
			t.Fatal(err)
		}
	}
	// The dispatcher's clock, moved on between runs (RunOnce returns
	// only when its attempts are done).
	now := time.Now()
	d := events.NewDispatcher(f.st, events.Settings{MaxAttempts: 3, Backoff: time.Minute}, slog.New(slog.DiscardHandler), func() time.Time { return now }, nil)
	obs := &observer{}
	d.Observe(obs)
	run := func() int {
		t.Helper()
		n, err := d.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Down: the first event is attempted, and nothing after it.
	if n := run(); n != 1 {
		t.Fatalf("attempted %d, want 1", n)
	}
	if n := run(); n != 0 {
		t.Fatalf("attempted %d before the retry was due", n)
	}
	now = now.Add(time.Minute)
	run()
	now = now.Add(2 * time.Minute) // the backoff doubled
	run()
	dead, _ := f.svc.Deliveries(ctx, sc, sub.ID, store.DeliveryDead, 0)
	if len(dead) != 1 || dead[0].Attempts != 3 || dead[0].LastStatus != 503 || !strings.Contains(dead[0].LastError, "503") {
		t.Fatalf("dead letters after 3 attempts: %+v", dead)
	}
	// The receiver comes back: the second event goes, the dead one waits
	// for a redrive, which sends it.
	rc.mu.Lock()
	rc.down = false
	rc.mu.Unlock()
	for run() > 0 {
	}
	if n, err := f.svc.Redrive(ctx, sc, sub.ID); err != nil || n != 1 {
		t.Fatalf("redrive: %d, %v", n, err)
	}
	for run() > 0 {
	}
	if len(rc.bad) > 0 {
		t.Fatalf("badly signed or shaped deliveries: %q", rc.bad)
	}
	if len(rc.got) != 2 || rc.got[0].Detail.PackageVersion != "1.0.1" || rc.got[1].Detail.PackageVersion != "1.0.0" || rc.ids[0] == rc.ids[1] {
		t.Fatalf("received %+v (ids %v)", rc.got, rc.ids)
	}
	if all, _ := f.svc.Deliveries(ctx, sc, sub.ID, "", 0); len(all) != 2 || all[0].State != store.DeliveryDelivered || all[1].State != store.DeliveryDelivered {
		t.Fatalf("deliveries after: %+v", all)
	}
	// The metrics saw every attempt with its outcome.
	if got := strings.Join(obs.outcomes, ","); got != "failed,failed,dead,delivered,delivered" {
		t.Fatalf("observed outcomes %s", got)
	}
}

// observer records what the dispatcher reports to the metrics.
type observer struct {
	mu       sync.Mutex
	outcomes []string
	backlog  chan [2]int
}

func (o *observer) EventDelivered(outcome string, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.outcomes = append(o.outcomes, outcome)
}

func (o *observer) EventBacklog(pending, dead int) {
	if o.backlog != nil {
		o.backlog <- [2]int{pending, dead}
	}
}

func TestDispatcherReportsBacklog(t *testing.T) {
	f := setup(t)
	sc := events.Scope{Account: owner, DomainOwner: owner, DomainName: "my_domain"}
	// Nothing listens on the subscription's port: each event waits.
	if _, err := f.svc.Subscribe(ctx, sc, events.NewSubscription{URL: "http://127.0.0.1:9/hook", Secret: secret}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1.0.0", "1.0.1", "1.0.2"} {
		if _, err := f.cat.Publish(ctx, f.own, catalog.Publication{Ref: npmPkg, Version: v, Assets: []artifact.Asset{asset("p-"+v+".tgz", "f")}}); err != nil {
			t.Fatal(err)
		}
	}
	d := events.NewDispatcher(f.st, events.Settings{MaxAttempts: 5, Backoff: time.Hour}, slog.New(slog.DiscardHandler), time.Now, nil)
	obs := &observer{backlog: make(chan [2]int, 1)}
	d.Observe(obs)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { d.Run(runCtx); close(done) }()
	got := <-obs.backlog
	stop()
	<-done
	if got != [2]int{3, 0} {
		t.Fatalf("backlog reported %v, want 3 pending and 0 dead", got)
	}
}

func TestSignature(t *testing.T) {
	body := []byte(`{"id":"x"}`)
	// echo -n '{"id":"x"}' | openssl dgst -sha256 -hmac key
	const want = "sha256=9ceaa4a60fd94e663e15900ab1b5d7c00781640620d1414798d6ed63ed6ff2d7"
	sig := events.Sign("key", body)
	if sig != want {
		t.Fatalf("signature %q, want %q", sig, want)
	}
	if !events.Verify("key", body, sig) || events.Verify("other", body, sig) || events.Verify("key", []byte(`{"id":"y"}`), sig) {
		t.Fatal("Verify does not tell a good signature from a bad one")
	}
}

// A copy into another repository and a version retained from an upstream
// (or ingested through an external connection) are each Created in the
// repository they arrive in, numbered in that repository's package.
func TestEventsOfCopyAndRetention(t *testing.T) {
	f := setup(t)
	sub := f.subscribe(t, owner, `{"detail": {"repositoryName": ["theirs"]}}`)
	v, err := f.cat.Publish(ctx, f.own, catalog.Publication{Ref: npmPkg, Version: "1.0.0", Assets: []artifact.Asset{asset("p.tgz", "a")}})
	if err != nil {
		t.Fatal(err)
	}
	find := func(_ context.Context, version string) (store.Version, map[string]string, bool, error) {
		return v, nil, version == v.Version, nil
	}
	res, err := f.cat.Copy(ctx, f.foreign, catalog.CopyRequest{Ref: npmPkg, Versions: []string{"1.0.0"}}, find)
	if err != nil || len(res.Successful) != 1 {
		t.Fatalf("copy: %+v, %v", res, err)
	}
	v2, err := f.cat.Publish(ctx, f.own, catalog.Publication{Ref: npmPkg, Version: "2.0.0", Assets: []artifact.Asset{asset("p2.tgz", "b")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.cat.Retain(ctx, f.foreign, npmPkg, v2); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cat.Retain(ctx, f.foreign, npmPkg, v2); err != nil { // already there: no change
		t.Fatal(err)
	}
	got := f.received(t, sub)
	if len(got) != 2 {
		t.Fatalf("%d events in theirs: %+v", len(got), got)
	}
	for i, want := range []string{"1.0.0", "2.0.0"} {
		d := got[i].Detail
		if d.PackageVersion != want || d.OperationType != "Created" || d.RepositoryName != "theirs" || d.SequenceNumber != int64(i+1) ||
			d.Changes.AssetsAdded != 1 || d.PackageVersionRevision != []string{v.Revision, v2.Revision}[i] {
			t.Errorf("event %d: %+v", i, d)
		}
	}
}
