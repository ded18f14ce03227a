package events

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// The headers of a delivery.
const (
	HeaderDelivery  = "X-Arca-Delivery"
	HeaderSignature = "X-Arca-Signature-256"
)

// Sign returns the X-Arca-Signature-256 value of body under secret:
// "sha256=" and the hex HMAC-SHA256.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature is body's under secret, in constant
// time.
func Verify(secret string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}

// Settings tune delivery. Zero fields take the defaults.
type Settings struct {
	// MaxAttempts is how many attempts a delivery gets before it is dead
	// (default 8).
	MaxAttempts int
	// Backoff is the wait after the first failed attempt; it doubles with
	// each further one (default 5s), up to MaxBackoff (default 10m).
	Backoff, MaxBackoff time.Duration
	// Timeout bounds one attempt (default 10s).
	Timeout time.Duration
	// Lease is how long a claimed delivery is held before another replica
	// may take it (default: 3 Timeouts).
	Lease time.Duration
	// Poll is how often the outbox is read when nothing wakes the
	// dispatcher (default 1s): deliveries committed by other replicas and
	// retries that come due.
	Poll time.Duration
	// Retention is how long delivered deliveries stay listable (default
	// 7 days).
	Retention time.Duration
}

func (s Settings) withDefaults() Settings {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 8
	}
	def(&s.Backoff, 5*time.Second)
	def(&s.MaxBackoff, 10*time.Minute)
	def(&s.Timeout, 10*time.Second)
	def(&s.Lease, 3*s.Timeout)
	def(&s.Poll, time.Second)
	def(&s.Retention, 7*24*time.Hour)
	return s
}

// Outboxes is what the dispatcher needs of the store.
type Outboxes interface {
	GetEventSubscription(ctx context.Context, id string) (store.EventSubscription, error)
	ClaimEventDeliveries(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]store.EventDelivery, error)
	FinishEventDelivery(ctx context.Context, owner string, d store.EventDelivery) error
	DeleteDeliveredEvents(ctx context.Context, before time.Time) (int64, error)
	CountEventDeliveries(ctx context.Context, state string) (int64, error)
}

// Observer is told of every delivery attempt and, every backlogEvery, of
// the backlog (the server's metrics implement it). Outcomes are
// "delivered", "failed" and "dead".
type Observer interface {
	EventDelivered(outcome string, took time.Duration)
	EventBacklog(pending, dead int)
}

// backlogEvery is how often Run counts the deliveries waiting and dead for
// the Observer.
const backlogEvery = 10 * time.Second

// Dispatcher delivers the outbox's events to their subscriptions.
type Dispatcher struct {
	st     Outboxes
	set    Settings
	client *http.Client
	log    *slog.Logger
	now    func() time.Time
	owner  string // this process's name on the leases it takes
	wake   <-chan struct{}
	obs    Observer // nil for none
}

// Observe makes obs see every attempt and the backlog; call it before Run.
func (d *Dispatcher) Observe(obs Observer) { d.obs = obs }

// batch is how many deliveries (of as many subscriptions) are sent at
// once.
const batch = 16

// NewDispatcher returns a dispatcher over st. wake (may be nil) tells it
// that deliveries were just committed.
func NewDispatcher(st Outboxes, set Settings, log *slog.Logger, now func() time.Time, wake <-chan struct{}) *Dispatcher {
	set = set.withDefaults()
	var id [8]byte
	rand.Read(id[:])
	return &Dispatcher{
		st: st, set: set, log: log, now: now, wake: wake,
		owner: hex.EncodeToString(id[:]),
		client: &http.Client{
			Timeout: set.Timeout,
			// A redirect is not an acknowledgement, and is not followed:
			// the subscription's URL is the one place events go.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Run delivers until ctx ends, and returns once the attempts in flight
// have given their deliveries back.
func (d *Dispatcher) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	var pruned, counted time.Time
	for {
		n, err := d.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Warn("event delivery", "err", err)
		}
		if now := d.now(); d.obs != nil && now.Sub(counted) >= backlogEvery {
			counted = now
			d.countBacklog(ctx)
		}
		if now := d.now(); now.Sub(pruned) > time.Hour {
			pruned = now
			if _, err := d.st.DeleteDeliveredEvents(ctx, now.Add(-d.set.Retention)); err != nil && ctx.Err() == nil {
				d.log.Warn("pruning delivered events", "err", err)
			}
		}
		if n > 0 {
			continue // the next deliveries of the same subscriptions are due now
		}
		timer.Reset(d.set.Poll)
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-timer.C:
		}
	}
}

