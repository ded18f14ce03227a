package sealed

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/arcahq/arca/internal/store"
)

// The associated data of each kind of secret: the row's identity, so a
// sealed value copied into another row does not open there.
func accessKeyAD(id string) string    { return "access-key/" + id }
func sessionAD(id string) string      { return "sts-session/" + id }
func signingKeyAD(id uint32) string   { return "signing-key/" + strconv.FormatUint(uint64(id), 10) }
func subscriptionAD(id string) string { return "event-subscription/" + id }

// Store is a store.Store that seals the secrets it is given before the
// inner store writes them, and opens them as it reads them: IAM secret
// access keys, STS session secrets, token signing keys and the HMAC
// secrets of event subscriptions. Every other
// query passes through.
type Store struct {
	queries
	inner store.Store
}

// Open seals anew every secret of st that is not sealed under the current
// master key (rows from before encryption, or sealed under a previous
// key), in one transaction, and returns st wrapped so that what is written
// from now on is sealed. It fails if a secret is sealed under no key of
// box: the wrong master key.
func Open(ctx context.Context, st store.Store, box *Box) (*Store, error) {
	if err := reseal(ctx, st, box); err != nil {
		return nil, err
	}
	return &Store{queries: queries{Queries: st, box: box}, inner: st}, nil
}

// OpenStore loads the master keys src names, opens the inner store with
// open (after the keys loaded: a missing key creates no database), and
// seals it with Open, closing it again on failure. created is the key file
// Load made, if it made one.
func OpenStore(ctx context.Context, src Source, open func() (store.Store, error)) (st *Store, created string, err error) {
	box, created, err := Load(src)
	if err != nil {
		return nil, "", err
	}
	raw, err := open()
	if err != nil {
		return nil, "", err
	}
	if st, err = Open(ctx, raw, box); err != nil {
		raw.Close()
		return nil, "", err
	}
	return st, created, nil
}

// Update runs fn in a transaction of the inner store, with its queries
// sealing and opening secrets too.
func (s *Store) Update(ctx context.Context, fn func(q store.Queries) error) error {
	return s.inner.Update(ctx, func(q store.Queries) error { return fn(queries{Queries: q, box: s.box}) })
}

// Close closes the inner store.
func (s *Store) Close() error { return s.inner.Close() }

// reseal brings every secret under the current master key.
func reseal(ctx context.Context, st store.Store, box *Box) error {
	wrong := func(what string, err error) error {
		if errors.Is(err, ErrWrongKey) {
			return fmt.Errorf("the master key does not open the secrets in the database (%s): start with the master key "+
				"the data directory was sealed with (%s or --master-key-file); to change keys, give the new key first and the old one after it", what, EnvMasterKey)
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	return st.Update(ctx, func(q store.Queries) error {
		keys, err := q.ListAllAccessKeys(ctx)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if box.Current([]byte(k.Secret)) {
				continue
			}
			plain, _, err := box.Open([]byte(k.Secret), accessKeyAD(k.ID))
			if err != nil {
				return wrong("access key "+k.ID, err)
			}
			k.Secret = box.Seal(plain, accessKeyAD(k.ID))
			if err := q.PutAccessKey(ctx, k); err != nil {
				return err
			}
		}
		sessions, err := q.ListSessionSecrets(ctx)
		if err != nil {
			return err
		}
		for id, secret := range sessions {
			if box.Current([]byte(secret)) {
				continue
			}
			plain, _, err := box.Open([]byte(secret), sessionAD(id))
			if err != nil {
				return wrong("session "+id, err)
			}
			if err := q.SetSessionSecret(ctx, id, box.Seal(plain, sessionAD(id))); err != nil {
				return err
			}
		}
		subs, err := q.ListAllEventSubscriptions(ctx)
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if box.Current([]byte(sub.Secret)) {
				continue
			}
			plain, _, err := box.Open([]byte(sub.Secret), subscriptionAD(sub.ID))
			if err != nil {
				return wrong("event subscription "+sub.ID, err)
			}
			if err := q.SetEventSubscriptionSecret(ctx, sub.ID, box.Seal(plain, subscriptionAD(sub.ID))); err != nil {
				return err
			}
		}
		signing, err := q.ListSigningKeys(ctx)
		if err != nil {
			return err
		}
		for _, k := range signing {
			if box.Current(k.Secret) {
				continue
			}
			plain, _, err := box.Open(k.Secret, signingKeyAD(k.ID))
			if err != nil {
				return wrong("signing key "+strconv.FormatUint(uint64(k.ID), 10), err)
			}
			if err := q.SetSigningKeySecret(ctx, k.ID, []byte(box.Seal(plain, signingKeyAD(k.ID)))); err != nil {
				return err
			}
		}
		return nil
	})
}

// queries seals and opens the secrets that pass through q.
type queries struct {
	store.Queries
	box *Box
}

