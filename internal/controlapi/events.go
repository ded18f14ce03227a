package controlapi

import (
	"context"
	"encoding/json"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/events"
	"github.com/arcahq/arca/internal/store"
)

// Event subscription operations: Arca's own (model/arca-operations.json),
// authorized as arca:<Operation> on the ARN of the domain whose events
// they concern. A subscription belongs to the caller's account, which
// receives the domain's events if it owns the domain, and the events of
// the repositories it administers there otherwise (package events). The
// secret is write-only: no answer carries it, and the audit log never
// records it.

// eventSubscription is a subscription as the API writes it.
type eventSubscription struct {
	SubscriptionID string `json:"subscriptionId"`
	Name           string `json:"name"`
	Domain         string `json:"domain"`
	DomainOwner    string `json:"domainOwner"`
	Account        string `json:"account"`
	URL            string `json:"url"`
	EventPattern   string `json:"eventPattern"`
	CreatedTime    epoch  `json:"createdTime"`
}

func subscriptionOf(s store.EventSubscription) *eventSubscription {
	return &eventSubscription{SubscriptionID: s.ID, Name: s.Name, Domain: s.DomainName, DomainOwner: s.DomainOwner,
		Account: s.AccountID, URL: s.URL, EventPattern: s.Pattern, CreatedTime: epoch(s.CreatedAt)}
}

type eventSubscriptionOutput struct {
	Subscription *eventSubscription `json:"subscription"`
}

// eventCall authorizes the call on the domain, checks that the domain
// exists, and returns the caller's scope in it.
func (a *API) eventCall(ctx context.Context, c *call, in domainInput) (events.Scope, error) {
	d := in.ref(c)
	if err := a.authorize(ctx, c, c.op.Action(), arn.Domain(a.cfg.Region, d.Owner, d.Name)); err != nil {
		return events.Scope{}, err
	}
	if _, err := a.catalog.Domain(ctx, d); err != nil {
		return events.Scope{}, err
	}
	return events.Scope{Account: c.principal.Account, DomainOwner: d.Owner, DomainName: d.Name}, nil
}

// createEventSubscription serves CreateEventSubscription.
func (a *API) createEventSubscription(ctx context.Context, c *call, in *struct {
	domainInput
	Name         string `json:"name"`
	URL          string `json:"url"`
	Secret       string `json:"secret"`
	EventPattern string `json:"eventPattern"`
}) (*eventSubscriptionOutput, error) {
	sc, err := a.eventCall(ctx, c, in.domainInput)
	if err != nil {
		return nil, err
	}
	s, err := a.cfg.Events.Subscribe(ctx, sc, events.NewSubscription{Name: in.Name, URL: in.URL, Secret: in.Secret, Pattern: in.EventPattern})
	if err != nil {
		return nil, err
	}
	audit.From(ctx).Response(map[string]any{"subscriptionId": s.ID})
	return &eventSubscriptionOutput{subscriptionOf(s)}, nil
}

// listEventSubscriptions serves ListEventSubscriptions: the caller's
// account's subscriptions to the domain.
func (a *API) listEventSubscriptions(ctx context.Context, c *call, in *domainInput) (*struct {
	Subscriptions []*eventSubscription `json:"subscriptions"`
}, error) {
	sc, err := a.eventCall(ctx, c, *in)
	if err != nil {
		return nil, err
	}
	list, err := a.cfg.Events.List(ctx, sc)
	if err != nil {
		return nil, err
	}
	out := &struct {
		Subscriptions []*eventSubscription `json:"subscriptions"`
	}{Subscriptions: []*eventSubscription{}}
	for _, s := range list {
		out.Subscriptions = append(out.Subscriptions, subscriptionOf(s))
	}
	return out, nil
}

type eventSubscriptionInput struct {
	domainInput
	SubscriptionID string `json:"subscriptionId"`
}

// deleteEventSubscription serves DeleteEventSubscription.
func (a *API) deleteEventSubscription(ctx context.Context, c *call, in *eventSubscriptionInput) (*eventSubscriptionOutput, error) {
	sc, err := a.eventCall(ctx, c, in.domainInput)
	if err != nil {
		return nil, err
	}
	s, err := a.cfg.Events.Unsubscribe(ctx, sc, in.SubscriptionID)
	if err != nil {
		return nil, err
	}
	return &eventSubscriptionOutput{subscriptionOf(s)}, nil
}

// eventDelivery is a delivery as the API writes it, with its event.
type eventDelivery struct {
	DeliveryID      string          `json:"deliveryId"`
	EventID         string          `json:"eventId"`
	State           string          `json:"state"`
	Attempts        int             `json:"attempts"`
	LastStatusCode  int             `json:"lastStatusCode,omitempty"`
	LastError       string          `json:"lastError,omitempty"`
	NextAttemptTime *epoch          `json:"nextAttemptTime,omitempty"`
	CreatedTime     epoch           `json:"createdTime"`
	UpdatedTime     epoch           `json:"updatedTime"`
	Event           json.RawMessage `json:"event"`
}

// listEventDeliveries serves ListEventDeliveries: the newest first.
func (a *API) listEventDeliveries(ctx context.Context, c *call, in *struct {
	eventSubscriptionInput
	State      string `json:"state"`
	MaxResults int    `json:"maxResults"`
}) (*struct {
	Deliveries []eventDelivery `json:"deliveries"`
}, error) {
	sc, err := a.eventCall(ctx, c, in.domainInput)
	if err != nil {
		return nil, err
	}
	list, err := a.cfg.Events.Deliveries(ctx, sc, in.SubscriptionID, in.State, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := &struct {
		Deliveries []eventDelivery `json:"deliveries"`
	}{Deliveries: []eventDelivery{}}
	for _, d := range list {
		e := eventDelivery{DeliveryID: d.ID, EventID: d.EventID, State: d.State, Attempts: d.Attempts, LastStatusCode: d.LastStatus,
			LastError: d.LastError, CreatedTime: epoch(d.CreatedAt), UpdatedTime: epoch(d.UpdatedAt), Event: d.Body}
		if d.State == store.DeliveryPending {
			t := epoch(d.NextAttemptAt)
			e.NextAttemptTime = &t
		}
		out.Deliveries = append(out.Deliveries, e)
	}
	return out, nil
}

// redriveEventDeliveries serves RedriveEventDeliveries: the dead letters
// are sent again, first of the subscription's queue.
func (a *API) redriveEventDeliveries(ctx context.Context, c *call, in *eventSubscriptionInput) (*struct {
	Redriven int64 `json:"redriven"`
}, error) {
	sc, err := a.eventCall(ctx, c, in.domainInput)
	if err != nil {
		return nil, err
	}
	n, err := a.cfg.Events.Redrive(ctx, sc, in.SubscriptionID)
	if err != nil {
		return nil, err
	}
	return &struct {
		Redriven int64 `json:"redriven"`
	}{n}, nil
}
