package mavenrepo

import (
	"bytes"
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
	"github.com/arcahq/arca/internal/format/maven"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
)

// UserAgent is sent with every request to the repository.
const UserAgent = "arca (+maven external connection)"

// Defaults of Config.
const (
	DefaultTTL        = 15 * time.Minute
	DefaultFailureTTL = 30 * time.Second
	DefaultTimeout    = 30 * time.Second
	DefaultCacheBytes = 64 << 20
)

// Config configures a repository client. Zero values take the defaults.
type Config struct {
	URL string // the repository's base URL, from configuration
	// Connection names the external connection in messages
	// ("public:maven-central").
	Connection string
	Blobs      blob.Store
	Client     *http.Client // nil for a client with transport timeouts
	Log        *slog.Logger

	// TTL is how long fetched metadata (or its absence) is used before it
	// is revalidated.
	TTL time.Duration
	// FailureTTL is how long a failure is remembered and answered at once.
	FailureTTL time.Duration
	// Timeout bounds a fetch for a caller whose context has no deadline.
	Timeout time.Duration
	// CacheBytes bounds the metadata kept in memory.
	CacheBytes int64
	// Now is the clock of the cache (tests step it); nil for time.Now.
	Now func() time.Time
}

// Repository is a remote Maven repository. It is safe for concurrent use.
type Repository struct {
	cfg     Config
	base    string // URL without trailing slash
	name    string // what messages call it
	host    string // the host of base, for the failure memory
	client  *http.Client
	log     *slog.Logger
	now     func() time.Time
	flights singleflight.Group

	mu      sync.Mutex
	entries map[string]*entry
	lru     list.List // of *entry, most recently used first
	size    int64
	down    *outage
}

// entry is what is known of one artifact's metadata, or of one file's
// absence.
type entry struct {
	key  string
	elem *list.Element
	size int64

	remote             *resolve.Remote
	notFound           error
	checked            time.Time
	etag, lastModified string

	failure error
	failed  time.Time
}

type outage struct {
	err   error
	since time.Time
}

var (
	_ resolve.Connection   = (*Repository)(nil)
	_ resolve.AssetFetcher = (*Repository)(nil)
)

// New returns a client of the repository at cfg.URL.
func New(cfg Config) *Repository {
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.FailureTTL <= 0 {
		cfg.FailureTTL = DefaultFailureTTL
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = DefaultCacheBytes
	}
	r := &Repository{cfg: cfg, base: strings.TrimRight(cfg.URL, "/"), client: cfg.Client, log: cfg.Log, now: cfg.Now, entries: map[string]*entry{}}
	r.name = r.base
	if u, err := url.Parse(r.base); err == nil {
		r.name, r.host = u.Redacted(), u.Host
	}
	if cfg.Connection != "" {
		r.name = cfg.Connection + " (" + r.name + ")"
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

// NewClient returns the HTTP client a Repository uses by default: the
// environment's proxy and timeouts on each step of a request (dial, TLS
// handshake, response headers); bodies are bounded by the caller's
// context only, as a large jar takes its time.
func NewClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   32,
	}}
}

// urlOf returns the URL of a path of the layout, each segment escaped.
func (r *Repository) urlOf(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return r.base + "/" + strings.Join(segs, "/")
}

func checkRef(ref artifact.PackageRef) error {
	if ref.Format != artifact.Maven {
		return errkind.New(errkind.Internal, "a Maven repository was asked for a %s package", ref.Format)
	}
	for _, s := range append(strings.Split(ref.Namespace, "."), ref.Name) {
		if !maven.ValidSegment(s) {
			return errkind.NotFoundf("%s is not a Maven artifact name", ref)
		}
	}
	return nil
}

// Package returns the repository's view of an artifact from its
// maven-metadata.xml, from the cache while it is fresh. The Remote
// returned is shared: callers must not modify it.
func (r *Repository) Package(ctx context.Context, ref artifact.PackageRef) (*resolve.Remote, error) {
	if err := checkRef(ref); err != nil {
		return nil, err
	}
	key := maven.Dir(ref, "") + "/" + maven.MetadataFile
	if remote, err, ok := r.cached(key); ok {
		return remote, err
	}
	start := time.Now()
	ch := r.flights.DoChan(key, func() (any, error) {
		fetchCtx, cancel := r.detach(ctx)
		defer cancel()
		return r.fetchMetadata(fetchCtx, ref, key)
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
			"The Maven repository %s did not send the metadata of %s in time: %s", r.name, ref, cause(ctx.Err(), time.Since(start))))
	}
}

// detach returns a context for work shared by several callers: not
// cancelled with ctx, but ending at its deadline (or after Config.Timeout).
func (r *Repository) detach(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(r.cfg.Timeout)
	}
	return context.WithDeadline(context.WithoutCancel(ctx), deadline)
}

