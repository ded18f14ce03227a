package pypiregistry

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/pypi"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/store"
)

// UserAgent is sent with every request to the index.
const UserAgent = "arca (+pypi external connection)"

// Accept asks for PEP 691 JSON, then HTML.
const Accept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

// Defaults of Config.
const (
	DefaultTTL         = 5 * time.Minute
	DefaultFailureTTL  = 30 * time.Second
	DefaultTimeout     = 30 * time.Second
	DefaultMaxPageSize = 64 << 20
	DefaultCacheBytes  = 256 << 20
)

// Config configures an index client. Zero values take the defaults.
type Config struct {
	URL    string // the index's base URL, from configuration ("https://<host>/simple/")
	Blobs  blob.Store
	Client *http.Client // nil for a client with transport timeouts (NewClient)
	Log    *slog.Logger

	// TTL is how long a fetched page is used before it is revalidated.
	TTL time.Duration
	// FailureTTL is how long a failure is remembered and answered at once.
	FailureTTL time.Duration
	// Timeout bounds a fetch for a caller whose context has no deadline.
	Timeout time.Duration
	// MaxPageSize bounds a project page.
	MaxPageSize int64
	// CacheBytes bounds the pages kept in memory (by their size as
	// fetched).
	CacheBytes int64
	// Now is the clock of the cache (tests step it); nil for time.Now.
	Now func() time.Time
}

// Release is the Source of a RemoteVersion from the index: its files as
// the page lists them, by file name.
type Release struct {
	Files map[string]pypi.IndexFile
}

// Registry is a Python package index. It is safe for concurrent use.
type Registry struct {
	cfg     Config
	base    string // URL with one trailing slash
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

// entry is what is known of one project.
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
	_ resolve.Connection   = (*Registry)(nil)
	_ resolve.AssetFetcher = (*Registry)(nil)
)

