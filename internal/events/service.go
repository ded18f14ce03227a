package events

import (
	"context"
	"errors"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/eventpattern"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/store"
)

// Limits of subscriptions.
const (
	MaxSubscriptions = 100 // per account and domain
	MinSecretLength  = 16
	MaxSecretLength  = 1024
	MaxURLLength     = 2048
	MaxNameLength    = 100
	MaxDeliveries    = 1000 // per ListDeliveries page
)

// Subscriptions is what Service needs of the store.
type Subscriptions interface {
	CreateEventSubscription(ctx context.Context, s store.EventSubscription) error
	GetEventSubscription(ctx context.Context, id string) (store.EventSubscription, error)
	ListEventSubscriptions(ctx context.Context, domainOwner, domainName string) ([]store.EventSubscription, error)
	DeleteEventSubscription(ctx context.Context, id string) error
	ListEventDeliveries(ctx context.Context, subscriptionID, state string, before int64, limit int) ([]store.EventDelivery, error)
	RedriveEventDeliveries(ctx context.Context, subscriptionID string, now time.Time) (int64, error)
}

// Service manages the subscriptions of accounts. Callers have authorized
// the call and checked that the domain exists; a subscription belongs to
// the account that created it, and only that account sees it.
type Service struct {
	st   Subscriptions
	now  func() time.Time
	wake func() // tells the dispatcher of redriven deliveries
}

// NewService returns a service over st; wake (may be nil) is called after
// a redrive.
func NewService(st Subscriptions, now func() time.Time, wake func()) *Service {
	if wake == nil {
		wake = func() {}
	}
	return &Service{st: st, now: now, wake: wake}
}

// Scope names the account calling and the domain it acts on.
type Scope struct {
	Account     string
	DomainOwner string
	DomainName  string
}

// NewSubscription is what Subscribe is given.
type NewSubscription struct {
	Name, URL, Secret, Pattern string
}

// Subscribe creates a subscription of the scope's account to the events
// of its domain delivered to that account.
func (s *Service) Subscribe(ctx context.Context, sc Scope, n NewSubscription) (store.EventSubscription, error) {
	if err := checkURL(n.URL); err != nil {
		return store.EventSubscription{}, err
	}
	switch l := utf8.RuneCountInString(n.Secret); {
	case l < MinSecretLength:
		return store.EventSubscription{}, errkind.Validationf("The secret must be at least %d characters long", MinSecretLength)
	case len(n.Secret) > MaxSecretLength:
		return store.EventSubscription{}, errkind.Validationf("The secret must be at most %d bytes long", MaxSecretLength)
	}
	if utf8.RuneCountInString(n.Name) > MaxNameLength || !utf8.ValidString(n.Name) {
		return store.EventSubscription{}, errkind.Validationf("The name must be at most %d characters of UTF-8", MaxNameLength)
	}
	if _, err := eventpattern.Compile(n.Pattern); err != nil {
		return store.EventSubscription{}, errkind.Validationf("%s", err.Error())
	}
	mine, err := s.List(ctx, sc)
	if err != nil {
		return store.EventSubscription{}, err
	}
	if len(mine) >= MaxSubscriptions {
		return store.EventSubscription{}, errkind.Quotaf("An account can have at most %d event subscriptions per domain", MaxSubscriptions)
	}
	sub := store.EventSubscription{ID: middleware.NewID(), AccountID: sc.Account, DomainOwner: sc.DomainOwner, DomainName: sc.DomainName,
		Name: n.Name, URL: n.URL, Pattern: n.Pattern, Secret: n.Secret, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	return sub, s.st.CreateEventSubscription(ctx, sub)
}

func checkURL(raw string) error {
	if raw == "" {
		return errkind.Validationf("A subscription needs the URL events are POSTed to")
	}
	if len(raw) > MaxURLLength {
		return errkind.Validationf("The URL must be at most %d bytes long", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return errkind.Validationf("The URL must be an absolute http or https URL without a fragment: %q", raw)
	}
	if u.User != nil {
		return errkind.Validationf("The URL must not carry credentials: deliveries are authenticated by their signature")
	}
	return nil
}

// List returns the scope account's subscriptions to the domain.
func (s *Service) List(ctx context.Context, sc Scope) ([]store.EventSubscription, error) {
	all, err := s.st.ListEventSubscriptions(ctx, sc.DomainOwner, sc.DomainName)
	if err != nil {
		return nil, err
	}
	mine := []store.EventSubscription{}
	for _, sub := range all {
		if sub.AccountID == sc.Account {
			mine = append(mine, sub)
		}
	}
	return mine, nil
}

// Get returns one of the scope account's subscriptions to the domain.
func (s *Service) Get(ctx context.Context, sc Scope, id string) (store.EventSubscription, error) {
	sub, err := s.st.GetEventSubscription(ctx, id)
	if err == nil && (sub.AccountID != sc.Account || sub.DomainOwner != sc.DomainOwner || sub.DomainName != sc.DomainName) {
		err = errkind.ErrNotFound
	}
	if errors.Is(err, errkind.ErrNotFound) {
		return sub, errkind.NotFoundf("Event subscription %s not found in domain %s", id, sc.DomainName).OnResource("event-subscription", id)
	}
	return sub, err
}

// Unsubscribe deletes a subscription with its deliveries and returns it
// as it was.
func (s *Service) Unsubscribe(ctx context.Context, sc Scope, id string) (store.EventSubscription, error) {
	sub, err := s.Get(ctx, sc, id)
	if err != nil {
		return sub, err
	}
	if err := s.st.DeleteEventSubscription(ctx, id); err != nil && !errors.Is(err, errkind.ErrNotFound) {
		return sub, err
	}
	return sub, nil
}

// Deliveries lists up to limit deliveries of a subscription, newest
// first; state "" lists every state.
func (s *Service) Deliveries(ctx context.Context, sc Scope, id, state string, limit int) ([]store.EventDelivery, error) {
	switch state {
	case "", store.DeliveryPending, store.DeliveryDelivered, store.DeliveryDead:
	default:
		return nil, errkind.Validationf("Delivery states are %s, %s and %s, not %q", store.DeliveryPending, store.DeliveryDelivered, store.DeliveryDead, state)
	}
	if limit <= 0 || limit > MaxDeliveries {
		limit = MaxDeliveries
	}
	if _, err := s.Get(ctx, sc, id); err != nil {
		return nil, err
	}
	return s.st.ListEventDeliveries(ctx, id, state, 0, limit)
}

// Redrive makes a subscription's dead deliveries pending again and
// returns how many.
func (s *Service) Redrive(ctx context.Context, sc Scope, id string) (int64, error) {
	if _, err := s.Get(ctx, sc, id); err != nil {
		return 0, err
	}
	n, err := s.st.RedriveEventDeliveries(ctx, id, s.now().UTC().Truncate(time.Millisecond))
	if n > 0 {
		s.wake()
	}
	return n, err
}
