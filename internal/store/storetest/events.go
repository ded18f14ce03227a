package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

func eventTests() []namedTest {
	return []namedTest{
		{"EventSequences", testEventSequences},
		{"EventSubscriptions", testEventSubscriptions},
		{"EventOutboxCommitsWithTheChange", testEventOutboxCommitsWithTheChange},
		{"EventDeliveriesInOrder", testEventDeliveriesInOrder},
		{"EventDeliveryClaimsAreExclusive", testEventDeliveryClaimsAreExclusive},
		{"EventDeadLetterAndRedrive", testEventDeadLetterAndRedrive},
	}
}

func testEventSequences(t *testing.T, s store.Store) {
	for want := int64(1); want <= 3; want++ {
		n, err := s.NextEventSequence(ctx, "arn:p/a")
		must(t, err)
		if n != want {
			t.Fatalf("sequence of a: %d, want %d", n, want)
		}
	}
	if n, err := s.NextEventSequence(ctx, "arn:p/b"); err != nil || n != 1 {
		t.Fatalf("first sequence of b: %d, %v", n, err)
	}
	// A rolled back transaction gives its number back.
	_ = s.Update(ctx, func(q store.Queries) error {
		if _, err := q.NextEventSequence(ctx, "arn:p/a"); err != nil {
			return err
		}
		return errors.New("rollback")
	})
	if n, _ := s.NextEventSequence(ctx, "arn:p/a"); n != 4 {
		t.Fatalf("after a rollback: %d, want 4", n)
	}
	// Concurrent transactions each get a number of their own.
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(ctx, func(q store.Queries) error {
				n, err := q.NextEventSequence(ctx, "arn:p/c")
				if err == nil {
					mu.Lock()
					seen[n] = true
					mu.Unlock()
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for n := int64(1); n <= 8; n++ {
		if !seen[n] {
			t.Fatalf("concurrent sequence numbers %v, want 1 to 8", seen)
		}
	}
}

func mkSubscription(t *testing.T, s store.Store, id string) store.EventSubscription {
	t.Helper()
	sub := store.EventSubscription{ID: id, AccountID: "111122223333", DomainOwner: "111122223333", DomainName: "d",
		Name: "n-" + id, URL: "http://127.0.0.1:1/hook", Pattern: `{"source":["aws.codeartifact"]}`, Secret: "s3cret", CreatedAt: now()}
	must(t, s.CreateEventSubscription(ctx, sub))
	return sub
}

func testEventSubscriptions(t *testing.T, s store.Store) {
	a := mkSubscription(t, s, "sub-a")
	time.Sleep(2 * time.Millisecond)
	b := mkSubscription(t, s, "sub-b")
	if err := s.CreateEventSubscription(ctx, a); !errors.Is(err, errkind.ErrConflict) {
		t.Fatalf("a second subscription with the same id: %v, want Conflict", err)
	}
	got, err := s.GetEventSubscription(ctx, "sub-a")
	must(t, err)
	if got != a {
		t.Fatalf("got %+v, want %+v", got, a)
	}
	list, err := s.ListEventSubscriptions(ctx, "111122223333", "d")
	must(t, err)
	if len(list) != 2 || list[0] != a || list[1] != b {
		t.Fatalf("listed %+v", list)
	}
	if list, _ := s.ListEventSubscriptions(ctx, "111122223333", "other"); len(list) != 0 {
		t.Fatalf("another domain lists %+v", list)
	}
	must(t, s.SetEventSubscriptionSecret(ctx, "sub-a", "new"))
	if got, _ := s.GetEventSubscription(ctx, "sub-a"); got.Secret != "new" {
		t.Fatalf("secret after set: %q", got.Secret)
	}
	d := store.EventDelivery{ID: "dl-1", SubscriptionID: "sub-a", EventID: "e1", Body: []byte(`{}`), NextAttemptAt: now(), CreatedAt: now(), UpdatedAt: now()}
	must(t, s.CreateEventDelivery(ctx, &d))
	must(t, s.DeleteEventSubscription(ctx, "sub-a"))
	if _, err := s.GetEventSubscription(ctx, "sub-a"); !errors.Is(err, errkind.ErrNotFound) {
		t.Fatalf("deleted subscription: %v, want NotFound", err)
	}
	if n, _ := s.CountEventDeliveries(ctx, store.DeliveryPending); n != 0 {
		t.Fatalf("%d deliveries left after deleting their subscription", n)
	}
	if err := s.DeleteEventSubscription(ctx, "sub-a"); !errors.Is(err, errkind.ErrNotFound) {
		t.Fatalf("deleting twice: %v, want NotFound", err)
	}
}

func newDelivery(sub, id string, due time.Time) *store.EventDelivery {
	return &store.EventDelivery{ID: id, SubscriptionID: sub, EventID: "event-" + id, Body: []byte(`{"id":"` + id + `"}`),
		NextAttemptAt: due, CreatedAt: due, UpdatedAt: due}
}

// testEventOutboxCommitsWithTheChange: a delivery written in a transaction
// that rolls back is not there; with one that commits, it is.
func testEventOutboxCommitsWithTheChange(t *testing.T, s store.Store) {
	mkSubscription(t, s, "sub")
	t0 := now()
	_ = s.Update(ctx, func(q store.Queries) error {
		must(t, q.CreateEventDelivery(ctx, newDelivery("sub", "rolled-back", t0)))
		return errors.New("the change failed")
	})
	must(t, s.Update(ctx, func(q store.Queries) error { return q.CreateEventDelivery(ctx, newDelivery("sub", "kept", t0)) }))
	got, err := s.ClaimEventDeliveries(ctx, "w", t0, t0.Add(time.Minute), 10)
	must(t, err)
	if len(got) != 1 || got[0].ID != "kept" || string(got[0].Body) != `{"id":"kept"}` || got[0].State != store.DeliveryPending {
		t.Fatalf("claimed %+v, want only the committed delivery", got)
	}
}

func testEventDeliveriesInOrder(t *testing.T, s store.Store) {
	mkSubscription(t, s, "one")
	mkSubscription(t, s, "two")
	t0 := now()
	for i := 1; i <= 3; i++ {
		must(t, s.CreateEventDelivery(ctx, newDelivery("one", fmt.Sprint("one-", i), t0)))
	}
	must(t, s.CreateEventDelivery(ctx, newDelivery("two", "two-1", t0.Add(90*time.Second))))

	// Only the head of each queue, and only when due.
	got, err := s.ClaimEventDeliveries(ctx, "w", t0, t0.Add(time.Minute), 10)
	must(t, err)
	if len(got) != 1 || got[0].ID != "one-1" {
		t.Fatalf("claimed %+v, want one-1 alone", got)
	}
	// While leased, nothing else of the subscription is handed out.
	if again, _ := s.ClaimEventDeliveries(ctx, "w2", t0, t0.Add(time.Minute), 10); len(again) != 0 {
		t.Fatalf("claimed %+v while the head is leased", again)
	}
	// A failed attempt keeps it at the head, due later.
	d := got[0]
	d.Attempts, d.NextAttemptAt, d.LastStatus, d.LastError, d.UpdatedAt = 1, t0.Add(10*time.Second), 503, "503 Service Unavailable", t0
	must(t, s.FinishEventDelivery(ctx, "w", d))
	if again, _ := s.ClaimEventDeliveries(ctx, "w", t0.Add(5*time.Second), t0.Add(time.Minute), 10); len(again) != 0 {
		t.Fatalf("claimed %+v before the retry is due", again)
	}
	got, _ = s.ClaimEventDeliveries(ctx, "w", t0.Add(10*time.Second), t0.Add(time.Minute), 10)
	if len(got) != 1 || got[0].ID != "one-1" || got[0].Attempts != 1 || got[0].LastStatus != 503 {
		t.Fatalf("retry claimed %+v", got)
	}
	d = got[0]
	d.State, d.Attempts = store.DeliveryDelivered, 2
	must(t, s.FinishEventDelivery(ctx, "w", d))
	got, _ = s.ClaimEventDeliveries(ctx, "w", t0.Add(10*time.Second), t0.Add(time.Minute), 10)
	if len(got) != 1 || got[0].ID != "one-2" {
		t.Fatalf("after delivering one-1 claimed %+v, want one-2", got)
	}
	// The lease runs out: another claimant takes it, and the first one's
	// finish is refused.
	late := t0.Add(2 * time.Minute)
	got2, _ := s.ClaimEventDeliveries(ctx, "w2", late, late.Add(time.Minute), 10)
	if len(got2) != 2 || got2[0].ID != "one-2" || got2[1].ID != "two-1" {
		t.Fatalf("after the lease ran out claimed %+v", got2)
	}
	d = got[0]
	d.State = store.DeliveryDelivered
	if err := s.FinishEventDelivery(ctx, "w", d); !errors.Is(err, errkind.ErrNotFound) {
		t.Fatalf("finishing a lost lease: %v, want NotFound", err)
	}
	list, err := s.ListEventDeliveries(ctx, "one", "", 0, 10)
	must(t, err)
	if len(list) != 3 || list[0].ID != "one-3" || list[2].ID != "one-1" || list[2].State != store.DeliveryDelivered {
		t.Fatalf("listed %+v", list)
	}
	if page, _ := s.ListEventDeliveries(ctx, "one", "", list[1].Seq, 10); len(page) != 1 || page[0].ID != "one-1" {
		t.Fatalf("page before %d: %+v", list[1].Seq, page)
	}
	if done, _ := s.ListEventDeliveries(ctx, "one", store.DeliveryDelivered, 0, 10); len(done) != 1 {
		t.Fatalf("delivered: %+v", done)
	}
	if n, _ := s.DeleteDeliveredEvents(ctx, t0.Add(time.Second)); n != 1 {
		t.Fatalf("pruned %d, want 1", n)
	}
}

// testEventDeliveryClaimsAreExclusive: claimants racing for the same
// deliveries each get a disjoint share.
func testEventDeliveryClaimsAreExclusive(t *testing.T, s store.Store) {
	t0 := now()
	for i := 0; i < 20; i++ {
		sub := fmt.Sprint("s", i)
		mkSubscription(t, s, sub)
		must(t, s.CreateEventDelivery(ctx, newDelivery(sub, sub+"-1", t0)))
	}
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(owner string) {
			defer wg.Done()
			got, err := s.ClaimEventDeliveries(ctx, owner, t0, t0.Add(time.Minute), 20)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, d := range got {
				if other, ok := seen[d.ID]; ok {
					t.Errorf("%s claimed by %s and %s", d.ID, other, owner)
				}
				seen[d.ID] = owner
			}
		}(fmt.Sprint("w", w))
	}
	wg.Wait()
	if len(seen) != 20 {
		t.Fatalf("%d of 20 deliveries claimed", len(seen))
	}
}

func testEventDeadLetterAndRedrive(t *testing.T, s store.Store) {
	mkSubscription(t, s, "sub")
	t0 := now()
	must(t, s.CreateEventDelivery(ctx, newDelivery("sub", "a", t0)))
	must(t, s.CreateEventDelivery(ctx, newDelivery("sub", "b", t0)))
	got, _ := s.ClaimEventDeliveries(ctx, "w", t0, t0.Add(time.Minute), 10)
	d := got[0]
	d.State, d.Attempts, d.LastError = store.DeliveryDead, 5, "connection refused"
	must(t, s.FinishEventDelivery(ctx, "w", d))
	// A dead delivery no longer holds up the queue.
	if got, _ = s.ClaimEventDeliveries(ctx, "w", t0, t0.Add(time.Minute), 10); len(got) != 1 || got[0].ID != "b" {
		t.Fatalf("after a dead letter claimed %+v, want b", got)
	}
	if n, _ := s.CountEventDeliveries(ctx, store.DeliveryDead); n != 1 {
		t.Fatalf("%d dead, want 1", n)
	}
	dead, _ := s.ListEventDeliveries(ctx, "sub", store.DeliveryDead, 0, 10)
	if len(dead) != 1 || dead[0].ID != "a" || dead[0].LastError != "connection refused" {
		t.Fatalf("dead letters: %+v", dead)
	}
	later := t0.Add(time.Hour)
	n, err := s.RedriveEventDeliveries(ctx, "sub", later)
	must(t, err)
	if n != 1 {
		t.Fatalf("redrove %d, want 1", n)
	}
	d = got[0]
	d.State = store.DeliveryDelivered
	must(t, s.FinishEventDelivery(ctx, "w", d))
	got, _ = s.ClaimEventDeliveries(ctx, "w", later, later.Add(time.Minute), 10)
	if len(got) != 1 || got[0].ID != "a" || got[0].Attempts != 0 || got[0].State != store.DeliveryPending {
		t.Fatalf("after the redrive claimed %+v", got)
	}
}
