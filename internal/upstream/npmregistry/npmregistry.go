package npmregistry

import (
	"container/list"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
)

// UserAgent is sent with every request to the registry.
const UserAgent = "arca (+npm external connection)"

// AssetName is the name of an npm version's one asset.
const AssetName = "package.tgz"

// Defaults of Config.
const (
	DefaultTTL             = 5 * time.Minute
	DefaultFailureTTL      = 30 * time.Second
	DefaultTimeout         = 30 * time.Second
	DefaultMaxDocumentSize = 64 << 20
	DefaultCacheBytes      = 256 << 20
)

// Config configures a registry client. Zero values take the defaults.
type Config struct {
	URL    string // the registry's base URL, from configuration
	Blobs  blob.Store
	Client *http.Client // nil for a client with transport timeouts (NewClient)
	Log    *slog.Logger

	// TTL is how long a fetched document is used before it is revalidated.
	TTL time.Duration
	// FailureTTL is how long a failure is remembered and answered at once.
	FailureTTL time.Duration
	// Timeout bounds a fetch for a caller whose context has no deadline.
	Timeout time.Duration
	// MaxDocumentSize bounds a package document, decompressed.
	MaxDocumentSize int64
	// CacheBytes bounds the documents kept in memory (by their size as
	// fetched).
	CacheBytes int64
	// Now is the clock of the cache (tests step it); nil for time.Now.
	Now func() time.Time
}

// Registry is a public npm registry. It is safe for concurrent use.
type Registry struct {
	cfg     Config
	base    string // URL without trailing slash
	name    string // base with any password redacted, for messages
	host    string // the host of base, for the failure memory
	client  *http.Client
	log     *slog.Logger
	now     func() time.Time
	flights singleflight.Group

	mu      sync.Mutex
	entries map[string]*entry
	lru     list.List // of *entry, most recently used first
	size    int64
	down    map[string]outage // by host
}

// entry is what is known of one package.
type entry struct {
	key  string
	elem *list.Element
	size int64

	// The last answer: a document, or that the package does not exist.
	remote             *resolve.Remote
	notFound           error
	checked            time.Time // when the answer was fetched or revalidated
	etag, lastModified string

	// The last failure, if more recent than the answer.
	failure error
	failed  time.Time
}

// outage is a host that could not be reached.
type outage struct {
	err   error
	since time.Time
}

var _ resolve.Connection = (*Registry)(nil)

// New returns a client of the registry at cfg.URL.
func New(cfg Config) *Registry {
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.FailureTTL <= 0 {
		cfg.FailureTTL = DefaultFailureTTL
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxDocumentSize <= 0 {
		cfg.MaxDocumentSize = DefaultMaxDocumentSize
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = DefaultCacheBytes
	}
	r := &Registry{
		cfg: cfg, base: strings.TrimRight(cfg.URL, "/"),
		client: cfg.Client, log: cfg.Log, now: cfg.Now,
		entries: map[string]*entry{}, down: map[string]outage{},
	}
	r.name = r.base
	if u, err := url.Parse(r.base); err == nil {
		r.name, r.host = u.Redacted(), u.Host
	}
	if r.client == nil {
		r.client = NewClient()
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// NewClient returns the HTTP client a Registry uses by default: the
// environment's proxy, and timeouts on each step of a request (dial, TLS
// handshake, response headers) so that a registry that stops answering
// ties nothing up beyond them, whatever deadline the caller has. The body
// is bounded by the caller's context only: a large tarball takes its time.
func NewClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   32,
	}}
}

// documentName is the package's npm name: "name" or "@scope/name".
func documentName(ref artifact.PackageRef) string {
	if ref.Namespace != "" {
		return "@" + ref.Namespace + "/" + ref.Name
	}
	return ref.Name
}

// documentURL is where the registry serves the package's document. The
// slash of a scoped name is escaped (@scope%2fname), as npm sends it: the
// registry takes the name as one path segment.
func (r *Registry) documentURL(ref artifact.PackageRef) string {
	name := url.PathEscape(ref.Name)
	if ref.Namespace != "" {
		name = "@" + url.PathEscape(ref.Namespace) + "%2f" + name
	}
	return r.base + "/" + name
}