// New returns a client of the index at cfg.URL.
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
	if cfg.MaxPageSize <= 0 {
		cfg.MaxPageSize = DefaultMaxPageSize
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = DefaultCacheBytes
	}
	r := &Registry{
		cfg: cfg, base: strings.TrimRight(cfg.URL, "/") + "/",
		client: cfg.Client, log: cfg.Log, now: cfg.Now,
		entries: map[string]*entry{}, down: map[string]outage{},
	}
	r.name = strings.TrimSuffix(r.base, "/")
	if u, err := url.Parse(r.base); err == nil {
		r.name, r.host = strings.TrimSuffix(u.Redacted(), "/"), u.Host
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
// handshake, response headers). The body is bounded by the caller's
// context only: a large wheel takes its time.
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

// pageURL is where the index serves a project's page.
func (r *Registry) pageURL(project string) string { return r.base + url.PathEscape(project) + "/" }

// Package returns the index's view of a project, from the cache while it
// is fresh. The Remote returned is shared: callers must not modify it.
func (r *Registry) Package(ctx context.Context, ref artifact.PackageRef) (*resolve.Remote, error) {
	if ref.Format != artifact.PyPI || ref.Namespace != "" {
		return nil, errkind.New(errkind.Internal, "the Python package index was asked for %s", ref)
	}
	key := pypi.NormalizeName(ref.Name)
	if remote, err, ok := r.cached(key); ok {
		return remote, err
	}
	start := time.Now()
	ch := r.flights.DoChan(key, func() (any, error) {
		fetchCtx, cancel := r.detach(ctx)
		defer cancel()
		return r.fetch(fetchCtx, key)
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
			"The Python package index at %s did not send the page of %s in time: %s", r.name, key, cause(ctx.Err(), time.Since(start))))
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

// cached answers from memory: a fresh page or NotFound, a remembered
// failure of the project or of the index (with a stale page when there is
// one). ok is false when the index must be asked.
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

func (r *Registry) remembered(err error, since, now time.Time) error {
	return errkind.Wrap(errkind.Unavailable, err, "%s (%s ago; Arca tries again in %s)",
		errkind.As(err).Message, now.Sub(since).Round(time.Second), (r.cfg.FailureTTL - now.Sub(since)).Round(time.Second))
}

// staleOr returns the last good page of key in place of err, if any.
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
	r.log.Warn("serving a stale PyPI project page", "project", key, "age", age.Round(time.Second), "error", err)
	return stale, nil
}

// fetch asks the index for a project's page and records the answer.
func (r *Registry) fetch(ctx context.Context, key string) (*resolve.Remote, error) {
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

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.pageURL(key), nil)
	if err != nil {
		return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err, "The Python package index URL %s is not usable", r.name))
	}
	req.Header.Set("Accept", Accept)
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
		r.hostFailed(req.URL.Host, errkind.Wrap(errkind.Unavailable, err, "The Python package index at %s could not be reached: %s", r.name, c))
		return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err, "The Python package index at %s could not be reached for %s: %s", r.name, key, c))
	}
	defer resp.Body.Close()
	r.hostAnswered(req.URL.Host)

	switch {
	case resp.StatusCode == http.StatusOK:
		body, err := readLimited(resp.Body, r.cfg.MaxPageSize)
		if errors.Is(err, errTooLarge) {
			return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err,
				"The page of %s from the Python package index at %s is larger than the %d MiB Arca accepts", key, r.name, r.cfg.MaxPageSize>>20))
		}
		if err != nil {
			return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err,
				"The Python package index at %s broke off the page of %s: %s", r.name, key, cause(err, time.Since(start))))
		}
		files, err := parsePage(body, resp.Header.Get("Content-Type"), resp.Request.URL)
		if err != nil {
			return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, err,
				"The Python package index at %s sent an invalid page for %s: %v", r.name, key, err))
		}
		remote := RemoteOf(key, files)
		return remote, r.answer(key, remote, nil, int64(len(body)), resp.Header)
	case resp.StatusCode == http.StatusNotModified && prev != nil:
		drain(resp.Body)
		return prev, r.answer(key, prev, nil, -1, resp.Header)
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		drain(resp.Body)
		return nil, r.answer(key, nil, errkind.NotFoundf("Project %s not found in the Python package index at %s", key, r.name), 0, resp.Header)
	default:
		drain(resp.Body)
		return nil, r.fail(key, errkind.Wrap(errkind.Unavailable, errors.New(resp.Status),
			"The Python package index at %s answered %s for the page of %s", r.name, resp.Status, key))
	}
}

// parsePage reads a project page in the form its Content-Type says.
func parsePage(body []byte, contentType string, pageURL *url.URL) ([]pypi.IndexFile, error) {
	mediaType, _, _ := mime.ParseMediaType(contentType)
	switch mediaType {
	case pypi.ContentTypeJSON, "application/json":
		return pypi.ParseIndexJSON(body, pageURL)
	case pypi.ContentTypeHTMLv1, pypi.ContentTypeHTML, "":
		return pypi.ParseIndexHTML(body, pageURL)
	}
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return pypi.ParseIndexJSON(body, pageURL)
	}
	return pypi.ParseIndexHTML(body, pageURL)
}

