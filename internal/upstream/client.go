package upstream

import (
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

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/errkind"
)

// Defaults of Config.
const (
	DefaultTTL        = 5 * time.Minute
	DefaultFailureTTL = 30 * time.Second
	DefaultTimeout    = 30 * time.Second
	DefaultCacheBytes = 256 << 20
)

// Config configures a Client and the Caches over it. Zero durations and
// sizes take the defaults.
type Config struct {
	// URL is the registry's base URL. Its host is the one whose outage a
	// Cache answers from memory.
	URL string
	// Name is how messages call the registry: a noun phrase in lowercase,
	// starting with "the", without credentials ("the npm registry at " +
	// Redacted(url)).
	Name string
	// UserAgent is sent with every request.
	UserAgent string
	// Connection is the external connection the registry is behind
	// ("public:maven-central"); a format's client may name it in
	// messages.
	Connection string
	// MaxDocumentSize bounds one document a format's client reads whole
	// (a package document, a project page); 0 for the format's default.
	MaxDocumentSize int64
	// Blobs is where Download stores files.
	Blobs blob.Store
	// Client sends the requests; nil for NewHTTPClient().
	Client *http.Client
	// Log receives failures and refused files; nil to discard them.
	Log *slog.Logger
	// Observe, when set, wraps the transport of the connection's client
	// (the server counts each connection's fetches and bytes with it).
	Observe func(connection string, rt http.RoundTripper) http.RoundTripper

	// TTL is how long a Cache uses a document (or its absence) before it
	// revalidates it.
	TTL time.Duration
	// FailureTTL is how long a failure is remembered and answered at once.
	FailureTTL time.Duration
	// Timeout bounds a Cache's fetch for a caller whose context has no
	// deadline.
	Timeout time.Duration
	// CacheBytes bounds the documents a Cache keeps, by the sizes its
	// Parse reports.
	CacheBytes int64
	// Now is the clock of the TTLs and memories; nil for time.Now.
	Now func() time.Time
}

// Client sends requests to one registry and remembers which of its hosts
// could not be reached. It is safe for concurrent use.
type Client struct {
	cfg     Config
	host    string // the host of cfg.URL
	subject string // cfg.Name starting with a capital, to open a sentence
	http    *http.Client
	log     *slog.Logger
	now     func() time.Time

	mu   sync.Mutex
	down map[string]outage // by host
}

// outage is a host that could not be reached.
type outage struct {
	err   error
	since time.Time
}