// Package returns the registry's view of a package, from the cache while it
// is fresh. The Remote returned is shared: callers must not modify it.
func (r *Registry) Package(ctx context.Context, ref artifact.PackageRef) (*resolve.Remote, error) {
	if ref.Format != artifact.NPM {
		return nil, errkind.New(errkind.Internal, "the npm registry was asked for a %s package", ref.Format)
	}
	key := documentName(ref)
	if remote, err, ok := r.cached(key); ok {
		return remote, err
	}
	// The fetch runs detached from the caller that starts it, until that
	// caller's deadline, so that the callers that join it are not cut
	// short when this one goes away.
	start := time.Now()
	ch := r.flights.DoChan(key, func() (any, error) {
		fetchCtx, cancel := r.detach(ctx)
		defer cancel()
		return r.fetch(fetchCtx, ref, key)
	})
	select {
	case res := <-ch:
		if res.Err == nil {
			return res.Val.(*resolve.Remote), nil
		}
		if !errors.Is(res.Err, errkind.ErrUnavailable) {
			return nil, res.Err
		}
		return r.staleOr(key, res.Err)
	case <-ctx.Done():
		return r.staleOr(key, errkind.Wrap(errkind.Unavailable, ctx.Err(),
			"The npm registry at %s did not send the document of %s in time: %s", r.name, key, cause(ctx.Err(), time.Since(start))))
	}
}

// detach returns a context for work shared by several callers: not
// cancelled with ctx, but ending at its deadline (or after Config.Timeout
// when it has none).
func (r *Registry) detach(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(r.cfg.Timeout)
	}
	return context.WithDeadline(context.WithoutCancel(ctx), deadline)
}

// cached answers from memory: a fresh document or NotFound, a remembered
// failure of the package or of the registry (with a stale document when
// there is one). ok is false when the registry must be asked.
func (r *Registry) cached(key string) (*resolve.Remote, error, bool) {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries[key]
	if e != nil {
		r.lru.MoveToFront(e.elem)
		if (e.remote != nil || e.notFound != nil) && now.Sub(e.checked) < r.cfg.TTL && e.failure == nil {
			return e.remote, e.notFound, true
		}
	}
	var failure error
	if o, ok := r.down[r.host]; ok && now.Sub(o.since) < r.cfg.FailureTTL {
		failure = r.remembered(o.err, o.since, now)
	} else if e != nil && e.failure != nil && now.Sub(e.failed) < r.cfg.FailureTTL {
		failure = r.remembered(e.failure, e.failed, now)
	}
	if failure == nil {
		return nil, nil, false
	}
	if e != nil && e.remote != nil {
		return e.remote, nil, true // stale-if-error
	}
	return nil, failure, true
}

// remembered is the error answered at once while a failure is remembered.
func (r *Registry) remembered(err error, since, now time.Time) error {
	return errkind.Wrap(errkind.Unavailable, err, "%s (%s ago; Arca tries again in %s)",
		errkind.As(err).Message, now.Sub(since).Round(time.Second), (r.cfg.FailureTTL - now.Sub(since)).Round(time.Second))
}

// staleOr returns the last good document of key in place of err, if any.
func (r *Registry) staleOr(key string, err error) (*resolve.Remote, error) {
	r.mu.Lock()
	e := r.entries[key]
	var stale *resolve.Remote
	var age time.Duration
	if e != nil {
		stale, age = e.remote, r.now().Sub(e.checked)
	}
	r.mu.Unlock()
	if stale == nil {
		return nil, err
	}
	r.log.Warn("serving a stale npm package document", "package", key, "age", age.Round(time.Second), "error", err)
	return stale, nil
}

