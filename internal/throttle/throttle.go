package throttle

import (
	"sync"
	"time"

	"github.com/arcahq/arca/internal/errkind"
)

// Config sets a Throttle.
type Config struct {
	// Scale multiplies CodeArtifact's quotas (1 is CodeArtifact's own
	// numbers); 0 turns the rates off.
	Scale float64
	// PerClient bounds the requests in flight from one client address,
	// and from one principal; 0 is no bound.
	PerClient int
}

// Throttle is the server's rates and in-flight bounds. A nil *Throttle
// lets everything through.
type Throttle struct {
	ops       map[string]*Limiter
	token     *Limiter
	read      *Limiter
	write     *Limiter
	anonymous *Limiter
	addr      *InFlight
	principal *InFlight
}

// New returns the throttle cfg describes.
func New(cfg Config, now func() time.Time) *Throttle {
	t := &Throttle{}
	if cfg.Scale > 0 {
		t.ops = map[string]*Limiter{}
		for op, q := range OperationQuotas {
			t.ops[op] = NewLimiter(q*cfg.Scale, now)
		}
		t.token = NewLimiter(TokenQuota*cfg.Scale, now)
		t.read = NewLimiter(RepositoryReadQuota*cfg.Scale, now)
		t.write = NewLimiter(RepositoryWriteQuota*cfg.Scale, now)
		t.anonymous = NewLimiter(AnonymousQuota*cfg.Scale, now)
	}
	if cfg.PerClient > 0 {
		t.addr = NewInFlight(cfg.PerClient)
		t.principal = NewInFlight(cfg.PerClient)
	}
	return t
}

// Operation takes a request of a control-plane operation by account from
// the operation's quota, if it has one.
func (t *Throttle) Operation(account, op string) error {
	if t == nil || t.ops[op] == nil {
		return nil
	}
	l := t.ops[op]
	return l.take(account, "Rate exceeded: at most %g %s requests a second per account.", op)
}

// Token takes a request made with an authorization token from the
// token's quota. id is the token's id (its bytes are copied only when
// the quota is on).
func (t *Throttle) Token(id []byte) error {
	if t == nil || t.token == nil {
		return nil
	}
	return t.token.take(string(id), "Rate exceeded: at most %g requests a second with one authorization token.", "")
}

// Repository takes a read or a write on a repository endpoint by account
// from the repository's quota for the account.
func (t *Throttle) Repository(account, repository string, write bool) error {
	if t == nil || t.read == nil {
		return nil
	}
	l, what := t.read, "read"
	if write {
		l, what = t.write, "write"
	}
	return l.take(account+" "+repository, "Rate exceeded: at most %g %s requests a second to this repository from one account.", what)
}

// Anonymous takes a request without valid credentials from its address's
// quota.
func (t *Throttle) Anonymous(addr string) error {
	if t == nil || t.anonymous == nil {
		return nil
	}
	return t.anonymous.take(addr, "Rate exceeded: at most %g requests a second without valid credentials from one address.", "")
}

// EnterAddress holds one of the client address's in-flight slots until
// release; every slot taken is a Throttled error.
func (t *Throttle) EnterAddress(addr string) (release func(), err error) {
	if t == nil {
		return func() {}, nil
	}
	return t.addr.enter(addr, "this address")
}

// EnterPrincipal holds one of the principal's in-flight slots.
func (t *Throttle) EnterPrincipal(arn string) (release func(), err error) {
	if t == nil {
		return func() {}, nil
	}
	return t.principal.enter(arn, "this principal")
}

// InFlight counts requests in flight per key, up to a bound.
type InFlight struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

// NewInFlight returns a bound of max requests in flight per key.
func NewInFlight(max int) *InFlight { return &InFlight{max: max, n: map[string]int{}} }

// Acquire takes one of key's slots, if one is free.
func (f *InFlight) Acquire(key string) (release func(), ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[key] >= f.max {
		return nil, false
	}
	f.n[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.n[key]--; f.n[key] <= 0 {
				delete(f.n, key)
			}
		})
	}, true
}

func (f *InFlight) enter(key, who string) (func(), error) {
	if f == nil || key == "" {
		return func() {}, nil
	}
	release, ok := f.Acquire(key)
	if !ok {
		e := errkind.New(errkind.Throttled, "Too many requests in flight from %s: at most %d at once.", who, f.max)
		e.RetryAfter = time.Second
		return nil, e
	}
	return release, nil
}