func (q queries) openString(v, ad string) (string, error) {
	out, _, err := q.box.Open([]byte(v), ad)
	if err != nil {
		return "", fmt.Errorf("open secret %s: %w", ad, err)
	}
	return string(out), nil
}

func (q queries) PutAccessKey(ctx context.Context, k store.AccessKey) error {
	k.Secret = q.box.Seal([]byte(k.Secret), accessKeyAD(k.ID))
	return q.Queries.PutAccessKey(ctx, k)
}

func (q queries) openAccessKey(k store.AccessKey) (store.AccessKey, error) {
	var err error
	k.Secret, err = q.openString(k.Secret, accessKeyAD(k.ID))
	return k, err
}

func (q queries) GetAccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	k, err := q.Queries.GetAccessKey(ctx, id)
	if err != nil {
		return k, err
	}
	return q.openAccessKey(k)
}

func (q queries) openAccessKeys(keys []store.AccessKey, err error) ([]store.AccessKey, error) {
	if err != nil {
		return nil, err
	}
	for i := range keys {
		if keys[i], err = q.openAccessKey(keys[i]); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

func (q queries) ListAccessKeys(ctx context.Context, accountID, userID string) ([]store.AccessKey, error) {
	return q.openAccessKeys(q.Queries.ListAccessKeys(ctx, accountID, userID))
}

func (q queries) ListAllAccessKeys(ctx context.Context) ([]store.AccessKey, error) {
	return q.openAccessKeys(q.Queries.ListAllAccessKeys(ctx))
}

func (q queries) CreateSession(ctx context.Context, s store.Session) error {
	s.Secret = q.box.Seal([]byte(s.Secret), sessionAD(s.AccessKeyID))
	return q.Queries.CreateSession(ctx, s)
}

func (q queries) GetSession(ctx context.Context, accessKeyID string) (store.Session, error) {
	s, err := q.Queries.GetSession(ctx, accessKeyID)
	if err != nil {
		return s, err
	}
	s.Secret, err = q.openString(s.Secret, sessionAD(s.AccessKeyID))
	return s, err
}

func (q queries) ListSessionSecrets(ctx context.Context) (map[string]string, error) {
	secrets, err := q.Queries.ListSessionSecrets(ctx)
	if err != nil {
		return nil, err
	}
	for id, v := range secrets {
		if secrets[id], err = q.openString(v, sessionAD(id)); err != nil {
			return nil, err
		}
	}
	return secrets, nil
}

func (q queries) SetSessionSecret(ctx context.Context, accessKeyID, secret string) error {
	return q.Queries.SetSessionSecret(ctx, accessKeyID, q.box.Seal([]byte(secret), sessionAD(accessKeyID)))
}

func (q queries) CreateSigningKey(ctx context.Context, k store.SigningKey) error {
	k.Secret = []byte(q.box.Seal(k.Secret, signingKeyAD(k.ID)))
	return q.Queries.CreateSigningKey(ctx, k)
}

func (q queries) ListSigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	keys, err := q.Queries.ListSigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	for i, k := range keys {
		if keys[i].Secret, _, err = q.box.Open(k.Secret, signingKeyAD(k.ID)); err != nil {
			return nil, fmt.Errorf("open secret %s: %w", signingKeyAD(k.ID), err)
		}
	}
	return keys, nil
}

func (q queries) SetSigningKeySecret(ctx context.Context, id uint32, secret []byte) error {
	return q.Queries.SetSigningKeySecret(ctx, id, []byte(q.box.Seal(secret, signingKeyAD(id))))
}

func (q queries) CreateEventSubscription(ctx context.Context, s store.EventSubscription) error {
	s.Secret = q.box.Seal([]byte(s.Secret), subscriptionAD(s.ID))
	return q.Queries.CreateEventSubscription(ctx, s)
}

func (q queries) GetEventSubscription(ctx context.Context, id string) (store.EventSubscription, error) {
	s, err := q.Queries.GetEventSubscription(ctx, id)
	if err != nil {
		return s, err
	}
	s.Secret, err = q.openString(s.Secret, subscriptionAD(s.ID))
	return s, err
}

func (q queries) openSubscriptions(list []store.EventSubscription, err error) ([]store.EventSubscription, error) {
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Secret, err = q.openString(list[i].Secret, subscriptionAD(list[i].ID)); err != nil {
			return nil, err
		}
	}
	return list, nil
}

func (q queries) ListEventSubscriptions(ctx context.Context, domainOwner, domainName string) ([]store.EventSubscription, error) {
	return q.openSubscriptions(q.Queries.ListEventSubscriptions(ctx, domainOwner, domainName))
}

func (q queries) ListAllEventSubscriptions(ctx context.Context) ([]store.EventSubscription, error) {
	return q.openSubscriptions(q.Queries.ListAllEventSubscriptions(ctx))
}

func (q queries) SetEventSubscriptionSecret(ctx context.Context, id, secret string) error {
	return q.Queries.SetEventSubscriptionSecret(ctx, id, q.box.Seal([]byte(secret), subscriptionAD(id)))
}