// cached answers from memory: fresh metadata or NotFound, or a remembered
// failure (with stale metadata when there is some). ok is false when the
// repository must be asked.
func (r *Repository) cached(key string) (*resolve.Remote, error, bool) {
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
	if r.down != nil && now.Sub(r.down.since) < r.cfg.FailureTTL {
		failure = r.remembered(r.down.err, r.down.since, now)
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

func (r *Repository) remembered(err error, since, now time.Time) error {
	return errkind.Wrap(errkind.Unavailable, err, "%s (%s ago; Arca tries again in %s)",
		errkind.As(err).Message, now.Sub(since).Round(time.Second), (r.cfg.FailureTTL - now.Sub(since)).Round(time.Second))
}

// staleOr returns the last good metadata of key in place of err, if any.
func (r *Repository) staleOr(key string, err error) (*resolve.Remote, error) {
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
	r.log.Warn("serving stale Maven metadata", "repository", r.name, "path", key, "age", age.Round(time.Second), "error", err)
	return stale, nil
}

// fetchMetadata asks the repository for an artifact's metadata and records
// the answer.
func (r *Repository) fetchMetadata(ctx context.Context, ref artifact.PackageRef, key string) (*resolve.Remote, error) {
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
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.urlOf(key), nil)
	if err != nil {
		return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err, "The Maven repository URL %s is not usable", r.name))
	}
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
		r.hostFailed(errkind.Wrap(errkind.Unavailable, err, "The Maven repository %s could not be reached: %s", r.name, c))
		return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err, "The Maven repository %s could not be reached for the metadata of %s: %s", r.name, ref, c))
	}
	defer resp.Body.Close()
	r.hostAnswered()
	switch {
	case resp.StatusCode == http.StatusOK:
		m, err := maven.ParseMetadata(&network{r: resp.Body, start: start, what: "The Maven repository " + r.name + " broke off the metadata of " + ref.String()})
		if errors.Is(err, errkind.ErrUnavailable) {
			return nil, r.fail(key, err)
		}
		if err != nil {
			return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err, "The Maven repository %s sent invalid metadata for %s: %s", r.name, ref, errkind.As(err).Message))
		}
		remote := remoteOf(ref, m)
		return remote, r.answer(key, remote, nil, metadataSize(m), resp.Header)
	case resp.StatusCode == http.StatusNotModified && prev != nil:
		drain(resp.Body)
		return prev, r.answer(key, prev, nil, -1, resp.Header)
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		drain(resp.Body)
		return nil, r.answer(key, nil, errkind.NotFoundf("%s not found in the Maven repository %s", ref, r.name), 0, resp.Header)
	default:
		drain(resp.Body)
		return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, errors.New(resp.Status),
			"The Maven repository %s answered %s for the metadata of %s", r.name, resp.Status, ref))
	}
}

// remoteOf lists the versions of an artifact's metadata.
func remoteOf(ref artifact.PackageRef, m *maven.Metadata) *resolve.Remote {
	remote := &resolve.Remote{Versions: map[string]resolve.RemoteVersion{}}
	if m.Versioning == nil {
		return remote
	}
	for _, v := range m.Versioning.Versions {
		if maven.ValidSegment(v) {
			remote.Versions[v] = resolve.RemoteVersion{Version: v, Meta: artifact.Meta{DisplayName: ref.Name}}
		}
	}
	return remote
}

func metadataSize(m *maven.Metadata) int64 {
	if m.Versioning == nil {
		return entryOverhead
	}
	return entryOverhead + int64(64*len(m.Versioning.Versions))
}

