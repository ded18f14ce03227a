package store

import (
	"context"
	"time"
)

// EventSubscription is a webhook: events of one domain that match Pattern
// and are delivered to AccountID are POSTed to URL, signed with Secret.
type EventSubscription struct {
	ID          string
	AccountID   string // the owner: the account the events are delivered to
	DomainOwner string
	DomainName  string
	Name        string
	URL         string
	Pattern     string // an EventBridge event pattern (JSON); "" matches every event
	Secret      string // the HMAC key; sealed at rest
	CreatedAt   time.Time
}

// Delivery states.
const (
	DeliveryPending   = "Pending"
	DeliveryDelivered = "Delivered"
	DeliveryDead      = "Dead"
)

// EventDelivery is one event on its way to one subscription: a row of the
// outbox.
type EventDelivery struct {
	Seq            int64  // set by CreateEventDelivery; orders the deliveries of a subscription
	ID             string // the delivery id sent in X-Arca-Delivery
	SubscriptionID string
	EventID        string // the event's id field
	Body           []byte // the event JSON, sent as is
	State          string // DeliveryPending, DeliveryDelivered or DeliveryDead
	Attempts       int
	NextAttemptAt  time.Time
	LastStatus     int // the HTTP status of the last attempt; 0 if none answered
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Events stores event subscriptions and the outbox of their deliveries.
//
// Deliveries of a subscription leave in order: ClaimEventDeliveries hands
// out only the oldest pending delivery of each subscription, and only when
// it is due and no one holds its lease. A claim is atomic across processes:
// each delivery is held by one claimant at a time.
type Events interface {
	// NextEventSequence increments and returns the event counter of key
	// (a package ARN); the first call returns 1.
	NextEventSequence(ctx context.Context, key string) (int64, error)

	// CreateEventSubscription inserts s; an existing id is errkind.Conflict.
	CreateEventSubscription(ctx context.Context, s EventSubscription) error
	GetEventSubscription(ctx context.Context, id string) (EventSubscription, error)
	// ListEventSubscriptions returns the subscriptions of a domain (of
	// every account), oldest first.
	ListEventSubscriptions(ctx context.Context, domainOwner, domainName string) ([]EventSubscription, error)
	// ListAllEventSubscriptions returns every subscription (for re-sealing
	// secrets), and SetEventSubscriptionSecret replaces one's secret.
	ListAllEventSubscriptions(ctx context.Context) ([]EventSubscription, error)
	SetEventSubscriptionSecret(ctx context.Context, id, secret string) error
	// DeleteEventSubscription removes a subscription with its deliveries;
	// a missing one is errkind.NotFound.
	DeleteEventSubscription(ctx context.Context, id string) error

	// CreateEventDelivery inserts d (Pending, due at d.NextAttemptAt) and
	// sets d.Seq.
	CreateEventDelivery(ctx context.Context, d *EventDelivery) error
	// ClaimEventDeliveries leases up to limit due deliveries to owner until
	// leaseUntil: for each subscription, its oldest pending delivery if it
	// is due at now and its lease has run out.
	ClaimEventDeliveries(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]EventDelivery, error)
	// FinishEventDelivery records an attempt of a delivery owner holds:
	// d's State, Attempts, NextAttemptAt, LastStatus, LastError and
	// UpdatedAt, and releases the lease. A delivery owner no longer holds
	// is errkind.NotFound (its lease ran out and another took it).
	FinishEventDelivery(ctx context.Context, owner string, d EventDelivery) error
	// ListEventDeliveries returns up to limit deliveries of a subscription
	// with Seq below before (0: from the newest), newest first; state ""
	// lists every state.
	ListEventDeliveries(ctx context.Context, subscriptionID, state string, before int64, limit int) ([]EventDelivery, error)
	// RedriveEventDeliveries makes the subscription's Dead deliveries
	// Pending again, due at now with no attempts, and returns how many.
	RedriveEventDeliveries(ctx context.Context, subscriptionID string, now time.Time) (int64, error)
	// CountEventDeliveries returns how many deliveries are in state.
	CountEventDeliveries(ctx context.Context, state string) (int64, error)
	// DeleteDeliveredEvents removes Delivered deliveries last updated
	// before t and returns how many.
	DeleteDeliveredEvents(ctx context.Context, before time.Time) (int64, error)
}