// RemoteOf groups the files of a project page by version: each version
// lists its files in Meta.Extra (as the simple API serves them) and in a
// Release as its Source. Yanked files, files without a SHA-256 and files
// that are not wheels or sdists of the project are left out.
func RemoteOf(project string, files []pypi.IndexFile) *resolve.Remote {
	remote := &resolve.Remote{Versions: map[string]resolve.RemoteVersion{}}
	extras := map[string]*pypi.Extra{}
	sources := map[string]Release{}
	published := map[string]time.Time{}
	for _, f := range files {
		if f.Yanked || f.Hashes["sha256"] == "" {
			continue
		}
		fn, err := pypi.ParseFilename(f.Filename, project)
		if err != nil {
			continue
		}
		version := pypi.RemoteVersion(fn.Version)
		e := extras[version]
		if e == nil {
			e = &pypi.Extra{Files: map[string]pypi.File{}}
			extras[version] = e
			sources[version] = Release{Files: map[string]pypi.IndexFile{}}
		}
		file := pypi.File{
			PackageType: fn.PackageType(), PythonVersion: fn.PythonVersion(), RequiresPython: f.RequiresPython,
			UploadTime: f.UploadTime, SHA256: f.Hashes["sha256"], Size: max(f.Size, 0),
		}
		if fn.Kind == pypi.Wheel {
			file.MetadataSHA256 = f.MetadataSHA256
		}
		e.Files[f.Filename] = file
		sources[version].Files[f.Filename] = f
		if t := f.UploadTime; !t.IsZero() && (published[version].IsZero() || t.Before(published[version])) {
			published[version] = t
		}
	}
	for version, e := range extras {
		remote.Versions[version] = resolve.RemoteVersion{
			Version: version,
			Meta:    artifact.Meta{Extra: e.JSON(), PublishedAt: published[version]},
			Source:  sources[version],
		}
	}
	return remote
}

// answer records an answer of the index (a page, or notFound) and returns
// notFound. size -1 keeps the entry's size (a revalidation).
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

// fail records a failure to fetch key's page and returns err.
func (r *Registry) fail(key string, err error) error {
	r.log.Warn("PyPI index fetch failed", "index", r.name, "project", key, "error", err)
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entry(key)
	e.failure, e.failed = err, r.now()
	return err
}

// entryOverhead is what an entry without a page counts for in the cache
// bound, so that many unknown names also fill it.
const entryOverhead = 512

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

func (r *Registry) hostFailed(host string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down[host] = outage{err: err, since: r.now()}
}

func (r *Registry) hostAnswered(host string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.down, host)
}

func (r *Registry) hostDown(host string) error {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if o, ok := r.down[host]; ok && now.Sub(o.since) < r.cfg.FailureTTL {
		return r.remembered(o.err, o.since, now)
	}
	return nil
}

// Ingest records a version with the files its page lists, fetching at
// most one of them (FetchAsset fetches each other on its first request).
// The version's core metadata (DescribePackageVersion, dependencies,
// readme) comes from a wheel's PEP 658 metadata file when the index
// serves one (checked against the page's hash); otherwise one file is
// fetched and kept, and its metadata read: a pure-Python wheel if there
// is one (what installers of every platform pick), else the smallest
// file.
func (r *Registry) Ingest(ctx context.Context, ref artifact.PackageRef, v resolve.RemoteVersion) (store.Version, error) {
	rel, ok := v.Source.(Release)
	if !ok {
		return store.Version{}, errkind.New(errkind.Internal, "version %s of %s has no PyPI files to ingest (source %T)", v.Version, ref, v.Source)
	}
	meta := v.Meta
	extra := pypi.ParseExtra(meta.Extra)
	md, err := r.metadata(ctx, ref, v.Version, rel)
	if err != nil {
		return store.Version{}, err
	}
	var fetched []artifact.Asset
	if md == nil {
		if name := firstFile(rel); name != "" {
			a, err := r.fetchFile(ctx, ref, name, rel.Files[name])
			if err != nil {
				return store.Version{}, err
			}
			fetched = append(fetched, a)
			if b, err := pypi.FileMetadata(ctx, r.cfg.Blobs, ref.Name, a); err == nil {
				if m, err := pypi.ParseFileMetadata(b); err == nil && pypi.NormalizeName(m.Name) == ref.Name && pypi.RemoteVersion(m.Version) == v.Version {
					md = m
				}
				if file, ok := extra.Files[name]; ok && pypi.KindOf(name) == pypi.Wheel {
					// Stored now: its METADATA can be served (PEP 658).
					sum := sha256.Sum256(b)
					file.MetadataSHA256 = hex.EncodeToString(sum[:])
					extra.Files[name] = file
				}
			}
		}
	}
	if md != nil {
		published := meta.PublishedAt
		meta = md.Meta()
		meta.PublishedAt = published
		extra.Metadata = md
	}
	meta.Extra = extra.JSON()
	return store.Version{Version: v.Version, Meta: meta, Assets: fetched}, nil
}

