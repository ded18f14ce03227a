package throttle_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/throttle"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func wantThrottled(t *testing.T, err error, msg string) *errkind.Error {
	t.Helper()
	if !errors.Is(err, errkind.ErrThrottled) || !strings.Contains(err.Error(), msg) {
		t.Fatalf("error = %v, want Throttled saying %q", err, msg)
	}
	e := errkind.As(err)
	if e.RetryAfterHeader() == "" {
		t.Fatalf("%v says nothing of when to retry", err)
	}
	return e
}

func TestOperationQuotaPerAccount(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	th := throttle.New(throttle.Config{Scale: 1}, c.now)
	for i := range 5 {
		if err := th.Operation("111122223333", "CopyPackageVersions"); err != nil {
			t.Fatalf("request %d of the first second: %v", i+1, err)
		}
	}
	e := wantThrottled(t, th.Operation("111122223333", "CopyPackageVersions"), "at most 5 CopyPackageVersions requests a second")
	if e.RetryAfter <= 0 || e.RetryAfter > time.Second {
		t.Errorf("RetryAfter = %v, want at most the second a token takes", e.RetryAfter)
	}
	// Another account has its own quota; an operation without a quota
	// has none.
	if err := th.Operation("444455556666", "CopyPackageVersions"); err != nil {
		t.Errorf("another account: %v", err)
	}
	for range 1000 {
		if err := th.Operation("111122223333", "DescribeDomain"); err != nil {
			t.Fatalf("DescribeDomain has no quota: %v", err)
		}
	}
	c.t = c.t.Add(200 * time.Millisecond) // one token back at 5 a second
	if err := th.Operation("111122223333", "CopyPackageVersions"); err != nil {
		t.Errorf("after a fifth of a second: %v", err)
	}
	wantThrottled(t, th.Operation("111122223333", "CopyPackageVersions"), "Rate exceeded")
}

func TestScaleAndOff(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	th := throttle.New(throttle.Config{Scale: 2}, c.now)
	for i := range 2 * throttle.TokenQuota {
		if err := th.Token([]byte("tok")); err != nil {
			t.Fatalf("request %d: %v", i+1, err)
		}
	}
	wantThrottled(t, th.Token([]byte("tok")), "at most 1600 requests a second with one authorization token")
	for i := range 2 * throttle.RepositoryWriteQuota {
		if err := th.Repository("111122223333", "7", true); err != nil {
			t.Fatalf("write %d: %v", i+1, err)
		}
	}
	wantThrottled(t, th.Repository("111122223333", "7", true), "at most 200 write requests")
	if err := th.Repository("111122223333", "7", false); err != nil {
		t.Errorf("reads have their own quota: %v", err)
	}
	off := throttle.New(throttle.Config{}, c.now)
	for range 10_000 {
		if err := off.Anonymous("192.0.2.1"); err != nil {
			t.Fatalf("scale 0 throttles: %v", err)
		}
	}
	var none *throttle.Throttle
	if err := none.Operation("a", "CopyPackageVersions"); err != nil {
		t.Errorf("a nil Throttle throttles: %v", err)
	}
}

// A client spraying keys cannot make the limiter grow without bound, and
// forgetting only ever lets clients in.
func TestLimiterForgetsIdleKeys(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	l := throttle.NewLimiter(1, c.now)
	for i := range 250_000 {
		l.Allow(fmt.Sprint(i))
	}
	if _, ok := l.Allow("249999"); ok {
		t.Error("a key just used is forgotten at once")
	}
}

func TestInFlight(t *testing.T) {
	th := throttle.New(throttle.Config{PerClient: 2}, time.Now)
	r1, err := th.EnterAddress("192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := th.EnterAddress("192.0.2.1")
	wantThrottled(t, func() error { _, err := th.EnterAddress("192.0.2.1"); return err }(), "Too many requests in flight from this address: at most 2")
	if _, err := th.EnterAddress("192.0.2.2"); err != nil {
		t.Errorf("another address: %v", err)
	}
	if _, err := th.EnterPrincipal("arn:aws:iam::111122223333:root"); err != nil {
		t.Errorf("principals are counted apart from addresses: %v", err)
	}
	r1()
	r1() // twice is once
	if _, err := th.EnterAddress("192.0.2.1"); err != nil {
		t.Errorf("after a release: %v", err)
	}
	wantThrottled(t, func() error { _, err := th.EnterAddress("192.0.2.1"); return err }(), "in flight")
	r2()
}

func TestBudget(t *testing.T) {
	b := throttle.NewBudget(100, 50*time.Millisecond)
	r1, ok := b.Reserve(context.Background(), 60)
	if !ok {
		t.Fatal("60 of 100 refused")
	}
	if _, ok := b.Reserve(context.Background(), 60); ok {
		t.Fatal("120 of 100 reserved")
	}
	got := make(chan bool)
	go func() {
		r, ok := throttle.NewBudget(100, time.Hour).Reserve(context.Background(), 1000) // more than all: all
		if ok {
			r()
		}
		got <- ok
	}()
	if !<-got {
		t.Error("a request larger than the whole budget can never pass")
	}
	r1()
	r2, ok := b.Reserve(context.Background(), 60)
	if !ok {
		t.Fatal("refused after the release")
	}
	r2()
	if throttle.NewBudget(0, time.Second) != nil {
		t.Error("a budget of 0 bounds something")
	}
}
