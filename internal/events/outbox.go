package events

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/eventpattern"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/store"
)

// Outbox turns package version changes into deliveries, inside the
// transaction of the change. It implements catalog.Recorder.
type Outbox struct {
	region   string
	now      func() time.Time
	patterns sync.Map // pattern text -> *eventpattern.Pattern
	// wake is signalled after a commit that wrote deliveries.
	wake chan struct{}
}

var _ catalog.Recorder = (*Outbox)(nil)

// NewOutbox returns an outbox stamping events with region and the time
// from now.
func NewOutbox(region string, now func() time.Time) *Outbox {
	return &Outbox{region: region, now: now, wake: make(chan struct{}, 1)}
}

// Wake returns a channel that receives after changes with events commit.
func (o *Outbox) Wake() <-chan struct{} { return o.wake }

// Committed signals Wake without blocking.
func (o *Outbox) Committed() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// compile returns a subscription's compiled pattern. Patterns were
// validated when the subscription was created; one that no longer
// compiles matches nothing.
func (o *Outbox) compile(text string) *eventpattern.Pattern {
	if p, ok := o.patterns.Load(text); ok {
		return p.(*eventpattern.Pattern)
	}
	p, err := eventpattern.Compile(text)
	if err != nil {
		return nil
	}
	o.patterns.Store(text, p)
	return p
}

// RecordChange numbers the change's event and writes a delivery for every
// subscription of a receiving account whose pattern matches its copy.
func (o *Outbox) RecordChange(ctx context.Context, q store.Queries, c catalog.VersionChange) error {
	// A domain nobody subscribes to costs one indexed read per change;
	// its packages are numbered from the first event someone can see
	// (sequence numbers increase, not necessarily by one).
	subs, err := q.ListEventSubscriptions(ctx, c.Repository.DomainOwner, c.Repository.DomainName)
	if err != nil || len(subs) == 0 {
		return err
	}
	resource := packageARN(o.region, c)
	seq, err := q.NextEventSequence(ctx, resource)
	if err != nil {
		return fmt.Errorf("event sequence: %w", err)
	}
	detail := detailOf(c)
	detail.SequenceNumber = seq
	detail.EventDeduplicationID = deduplicationID(resource, seq)
	now := o.now().UTC().Truncate(time.Millisecond)
	for _, account := range Recipients(c.Repository) {
		if !slices.ContainsFunc(subs, func(s store.EventSubscription) bool { return s.AccountID == account }) {
			continue // no subscription of this account: no event to build
		}
		e := Event{Version: version, ID: middleware.NewID(), DetailType: DetailType, Source: Source, Account: account,
			Time: eventTime(now), Region: o.region, Resources: []string{resource}, Detail: detail}
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		var decoded map[string]any
		if err := json.Unmarshal(body, &decoded); err != nil {
			return err
		}
		for _, s := range subs {
			if s.AccountID != account {
				continue
			}
			if p := o.compile(s.Pattern); p == nil || !p.MatchValue(decoded) {
				continue
			}
			d := store.EventDelivery{ID: middleware.NewID(), SubscriptionID: s.ID, EventID: e.ID, Body: body,
				NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
			if err := q.CreateEventDelivery(ctx, &d); err != nil {
				return fmt.Errorf("event delivery: %w", err)
			}
		}
	}
	return nil
}
