package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/auth"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/blobcache"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/metrics"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/token"
)

// The metrics are fed by decorators of the interfaces the services
// already use (rule: metrics wrap an interface; they are not branches
// inside implementations). Each is applied only when metrics are on, so
// --metrics off is the uninstrumented server.

// metricsHandler serves GET /metrics to whom cfg.Metrics allows.
func metricsHandler(m *metrics.Metrics, who string) http.Handler {
	h := m.Handler()
	if who == config.MetricsOpen {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !fromLoopback(r) {
			http.Error(w, "The metrics are served to clients on this host only (--metrics loopback; --metrics open serves them to every client).", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// fromLoopback reports whether the request's connection comes from a
// loopback address and carries no forwarding header: a reverse proxy on
// the same host connects from loopback too, and what it forwards is from
// elsewhere.
func fromLoopback(r *http.Request) bool {
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// cacheCollector reports the blob cache's hits, misses and size at
// scrape time.
func cacheCollector(c *blobcache.Store) prometheus.Collector {
	return collectorFunc{
		prometheus.NewDesc("arca_blob_cache_hits_total", "Blob opens answered from the in-memory cache of small blobs.", nil, nil),
		prometheus.NewDesc("arca_blob_cache_misses_total", "Blob opens that went to the blob store.", nil, nil),
		prometheus.NewDesc("arca_blob_cache_entries", "Blobs held in the in-memory cache.", nil, nil),
		prometheus.NewDesc("arca_blob_cache_bytes", "Bytes held in the in-memory cache.", nil, nil),
		c,
	}
}

type collectorFunc struct {
	hits, misses, entries, bytes *prometheus.Desc
	c                            *blobcache.Store
}

func (f collectorFunc) Describe(ch chan<- *prometheus.Desc) {
	ch <- f.hits
	ch <- f.misses
	ch <- f.entries
	ch <- f.bytes
}

func (f collectorFunc) Collect(ch chan<- prometheus.Metric) {
	s := f.c.Stats()
	ch <- prometheus.MustNewConstMetric(f.hits, prometheus.CounterValue, float64(s.Hits))
	ch <- prometheus.MustNewConstMetric(f.misses, prometheus.CounterValue, float64(s.Misses))
	ch <- prometheus.MustNewConstMetric(f.entries, prometheus.GaugeValue, float64(s.Entries))
	ch <- prometheus.MustNewConstMetric(f.bytes, prometheus.GaugeValue, float64(s.Bytes))
}

// timedBlobs times the operations of the blob store below the cache. It
// forwards the store's blob.Redirector.
type timedBlobs struct {
	blob.Store
	m *metrics.Metrics
}

var _ blob.Redirector = timedBlobs{}

func blobResult(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, errkind.ErrNotFound):
		return "not_found"
	}
	return "error"
}

func (t timedBlobs) Open(ctx context.Context, d blob.Digest) (io.ReadSeekCloser, blob.Info, error) {
	start := time.Now()
	f, info, err := t.Store.Open(ctx, d)
	t.m.Blob("open", blobResult(err), time.Since(start))
	return f, info, err
}

func (t timedBlobs) Stat(ctx context.Context, d blob.Digest) (blob.Info, error) {
	start := time.Now()
	info, err := t.Store.Stat(ctx, d)
	t.m.Blob("stat", blobResult(err), time.Since(start))
	return info, err
}

func (t timedBlobs) Delete(ctx context.Context, d blob.Digest) error {
	start := time.Now()
	err := t.Store.Delete(ctx, d)
	t.m.Blob("delete", blobResult(err), time.Since(start))
	return err
}

func (t timedBlobs) Create(ctx context.Context) (blob.Writer, error) {
	w, err := t.Store.Create(ctx)
	if err != nil {
		t.m.Blob("commit", "error", 0)
		return nil, err
	}
	return timedWriter{w, t.m}, nil
}

func (t timedBlobs) RedirectURL(ctx context.Context, d blob.Digest, size int64, ttl time.Duration) (string, error) {
	return blob.RedirectURL(ctx, t.Store, d, size, ttl)
}

// timedWriter times a blob's Commit: the rename (and fsync) or the
// upload to the bucket.
type timedWriter struct {
	blob.Writer
	m *metrics.Metrics
}

func (w timedWriter) Commit(ctx context.Context, expected blob.Digest) (blob.Info, error) {
	start := time.Now()
	info, err := w.Writer.Commit(ctx, expected)
	w.m.Blob("commit", blobResult(err), time.Since(start))
	return info, err
}

// countedTokens counts the token checks of the repository endpoints.
type countedTokens struct {
	a *auth.Authenticator
	m *metrics.Metrics
}

func (c countedTokens) Token(r *http.Request) (token.Claims, error) {
	claims, err := c.a.Token(r)
	c.m.TokenCheck(tokenResult(err))
	return claims, err
}

func tokenResult(err error) string {
	switch {
	case err == nil:
		return "valid"
	case errors.Is(err, token.ErrExpired):
		return "expired"
	case errors.Is(err, token.ErrRevoked):
		return "revoked"
	case errkind.As(err).Reason == auth.ErrNoCredentials.Reason:
		return "missing"
	case errors.Is(err, errkind.ErrUnauthenticated):
		return "invalid"
	}
	return "error"
}

// countedRevocations counts the look-ups in the revocation list.
type countedRevocations struct {
	r auth.Revoked
	m *metrics.Metrics
}

func (c countedRevocations) Check(ctx context.Context, claims token.Claims) error {
	err := c.r.Check(ctx, claims)
	switch {
	case err == nil:
		c.m.RevocationCheck("valid")
	case errors.Is(err, token.ErrRevoked):
		c.m.RevocationCheck("revoked")
	default:
		c.m.RevocationCheck("error")
	}
	return err
}

// countedAuthz counts the policy decisions and names a repository
// endpoint's request by the permission it needed.
type countedAuthz struct {
	*authz.Evaluator
	m *metrics.Metrics
}

func (c countedAuthz) Authorize(ctx context.Context, r authz.Request) error {
	err := c.Evaluator.Authorize(ctx, r)
	metrics.From(ctx).Permission(r.Action)
	c.m.Decision(decision(err))
	return err
}

func (c countedAuthz) AuthorizeIdentity(ctx context.Context, p identity.Principal, action, resourceARN string) error {
	err := c.Evaluator.AuthorizeIdentity(ctx, p, action, resourceARN)
	c.m.Decision(decision(err))
	return err
}

func decision(err error) string {
	switch {
	case err == nil:
		return "allow"
	case errors.Is(err, errkind.ErrAccessDenied):
		return "deny"
	}
	return "error"
}

// countedStore counts the package versions its transactions create, once
// they commit, by format and origin.
type countedStore struct {
	store.Store
	m *metrics.Metrics
}

func (s countedStore) Update(ctx context.Context, fn func(q store.Queries) error) error {
	var q *countingQueries
	err := s.Store.Update(ctx, func(inner store.Queries) error {
		q = &countingQueries{Queries: inner, formats: map[int64]string{}} // anew if the store retries
		return fn(q)
	})
	if err == nil && q != nil {
		for _, c := range q.created {
			s.m.VersionCreated(c.format, c.origin)
		}
	}
	return err
}

// countingQueries remembers the versions a transaction creates. A
// version names its package by id; the package's format is learnt from
// EnsurePackage, which every path that creates a version calls first.
type countingQueries struct {
	store.Queries
	formats map[int64]string
	created []struct{ format, origin string }
}

func (q *countingQueries) EnsurePackage(ctx context.Context, p *store.Package) (bool, error) {
	created, err := q.Queries.EnsurePackage(ctx, p)
	if err == nil {
		q.formats[p.ID] = string(p.Format)
	}
	return created, err
}

func (q *countingQueries) CreateVersion(ctx context.Context, domainID int64, v *store.Version) error {
	if err := q.Queries.CreateVersion(ctx, domainID, v); err != nil {
		return err
	}
	f, ok := q.formats[v.PackageID]
	if !ok {
		f = "unknown"
	}
	origin := "published"
	if v.Origin.Type == artifact.OriginExternal {
		origin = "ingested"
	}
	q.created = append(q.created, struct{ format, origin string }{f, origin})
	return nil
}

// observeUpstream counts a connection's fetches, failures and bytes.
func observeUpstream(m *metrics.Metrics) func(connection string, rt http.RoundTripper) http.RoundTripper {
	return func(connection string, rt http.RoundTripper) http.RoundTripper {
		return upstreamCounter{rt: rt, m: m, connection: connection}
	}
}

type upstreamCounter struct {
	rt         http.RoundTripper
	m          *metrics.Metrics
	connection string
}

func (u upstreamCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := u.rt.RoundTrip(r)
	d := time.Since(start)
	switch {
	case err != nil:
		u.m.UpstreamFetch(u.connection, "error", d)
		return nil, err
	case resp.StatusCode >= 500:
		u.m.UpstreamFetch(u.connection, "error", d)
	case resp.StatusCode >= 400:
		u.m.UpstreamFetch(u.connection, "not_found", d)
	default:
		u.m.UpstreamFetch(u.connection, "ok", d)
	}
	resp.Body = &countedBody{ReadCloser: resp.Body, count: func(n int64) { u.m.UpstreamBytes(u.connection, n) }}
	return resp, nil
}

// countedBody counts the bytes read from a response body.
type countedBody struct {
	io.ReadCloser
	count func(int64)
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.count(int64(n))
	return n, err
}

var _ format.Authorizer = countedAuthz{}