// firstFile picks the file Ingest fetches when the index serves no
// metadata file: a pure-Python wheel, else the smallest file.
func firstFile(rel Release) string {
	pure := func(name string) bool { return strings.HasSuffix(name, "-none-any.whl") }
	size := func(name string) int64 {
		if s := rel.Files[name].Size; s >= 0 {
			return s
		}
		return 1 << 62 // unknown: last
	}
	better := func(a, b string) bool {
		if pure(a) != pure(b) {
			return pure(a)
		}
		if size(a) != size(b) {
			return size(a) < size(b)
		}
		return a < b
	}
	best := ""
	for name := range rel.Files {
		if best == "" || better(name, best) {
			best = name
		}
	}
	return best
}

// metadata fetches the core metadata of the first wheel (by name) whose
// metadata file the page declares with a hash; nil when none does or the
// index does not have it after all.
func (r *Registry) metadata(ctx context.Context, ref artifact.PackageRef, version string, rel Release) (*pypi.Metadata, error) {
	names := make([]string, 0, len(rel.Files))
	for n, f := range rel.Files {
		if pypi.KindOf(n) == pypi.Wheel && f.MetadataSHA256 != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	sort.Strings(names)
	f := rel.Files[names[0]]
	body, err := r.get(ctx, f.URL+".metadata", fmt.Sprintf("the metadata of %s", names[0]), pypi.MaxMetadataSize)
	if errors.Is(err, errkind.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != f.MetadataSHA256 {
		r.log.Warn("PyPI metadata file refused", "index", r.name, "file", names[0], "error", "sha256 mismatch")
		return nil, nil
	}
	md, err := pypi.ParseFileMetadata(body)
	if err != nil || pypi.NormalizeName(md.Name) != ref.Name || pypi.RemoteVersion(md.Version) != version {
		r.log.Warn("PyPI metadata file unusable", "index", r.name, "file", names[0])
		return nil, nil
	}
	return md, nil
}

// get fetches a small document (a metadata file).
func (r *Registry) get(ctx context.Context, rawURL, what string, limit int64) ([]byte, error) {
	host := hostOf(rawURL)
	if err := r.hostDown(host); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, errkind.Wrap(errkind.Unavailable, err, "The URL of %s in the Python package index at %s is not usable", what, r.name)
	}
	req.Header.Set("User-Agent", UserAgent)
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		c := cause(err, time.Since(start))
		r.hostFailed(host, errkind.Wrap(errkind.Unavailable, err, "The Python package index at %s could not be reached: %s", r.name, c))
		return nil, errkind.Wrap(errkind.Unavailable, err, "The Python package index at %s could not be reached for %s: %s", r.name, what, c)
	}
	defer resp.Body.Close()
	r.hostAnswered(host)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		drain(resp.Body)
		return nil, errkind.NotFoundf("The Python package index at %s has no %s", r.name, what)
	default:
		drain(resp.Body)
		return nil, errkind.Wrap(errkind.Unavailable, errors.New(resp.Status), "The Python package index at %s answered %s for %s", r.name, resp.Status, what)
	}
	b, err := readLimited(resp.Body, limit)
	if err != nil {
		return nil, errkind.Wrap(errkind.Unavailable, err, "The Python package index at %s broke off %s: %s", r.name, what, cause(err, time.Since(start)))
	}
	return b, nil
}