// NewClient returns a client of the registry cfg describes.
func NewClient(cfg Config) *Client {
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
	c := &Client{cfg: cfg, host: hostOf(cfg.URL), subject: cfg.Name, http: cfg.Client, log: cfg.Log, now: cfg.Now, down: map[string]outage{}}
	if cfg.Name != "" {
		c.subject = strings.ToUpper(cfg.Name[:1]) + cfg.Name[1:]
	}
	if c.http == nil {
		c.http = NewHTTPClient()
	}
	if cfg.Observe != nil {
		observed := *c.http
		rt := observed.Transport
		if rt == nil {
			rt = http.DefaultTransport
		}
		observed.Transport = cfg.Observe(cfg.Connection, rt)
		c.http = &observed
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// NewHTTPClient returns the HTTP client a Client uses by default: the
// environment's proxy, and timeouts on each step of a request (dial, TLS
// handshake, response headers) so that a registry that stops answering
// ties nothing up beyond them, whatever deadline the caller has. A body is
// bounded by the caller's context only: a large file takes its time.
func NewHTTPClient() *http.Client {
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

// Redacted returns rawURL with any password replaced by "xxxxx", for
// messages.
func Redacted(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	return u.Redacted()
}

// Name returns how messages call the registry (Config.Name).
func (c *Client) Name() string { return c.cfg.Name }

// Log returns the client's logger, for the format's own warnings.
func (c *Client) Log() *slog.Logger { return c.log }

// Request is a GET of one document or file.
type Request struct {
	URL string
	// What names what is asked for in messages, as it reads after "for":
	// "the document of left-pad", "lib-1.0.jar".
	What string
	// Accept is the Accept header; "" sends none.
	Accept string

	// Validators of the copy a Cache has, for a conditional request.
	etag, lastModified string
}

func (r Request) conditional() bool { return r.etag != "" || r.lastModified != "" }

// Response is an answer of 200 (or 304 to a Cache's conditional request).
// Errors reading its Body are errkind.Unavailable, naming the registry and
// the cause.
type Response struct {
	*http.Response
	subject, what string
}

// Get sends a GET for req and returns the answer of 200; the caller
// closes its Body. 404 and 410 are errkind.NotFound; other answers,
// network failures and timeouts are errkind.Unavailable, and so is any
// request to a host remembered as down.
func (c *Client) Get(ctx context.Context, req Request) (*Response, error) {
	host := hostOf(req.URL)
	if err := c.hostDown(host); err != nil {
		return nil, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, req.URL, nil)
	if err != nil {
		return nil, errkind.Wrap(errkind.Unavailable, err, "The URL for %s in %s is not usable", req.What, c.cfg.Name)
	}
	hr.Header.Set("User-Agent", c.cfg.UserAgent)
	if req.Accept != "" {
		hr.Header.Set("Accept", req.Accept)
	}
	if req.etag != "" {
		hr.Header.Set("If-None-Match", req.etag)
	}
	if req.lastModified != "" {
		hr.Header.Set("If-Modified-Since", req.lastModified)
	}
	start := time.Now()
	resp, err := c.http.Do(hr)
	if err != nil {
		why := cause(err, time.Since(start))
		c.hostFailed(host, errkind.Wrap(errkind.Unavailable, err, "%s could not be reached: %s", c.subject, why))
		return nil, errkind.Wrap(errkind.Unavailable, err, "%s could not be reached for %s: %s", c.subject, req.What, why)
	}
	c.hostAnswered(host)
	switch {
	case resp.StatusCode == http.StatusOK, resp.StatusCode == http.StatusNotModified && req.conditional():
		resp.Body = &body{ReadCloser: resp.Body, start: start, what: c.subject + " broke off " + req.What}
		return &Response{Response: resp, subject: c.subject, what: req.What}, nil
	case resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusGone:
		drain(resp.Body)
		return nil, errkind.NotFoundf("%s does not have %s", c.subject, req.What)
	default:
		drain(resp.Body)
		return nil, errkind.Wrap(errkind.Unavailable, errors.New(resp.Status), "%s answered %s for %s", c.subject, resp.Status, req.What)
	}
}

// ReadAll reads the whole body, which must not be larger than limit
// bytes: a larger one is errkind.Unavailable.
func (r *Response) ReadAll(limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errkind.Wrap(errkind.Unavailable, errTooLarge, "%s sent %s larger than the %s Arca accepts", r.subject, r.what, bytesOf(limit))
	}
	return b, nil
}

var errTooLarge = errors.New("too large")

func bytesOf(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Read fetches a small document or file whole, as Get and ReadAll do.
func (c *Client) Read(ctx context.Context, req Request, limit int64) ([]byte, error) {
	resp, err := c.Get(ctx, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return resp.ReadAll(limit)
}

// File says how Download stores a file.
type File struct {
	Name string        // the asset's name
	Want assets.Expect // the digests (and size) the registry declared
	// Mismatch is the message of the errkind.Validation error for bytes
	// that do not match Want; the mismatch found follows it.
	Mismatch string
	// Tee, when not nil, receives a copy of the bytes as they are read.
	Tee io.Writer
}

// Download fetches req into the blob store as the asset f.Name, checked
// against f.Want as it streams: bytes that do not match are never stored.
// Errors are Get's, errkind.Validation for a mismatch, and the blob
// store's.
func (c *Client) Download(ctx context.Context, req Request, f File) (artifact.Asset, error) {
	resp, err := c.Get(ctx, req)
	if err != nil {
		return artifact.Asset{}, err
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if f.Tee != nil {
		r = io.TeeReader(r, f.Tee)
	}
	// A cache fill's metadata may commit after the request that started it
	// has ended: its blob is none of that request's uploads.
	a, err := assets.Store(blob.WithoutUploads(ctx), c.cfg.Blobs, f.Name, r, f.Want, 0)
	if errors.Is(err, errkind.ErrValidation) {
		c.log.Warn("upstream file refused", "registry", c.cfg.Name, "url", req.URL, "error", err)
		return artifact.Asset{}, errkind.Wrap(errkind.Validation, err, "%s: %s", f.Mismatch, errkind.As(err).Message)
	}
	if err != nil {
		return artifact.Asset{}, err
	}
	return a, nil
}

// --- the failure memory of hosts ---

// hostFailed remembers that host could not be reached, unless the request
// was merely cancelled.
func (c *Client) hostFailed(host string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down[host] = outage{err: err, since: c.now()}
}

// hostAnswered forgets a failure to reach host.
func (c *Client) hostAnswered(host string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.down, host)
}

// hostDown returns the remembered failure to reach host, if recent.
func (c *Client) hostDown(host string) error {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if o, ok := c.down[host]; ok && now.Sub(o.since) < c.cfg.FailureTTL {
		return c.remembered(o.err, o.since, now)
	}
	return nil
}

// remembered is the error answered at once while a failure is remembered.
func (c *Client) remembered(err error, since, now time.Time) error {
	return errkind.Wrap(errkind.Unavailable, err, "%s (%s ago; Arca tries again in %s)",
		errkind.As(err).Message, now.Sub(since).Round(time.Second), (c.cfg.FailureTTL - now.Sub(since)).Round(time.Second))
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// --- bodies and causes ---

// body turns read errors of a response body into Unavailable errors
// (assets.Store takes other read errors for a client's bad upload).
type body struct {
	io.ReadCloser
	start time.Time
	what  string
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = errkind.Wrap(errkind.Unavailable, err, "%s: %s", b.what, cause(err, time.Since(b.start)))
	}
	return n, err
}

// drain reads a little of an unwanted body so the connection can be
// reused, and closes it.
func drain(r io.ReadCloser) {
	io.Copy(io.Discard, io.LimitReader(r, 64<<10))
	r.Close()
}

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