// fetch asks the registry for a package's document and records the answer.
func (r *Registry) fetch(ctx context.Context, ref artifact.PackageRef, key string) (*resolve.Remote, error) {
	// A flight that finished just before this one started has the answer.
	if remote, err, ok := r.cached(key); ok {
		return remote, err
	}
	r.mu.Lock()
	var prev *resolve.Remote
	var etag, lastModified string
	if e := r.entries[key]; e != nil && e.remote != nil {
		prev, etag, lastModified = e.remote, e.etag, e.lastModified
	}
	r.mu.Unlock()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.documentURL(ref), nil)
	if err != nil {
		return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err, "The npm registry URL %s is not usable", r.name))
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	if prev != nil && etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if prev != nil && lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		c := cause(err, time.Since(start))
		r.hostFailed(req.URL.Host, errkind.Wrap(errkind.Unavailable, err, "The npm registry at %s could not be reached: %s", r.name, c))
		return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err, "The npm registry at %s could not be reached for %s: %s", r.name, key, c))
	}
	defer resp.Body.Close()
	r.hostAnswered(req.URL.Host)

	switch {
	case resp.StatusCode == http.StatusOK:
		body, err := readLimited(resp.Body, r.cfg.MaxDocumentSize)
		if errors.Is(err, errTooLarge) {
			return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err,
				"The document of %s from the npm registry at %s is larger than the %d MiB Arca accepts", key, r.name, r.cfg.MaxDocumentSize>>20))
		}
		if err != nil {
			return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err,
				"The npm registry at %s broke off the document of %s: %s", r.name, key, cause(err, time.Since(start))))
		}
		remote, err := Parse(body)
		if errors.Is(err, errUnpublished) {
			return nil, r.answer(key, nil, errkind.NotFoundf("Package %s has no versions in the npm registry at %s", key, r.name), int64(len(body)), resp.Header)
		}
		if err != nil {
			return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err,
				"The npm registry at %s sent an invalid document for %s", r.name, key))
		}
		return remote, r.answer(key, remote, nil, int64(len(body)), resp.Header)
	case resp.StatusCode == http.StatusNotModified && prev != nil:
		drain(resp.Body)
		return prev, r.answer(key, prev, nil, -1, resp.Header)
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		drain(resp.Body)
		return nil, r.answer(key, nil, errkind.NotFoundf("Package %s not found in the npm registry at %s", key, r.name), 0, resp.Header)
	default:
		drain(resp.Body)
		return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, errors.New(resp.Status),
			"The npm registry at %s answered %s for the document of %s", r.name, resp.Status, key))
	}
}

// answer records an answer of the registry (a document, or notFound) and
// returns notFound. size -1 keeps the entry's size (a revalidation).
func (r *Registry) answer(key string, remote *resolve.Remote, notFound error, size int64, h http.Header) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entry(key)
	e.remote, e.notFound, e.failure = remote, notFound, nil
	e.checked = r.now()
	e.etag, e.lastModified = h.Get("ETag"), h.Get("Last-Modified")
	if size >= 0 {
		r.resize(e, max(size, entryOverhead))
	}
	return notFound
}

// fail records a failure to fetch key's document and returns err.
func (r *Registry) fail(key string, err error) error {
	r.log.Warn("npm registry fetch failed", "registry", r.name, "package", key, "error", err)
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entry(key)
	e.failure, e.failed = err, r.now()
	return err
}

// entryOverhead is what an entry without a document counts for in the
// cache bound, so that many unknown names also fill it.
const entryOverhead = 512

// entry returns key's entry, creating it (r.mu held).
func (r *Registry) entry(key string) *entry {
	e := r.entries[key]
	if e == nil {
		e = &entry{key: key}
		e.elem = r.lru.PushFront(e)
		r.entries[key] = e
		r.resize(e, entryOverhead)
	}
	r.lru.MoveToFront(e.elem)
	return e
}

// resize sets e's size and evicts the least recently used entries beyond
// the bound (r.mu held).
func (r *Registry) resize(e *entry, size int64) {
	r.size += size - e.size
	e.size = size
	for r.size > r.cfg.CacheBytes {
		last := r.lru.Back()
		if last == nil || last.Value.(*entry) == e {
			break
		}
		old := r.lru.Remove(last).(*entry)
		delete(r.entries, old.key)
		r.size -= old.size
	}
}

// hostFailed remembers that host could not be reached, unless the request
// was merely cancelled.
func (r *Registry) hostFailed(host string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down[host] = outage{err: err, since: r.now()}
}

// hostAnswered forgets a failure to reach host.
func (r *Registry) hostAnswered(host string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.down, host)
}