// FetchAsset downloads one file of a version, found on the project's page
// (from the cache, or stale during an outage), into the blob store.
func (r *Registry) FetchAsset(ctx context.Context, ref artifact.PackageRef, version, name string) (artifact.Asset, error) {
	remote, err := r.Package(ctx, ref)
	if err != nil {
		return artifact.Asset{}, err
	}
	rv, ok := remote.Versions[version]
	if !ok {
		return artifact.Asset{}, errkind.NotFoundf("The Python package index at %s no longer lists version %s of %s", r.name, version, ref.Name)
	}
	f, ok := rv.Source.(Release).Files[name]
	if !ok {
		return artifact.Asset{}, errkind.NotFoundf("The Python package index at %s lists no file %s for version %s of %s", r.name, name, version, ref.Name)
	}
	return r.fetchFile(ctx, ref, name, f)
}

// fetchFile downloads a file from the URL its page gave into the blob
// store, checking the digests the page declares; a wheel's METADATA must
// be the metadata file the page declared (the simple API serves one as
// the other).
func (r *Registry) fetchFile(ctx context.Context, ref artifact.PackageRef, name string, f pypi.IndexFile) (artifact.Asset, error) {
	host := hostOf(f.URL)
	if err := r.hostDown(host); err != nil {
		return artifact.Asset{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return artifact.Asset{}, errkind.Wrap(errkind.Unavailable, err, "The URL of %s in the Python package index at %s is not usable", name, r.name)
	}
	req.Header.Set("User-Agent", UserAgent)
	start := time.Now()
	resp, err := r.client.Do(req)
	if err != nil {
		c := cause(err, time.Since(start))
		r.hostFailed(host, errkind.Wrap(errkind.Unavailable, err, "The Python package index at %s could not be reached: %s", r.name, c))
		return artifact.Asset{}, errkind.Wrap(errkind.Unavailable, err, "The Python package index at %s could not be reached for %s: %s", r.name, name, c)
	}
	defer resp.Body.Close()
	r.hostAnswered(host)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		drain(resp.Body)
		return artifact.Asset{}, errkind.NotFoundf("The Python package index at %s has no file %s", r.name, name)
	default:
		drain(resp.Body)
		return artifact.Asset{}, errkind.Wrap(errkind.Unavailable, errors.New(resp.Status), "The Python package index at %s answered %s for %s", r.name, resp.Status, name)
	}
	body := &network{r: resp.Body, start: start, what: fmt.Sprintf("The Python package index at %s broke off %s", r.name, name)}
	want := assets.Expect{SHA256: f.Hashes["sha256"], SHA1: f.Hashes["sha1"], SHA512: f.Hashes["sha512"], MD5: f.Hashes["md5"], Size: max(f.Size, 0)}
	a, err := assets.Store(ctx, r.cfg.Blobs, name, body, want, 0)
	if errors.Is(err, errkind.ErrValidation) {
		r.log.Warn("PyPI file refused", "index", r.name, "project", ref.Name, "file", name, "url", f.URL, "error", err)
		return artifact.Asset{}, errkind.Wrap(errkind.Validation, err, "%s from the Python package index at %s does not match the digests its page declares; it was not kept: %s",
			name, r.name, errkind.As(err).Message)
	}
	if err != nil {
		return artifact.Asset{}, err
	}
	if declared := f.MetadataSHA256; declared != "" && pypi.KindOf(name) == pypi.Wheel {
		b, err := pypi.FileMetadata(ctx, r.cfg.Blobs, ref.Name, a)
		sum := sha256.Sum256(b)
		if err != nil || hex.EncodeToString(sum[:]) != declared {
			r.log.Warn("PyPI wheel refused: METADATA differs from the declared metadata file", "index", r.name, "file", name, "error", err)
			return artifact.Asset{}, errkind.Validationf("The METADATA of %s from the Python package index at %s is not the metadata file its page declares; it was not kept", name, r.name)
		}
	}
	return a, nil
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Host
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

var errTooLarge = errors.New("page too large")

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
		return "connection closed by the index"
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