// answer records an answer (metadata, or notFound) and returns notFound.
// size -1 keeps the entry's size (a revalidation).
func (r *Repository) answer(key string, remote *resolve.Remote, notFound error, size int64, h http.Header) error {
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

// fail records a failure to fetch key and returns err.
func (r *Repository) fail(key string, err error) error {
	r.log.Warn("Maven repository fetch failed", "repository", r.name, "path", key, "error", err)
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entry(key)
	e.failure, e.failed = err, r.now()
	return err
}

// entryOverhead is what an entry counts for at least in the cache bound.
const entryOverhead = 512

// entry returns key's entry, creating it (r.mu held).
func (r *Repository) entry(key string) *entry {
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
func (r *Repository) resize(e *entry, size int64) {
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

// hostFailed remembers that the repository could not be reached, unless
// the request was merely cancelled.
func (r *Repository) hostFailed(err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = &outage{err: err, since: r.now()}
}

func (r *Repository) hostAnswered() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = nil
}

// hostDown returns the remembered failure to reach the repository, if
// recent.
func (r *Repository) hostDown() error {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down != nil && now.Sub(r.down.since) < r.cfg.FailureTTL {
		return r.remembered(r.down.err, r.down.since, now)
	}
	return nil
}

// Ingest downloads a version's POM and returns the version to retain,
// with the metadata the POM states. Other files follow through
// FetchAsset as clients ask for them.
func (r *Repository) Ingest(ctx context.Context, ref artifact.PackageRef, v resolve.RemoteVersion) (store.Version, error) {
	if err := checkRef(ref); err != nil {
		return store.Version{}, err
	}
	name := ref.Name + "-" + v.Version + ".pom"
	var pom bytes.Buffer
	a, err := r.fetchFile(ctx, ref, v.Version, name, &pom)
	if err != nil {
		return store.Version{}, err
	}
	meta := v.Meta
	if p, err := maven.ParsePOM(&pom); err != nil {
		r.log.Warn("ingested a POM that does not parse", "repository", r.name, "package", ref.String(), "version", v.Version, "error", err)
	} else {
		meta = p.Meta()
	}
	return store.Version{Version: v.Version, Meta: meta, Assets: []artifact.Asset{a}}, nil
}

// FetchAsset downloads one file of a version.
func (r *Repository) FetchAsset(ctx context.Context, ref artifact.PackageRef, version, name string) (artifact.Asset, error) {
	if err := checkRef(ref); err != nil {
		return artifact.Asset{}, err
	}
	if _, ok := maven.ParseFileName(ref.Name, version, name); !ok || !maven.ValidSegment(version) || !maven.ValidSegment(name) {
		return artifact.Asset{}, errkind.NotFoundf("%s is not a file of %s %s", name, ref, version)
	}
	return r.fetchFile(ctx, ref, version, name, nil)
}

// fetchFile downloads a file of a version into the blob store, checked
// against the repository's .sha1 for it when there is one, copying the
// bytes to tee when it is not nil. The absence of a file is remembered
// like the absence of metadata.
func (r *Repository) fetchFile(ctx context.Context, ref artifact.PackageRef, version, name string, tee io.Writer) (artifact.Asset, error) {
	path := maven.Dir(ref, version) + "/" + name
	if _, err, ok := r.cached(path); ok && err != nil {
		return artifact.Asset{}, err
	}
	if err := r.hostDown(); err != nil {
		return artifact.Asset{}, err
	}
	var want assets.Expect
	if b, err := r.get(ctx, path+".sha1", 4<<10); err == nil {
		if sum, err := maven.ParseChecksum(maven.SHA1, b); err == nil {
			want.SHA1 = sum
		}
	} else if !errors.Is(err, errkind.ErrNotFound) {
		return artifact.Asset{}, err
	}
	resp, start, err := r.open(ctx, path)
	if err != nil {
		if errors.Is(err, errkind.ErrNotFound) {
			r.answer(path, nil, err, 0, nil)
		}
		return artifact.Asset{}, err
	}
	defer resp.Body.Close()
	var body io.Reader = &network{r: resp.Body, start: start, what: "The Maven repository " + r.name + " broke off " + path}
	if tee != nil {
		body = io.TeeReader(body, tee)
	}
	a, err := assets.Store(ctx, r.cfg.Blobs, name, body, want, 0)
	if errors.Is(err, errkind.ErrValidation) {
		r.log.Warn("Maven file refused", "repository", r.name, "path", path, "error", err)
		return artifact.Asset{}, errkind.Wrap(errkind.Validation, err, "%s from the Maven repository %s does not match the checksum published beside it; it was not stored: %s",
			path, r.name, errkind.As(err).Message)
	}
	if err != nil {
		return artifact.Asset{}, err
	}
	if want.SHA1 == "" {
		r.log.Info("Maven file ingested without a published checksum", "repository", r.name, "path", path)
	}
	return a, nil
}

// get fetches a small file whole.
func (r *Repository) get(ctx context.Context, path string, limit int64) ([]byte, error) {
	resp, start, err := r.open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(&network{r: resp.Body, start: start, what: "The Maven repository " + r.name + " broke off " + path}, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errkind.Wrap(errkind.Unavailable, errors.New("too large"), "%s from the Maven repository %s is larger than %d bytes", path, r.name, limit)
	}
	return b, nil
}

// open sends a GET for path and returns the response of a 200.
func (r *Repository) open(ctx context.Context, path string) (*http.Response, time.Time, error) {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.urlOf(path), nil)
	if err != nil {
		return nil, start, errkind.Wrap(errkind.Unavailable, err, "The Maven repository URL %s is not usable", r.name)
	}
	req.Header.Set("User-Agent", UserAgent)
	resp, err := r.client.Do(req)
	if err != nil {
		c := cause(err, time.Since(start))
		r.hostFailed(errkind.Wrap(errkind.Unavailable, err, "The Maven repository %s could not be reached: %s", r.name, c))
		return nil, start, errkind.Wrap(errkind.Unavailable, err, "The Maven repository %s could not be reached for %s: %s", r.name, path, c)
	}
	r.hostAnswered()
	switch resp.StatusCode {
	case http.StatusOK:
		return resp, start, nil
	case http.StatusNotFound, http.StatusGone:
		drain(resp.Body)
		resp.Body.Close()
		return nil, start, errkind.NotFoundf("%s not found in the Maven repository %s", path, r.name)
	}
	drain(resp.Body)
	resp.Body.Close()
	return nil, start, errkind.Wrap(errkind.Unavailable, errors.New(resp.Status), "The Maven repository %s answered %s for %s", r.name, resp.Status, path)
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

// drain reads a little of an unwanted body so the connection can be
// reused.
func drain(r io.Reader) { io.Copy(io.Discard, io.LimitReader(r, 64<<10)) }

// cause says in a few words why a request failed.
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
		return "connection closed by the repository"
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