// RunOnce claims the due deliveries and attempts each once; it returns
// how many it attempted.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	now := d.now()
	claimed, err := d.st.ClaimEventDeliveries(ctx, d.owner, now, now.Add(d.set.Lease), batch)
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(claimed))
	for i := range claimed {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.attempt(ctx, claimed[i])
		}()
	}
	wg.Wait()
	return len(claimed), errors.Join(errs...)
}

// attempt sends one delivery and records the outcome.
func (d *Dispatcher) attempt(ctx context.Context, del store.EventDelivery) error {
	sub, err := d.st.GetEventSubscription(ctx, del.SubscriptionID)
	if errors.Is(err, errkind.ErrNotFound) {
		return nil // unsubscribed meanwhile: its deliveries went with it
	}
	if err != nil {
		return err
	}
	started := time.Now()
	status, sendErr := d.send(ctx, sub, del)
	took := time.Since(started)
	if ctx.Err() != nil {
		// Shutting down: the attempt is not the receiver's failure. The
		// lease is given back, for the next start or another replica.
		return d.st.FinishEventDelivery(context.WithoutCancel(ctx), d.owner, del)
	}
	del.Attempts++
	del.LastStatus, del.LastError = status, ""
	del.UpdatedAt = d.now().UTC().Truncate(time.Millisecond)
	outcome := "failed"
	switch {
	case sendErr == nil:
		del.State, outcome = store.DeliveryDelivered, "delivered"
	case del.Attempts >= d.set.MaxAttempts:
		del.State, del.LastError, outcome = store.DeliveryDead, sendErr.Error(), "dead"
		d.log.Warn("event delivery dead", "subscription", sub.ID, "delivery", del.ID, "attempts", del.Attempts, "err", sendErr)
	default:
		del.LastError = sendErr.Error()
		del.NextAttemptAt = del.UpdatedAt.Add(d.backoff(del.Attempts))
	}
	if d.obs != nil {
		d.obs.EventDelivered(outcome, took)
	}
	err = d.st.FinishEventDelivery(context.WithoutCancel(ctx), d.owner, del)
	if errors.Is(err, errkind.ErrNotFound) {
		return nil // the lease ran out and another replica has it, or it was unsubscribed
	}
	return err
}

// countBacklog tells the observer how many deliveries wait and how many
// are dead letters.
func (d *Dispatcher) countBacklog(ctx context.Context) {
	pending, err := d.st.CountEventDeliveries(ctx, store.DeliveryPending)
	if err != nil {
		return // the next round counts again
	}
	dead, err := d.st.CountEventDeliveries(ctx, store.DeliveryDead)
	if err != nil {
		return
	}
	d.obs.EventBacklog(int(pending), int(dead))
}

// backoff is the wait after the n-th failed attempt.
func (d *Dispatcher) backoff(n int) time.Duration {
	b := d.set.Backoff
	for i := 1; i < n && b < d.set.MaxBackoff; i++ {
		b *= 2
	}
	return min(b, d.set.MaxBackoff)
}

// send POSTs the event and returns the status the receiver answered (0
// if none) and an error unless it was a 2xx.
func (d *Dispatcher) send(ctx context.Context, sub store.EventSubscription, del store.EventDelivery) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(del.Body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Arca-Events/1")
	req.Header.Set(HeaderDelivery, del.ID)
	req.Header.Set(HeaderSignature, Sign(sub.Secret, del.Body))
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, errors.New(cleanError(err))
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// cleanError is a transport error without the request's method and URL,
// which the delivery listing shows beside it anyway.
func cleanError(err error) string {
	var u interface{ Unwrap() error }
	if errors.As(err, &u) && u.Unwrap() != nil {
		return u.Unwrap().Error()
	}
	return err.Error()
}