// hostDown returns the remembered failure to reach host, if recent.
func (r *Registry) hostDown(host string) error {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if o, ok := r.down[host]; ok && now.Sub(o.since) < r.cfg.FailureTTL {
		return r.remembered(o.err, o.since, now)
	}
	return nil
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// Ingest downloads a version's tarball from the URL the registry gave into
// the blob store, checking the digests the document declared, and returns
// the version to retain.
func (r *Registry) Ingest(ctx context.Context, ref artifact.PackageRef, v resolve.RemoteVersion) (store.Version, error) {
	tb, ok := v.Source.(Tarball)
	if !ok {
		return store.Version{}, errkind.New(errkind.Internal, "version %s of %s has no npm tarball to ingest (source %T)", v.Version, ref, v.Source)
	}
	name := documentName(ref)
	host := hostOf(tb.URL)
	if err := r.hostDown(host); err != nil {
		return store.Version{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, tb.URL, nil)
	if err != nil {
		return store.Version{}, errkind.Wrap(errkind.Unavailable, err, "The tarball URL of %s %s in the npm registry at %s is not usable", name, v.Version, r.name)
	}
	req.Header.Set("Accept", "*/*")
	req.Header.Set("User-Agent", UserAgent)
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		c := cause(err, time.Since(start))
		r.hostFailed(host, errkind.Wrap(errkind.Unavailable, err, "The npm registry at %s could not be reached: %s", r.name, c))
		return store.Version{}, errkind.Wrap(errkind.Unavailable, err, "The npm registry at %s could not be reached for the tarball of %s %s: %s", r.name, name, v.Version, c)
	}
	defer resp.Body.Close()
	r.hostAnswered(host)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		drain(resp.Body)
		return store.Version{}, errkind.NotFoundf("The npm registry at %s has no tarball for %s %s", r.name, name, v.Version)
	default:
		drain(resp.Body)
		return store.Version{}, errkind.Wrap(errkind.Unavailable, errors.New(resp.Status), "The npm registry at %s answered %s for the tarball of %s %s", r.name, resp.Status, name, v.Version)
	}
	body := &network{r: resp.Body, start: start, what: fmt.Sprintf("The npm registry at %s broke off the tarball of %s %s", r.name, name, v.Version)}
	a, err := assets.Store(ctx, r.cfg.Blobs, AssetName, body, assets.Expect{SHA1: tb.SHA1, SHA512: tb.SHA512}, 0)
	if errors.Is(err, errkind.ErrValidation) {
		r.log.Warn("npm tarball refused", "registry", r.name, "package", name, "version", v.Version, "url", tb.URL, "error", err)
		return store.Version{}, errkind.Wrap(errkind.Validation, err, "The tarball of %s %s from the npm registry at %s does not match the digests its document declares; it was not stored: %s",
			name, v.Version, r.name, errkind.As(err).Message)
	}
	if err != nil {
		return store.Version{}, err
	}
	if tb.SHA1 == "" && tb.SHA512 == "" {
		r.log.Warn("npm tarball ingested without a declared digest", "package", name, "version", v.Version)
	}
	return store.Version{Version: v.Version, Meta: v.Meta, Assets: []artifact.Asset{a}}, nil
}

// network turns read errors of a response body into Unavailable errors
// (assets.Store takes other read errors for a client's bad upload).
type network struct {
	r     io.Reader
	start time.Time
	what  string
}

func (n *network) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	if err != nil && err != io.EOF {
		err = errkind.Wrap(errkind.Unavailable, err, "%s: %s", n.what, cause(err, time.Since(n.start)))
	}
	return k, err
}

var errTooLarge = errors.New("document too large")

// readLimited reads all of r, failing with errTooLarge beyond limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errTooLarge
	}
	return b, nil
}

// drain reads a little of an unwanted body so the connection can be
// reused.
func drain(r io.Reader) { io.Copy(io.Discard, io.LimitReader(r, 64<<10)) }

// cause says in a few words why a request failed, for the client's
// message (the full error goes to the log).
func cause(err error, elapsed time.Duration) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("no answer within %s", elapsed.Round(time.Millisecond))
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "connection closed by the registry"
	case errors.As(err, &dnsErr):
		return "cannot resolve host " + dnsErr.Name
	case errors.As(err, &certErr):
		return "TLS certificate not trusted: " + certErr.Err.Error()
	case errors.As(err, &recordErr):
		return "TLS handshake failed (is the URL http or https?)"
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err.Error()
	}
	return err.Error()
}
