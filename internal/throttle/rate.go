package throttle

import (
	"math"
	"sync"
	"time"

	"github.com/arcahq/arca/internal/errkind"
)

// CodeArtifact's request quotas, in requests a second (User Guide,
// "Quotas in AWS CodeArtifact"; none is adjustable there).
var (
	// OperationQuotas are the control-plane operations with a quota of
	// their own, per account.
	OperationQuotas = map[string]float64{
		"CopyPackageVersions":      5,
		"GetAuthorizationToken":    40,
		"GetPackageVersionAsset":   50,
		"ListPackageVersionAssets": 20,
		"ListPackageVersions":      200,
		"ListPackages":             200,
	}
)

const (
	// TokenQuota is "Maximum requests per second using a single
	// authentication token".
	TokenQuota = 800
	// RepositoryReadQuota and RepositoryWriteQuota are a repository's
	// "maximum read (write) requests per second from a single AWS account".
	RepositoryReadQuota  = 800
	RepositoryWriteQuota = 100
	// AnonymousQuota is "Requests without authentication token per IP
	// address maximum".
	AnonymousQuota = 600
)

// maxKeys bounds the buckets a Limiter remembers.
const maxKeys = 100_000

// Limiter is a set of token buckets, one per key, each filling at rate
// tokens a second up to one second's worth (the quota is "per second").
type Limiter struct {
	rate    float64
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter returns a Limiter of rate requests a second per key.
func NewLimiter(rate float64, now func() time.Time) *Limiter {
	return &Limiter{rate: rate, now: now, buckets: map[string]*bucket{}}
}

// Allow takes a token from key's bucket; when there is none it returns
// how long until there is one.
func (l *Limiter) Allow(key string) (wait time.Duration, ok bool) {
	now := l.now()
	burst := math.Max(l.rate, 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxKeys {
			l.forget(now, burst)
		}
		b = &bucket{tokens: burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
}

// forget drops the buckets that are full again (their keys have been idle
// for a second), and every bucket if that is not enough: forgetting only
// ever lets a client in early.
func (l *Limiter) forget(now time.Time, burst float64) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxKeys {
		clear(l.buckets)
	}
}

// take takes a request by key from the rate; the refusal, when there is
// no room, says why (format, given the rate and, unless "", what) and when
// to retry. The message's arguments are boxed only for a refusal: an
// admitted request allocates nothing here.
func (l *Limiter) take(key, format, what string) error {
	wait, ok := l.Allow(key)
	if ok {
		return nil
	}
	args := []any{l.rate}
	if what != "" {
		args = append(args, what)
	}
	e := errkind.New(errkind.Throttled, format, args...)
	e.RetryAfter = wait
	return e
}
