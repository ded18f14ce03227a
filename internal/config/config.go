// Package config is the typed configuration of `arca serve`: defaults,
// then a config file (file.go), then ARCA_* environment variables, then
// command-line flags, each layer overriding the one before. Every key is
// one entry of the table in settings.go, which all three sources share.
// Validate rejects anything the server could not run with, before
// anything starts.
package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/cachesize"
)

// Config configures the server.
type Config struct {
	Listen string // host:port to listen on
	Data   string // data directory: database, blobs, generated credentials

	// Database is where the metadata goes: empty for the SQLite database
	// in Data, or a postgres:// URL of a PostgreSQL database, which
	// several replicas may share (see Validate for what they must share
	// besides).
	Database string

	// Blobs is where package bytes go: empty for the directory blobs/ in
	// Data, or s3://BUCKET[/PREFIX]?endpoint=URL&region=R&redirect=SIZE
	// for an S3-compatible bucket, which Validate parses into S3.
	Blobs     string
	S3        *S3Blobs
	Region    string // the region in ARNs
	PublicURL string // the base URL clients use; derived from Listen when empty

	// TLSCert and TLSKey are the PEM files of the server's certificate
	// (chain) and private key; both set, the server speaks HTTPS only.
	TLSCert, TLSKey string

	// ExternalConnections maps connection names (public:npmjs, ...) to the
	// URL of the registry behind them. Validate checks the URLs; which
	// names exist is the formats' knowledge, checked by server.New.
	ExternalConnections map[string]string

	// Root account; when the keys are empty they are generated on first
	// start and kept in the data directory.
	AccountID       string
	RootAccessKeyID string
	RootSecretKey   string

	// MasterKey (ARCA_MASTER_KEY, environment only) and MasterKeyFile
	// hold the master key that encrypts the secrets in the database;
	// with neither, <Data>/master.key (made on first start). See package
	// sealed.
	MasterKey     string
	MasterKeyFile string

	// UpstreamTimeout bounds how long a request waits for a public
	// registry behind an external connection.
	UpstreamTimeout time.Duration

	// EventMaxAttempts, EventRetryBackoff and EventTimeout tune the
	// delivery of package version events to webhooks (package events):
	// attempts before a delivery is dead, the wait after the first failed
	// attempt (doubling after each further one, up to 10 minutes), and
	// the bound of one attempt.
	EventMaxAttempts  int
	EventRetryBackoff time.Duration
	EventTimeout      time.Duration

	// TrustedProxies are the networks of reverse proxies whose
	// X-Forwarded-For and X-Forwarded-Proto headers are believed when
	// they connect (for aws:SourceIp and aws:SecureTransport). Empty: the
	// headers are ignored and the client is the connection's peer.
	TrustedProxies []netip.Prefix

	LogFormat string // "text" or "json"

	// DebugListen, when set, is a loopback host:port where the Go
	// runtime's profiles (/debug/pprof/) and metrics (/debug/metrics) are
	// served, for finding where a running server spends its time and
	// memory. Empty: not served.
	DebugListen string

	// Metrics says who may read GET /metrics on the main listener:
	// MetricsLoopback (the default), MetricsOpen or MetricsOff (no
	// endpoint and no instrumentation).
	Metrics string

	// MaxConnections bounds the connections served at once; more are
	// answered 503 with Retry-After. 0 is no bound.
	MaxConnections int
	// MinBodyRate is the slowest a request body may arrive, in bytes a
	// second over each 30-second window; slower bodies are cut off. 0 is
	// no minimum.
	MinBodyRate int64
	// Throttle multiplies CodeArtifact's request quotas (User Guide,
	// "Quotas"), applied per account, per authorization token and per
	// address (package throttle): 1 is CodeArtifact's numbers, 0 is off.
	Throttle float64
	// MaxRequestsPerClient bounds the requests in flight from one client
	// address, and from one principal; more are refused with 429 and
	// Retry-After. 0 is no bound.
	MaxRequestsPerClient int
	// BufferBudget bounds the request bytes the server may hold in memory
	// at once, across all requests (a request body counts for its length,
	// up to the most any surface buffers); a request that does not fit
	// waits briefly, then gets 503 with Retry-After. 0 is no bound.
	BufferBudget int64

	// AuditLog is where the audit log goes: a file path, "-" for
	// standard output only, or "off". Empty is the default,
	// <Data>/audit/audit.log (Validate fills it in).
	AuditLog string
	// AuditLogMaxSize is the size in bytes past which the audit log file
	// rotates; AuditLogKeep how many rotated files are kept.
	AuditLogMaxSize int64
	AuditLogKeep    int
	// AuditLogMinAge is the audit log's retention floor: rotated files
	// younger than this are kept even beyond AuditLogKeep (up to a disk
	// cap, see audit.Config.MaxTotal). 0 is no floor.
	AuditLogMinAge time.Duration
	// AuditLogStdout copies the audit log to standard output as well.
	AuditLogStdout bool
	// AuditDataEvents selects the package reads the audit log records
	// (CloudTrail's data events): none (the default), AuditDataAll, or
	// the repositories named "DOMAIN/REPOSITORY".
	AuditDataEvents []string
	// CacheBytes is the memory budget of every cache of the server
	// together (rendered documents, version lookups, public registries'
	// documents): see package cachesize.
	CacheBytes int64
}

// AuditOff is the AuditLog value that turns the audit log off, and
// AuditStdout the one that sends it to standard output only.
const (
	AuditOff    = "off"
	AuditStdout = "-"
	// AuditDataAll records every repository's package reads.
	AuditDataAll = "all"
)

// The values of Metrics.
const (
	// MetricsLoopback serves /metrics to clients connecting from a
	// loopback address with no X-Forwarded-For or Forwarded header (so a
	// reverse proxy on the same host does not pass it on).
	MetricsLoopback = "loopback"
	// MetricsOpen serves /metrics to every client: for a listener only a
	// private network reaches.
	MetricsOpen = "open"
	// MetricsOff serves no /metrics and keeps no metrics.
	MetricsOff = "off"
)

// Defaults returns the configuration of a bare `arca serve`.
func Defaults() Config {
	return Config{
		Listen:               "127.0.0.1:8700",
		Data:                 "data",
		Region:               "us-east-1",
		ExternalConnections:  map[string]string{},
		UpstreamTimeout:      30 * time.Second,
		EventMaxAttempts:     8,
		EventRetryBackoff:    5 * time.Second,
		EventTimeout:         10 * time.Second,
		LogFormat:            "text",
		Metrics:              MetricsLoopback,
		AuditLogMaxSize:      100 << 20,
		AuditLogKeep:         10,
		AuditLogMinAge:       7 * 24 * time.Hour,
		MaxConnections:       10000,
		MinBodyRate:          10 << 10,
		Throttle:             10,
		MaxRequestsPerClient: 256,
		BufferBudget:         1 << 30,
		CacheBytes:           cachesize.Default,
	}
}

// Environment variable names.
const (
	EnvListen               = "ARCA_LISTEN"
	EnvData                 = "ARCA_DATA"
	EnvBlobs                = "ARCA_BLOBS"
	EnvDatabase             = "ARCA_DATABASE"
	EnvRegion               = "ARCA_REGION"
	EnvPublicURL            = "ARCA_PUBLIC_URL"
	EnvExternalConnections  = "ARCA_EXTERNAL_CONNECTIONS"
	EnvAccountID            = "ARCA_ACCOUNT_ID"
	EnvRootAccessKeyID      = "ARCA_ROOT_ACCESS_KEY_ID"
	EnvRootSecretKey        = "ARCA_ROOT_SECRET_ACCESS_KEY"
	EnvLogFormat            = "ARCA_LOG_FORMAT"
	EnvAuditLog             = "ARCA_AUDIT_LOG"
	EnvAuditLogMaxSize      = "ARCA_AUDIT_LOG_MAX_SIZE"
	EnvAuditLogKeep         = "ARCA_AUDIT_LOG_KEEP"
	EnvAuditLogMinAge       = "ARCA_AUDIT_LOG_MIN_AGE"
	EnvMaxConnections       = "ARCA_MAX_CONNECTIONS"
	EnvMinBodyRate          = "ARCA_MIN_BODY_RATE"
	EnvThrottle             = "ARCA_THROTTLE"
	EnvMaxRequestsPerClient = "ARCA_MAX_REQUESTS_PER_CLIENT"
	EnvBufferBudget         = "ARCA_BUFFER_BUDGET"
	EnvAuditLogStdout       = "ARCA_AUDIT_LOG_STDOUT"
	EnvUpstreamTimeout      = "ARCA_UPSTREAM_TIMEOUT"
	EnvEventMaxAttempts     = "ARCA_EVENT_MAX_ATTEMPTS"
	EnvEventRetryBackoff    = "ARCA_EVENT_RETRY_BACKOFF"
	EnvEventTimeout         = "ARCA_EVENT_TIMEOUT"
	EnvTrustedProxies       = "ARCA_TRUSTED_PROXIES"
	EnvDebugListen          = "ARCA_DEBUG_LISTEN"
	EnvMetrics              = "ARCA_METRICS"
	EnvTLSCert              = "ARCA_TLS_CERT"
	EnvTLSKey               = "ARCA_TLS_KEY"
	EnvMasterKey            = "ARCA_MASTER_KEY"
	EnvMasterKeyFile        = "ARCA_MASTER_KEY_FILE"
	EnvAuditDataEvents      = "ARCA_AUDIT_DATA_EVENTS"
	EnvCacheBytes           = "ARCA_CACHE_BYTES"
	// EnvConfig names the config file when --config does not.
	EnvConfig = "ARCA_CONFIG"
)

// AddExternalConnection adds one NAME=URL pair.
func (c *Config) AddExternalConnection(pair string) error {
	name, u, ok := strings.Cut(pair, "=")
	if !ok || name == "" || u == "" {
		return fmt.Errorf("external connection %q is not NAME=URL", pair)
	}
	if c.ExternalConnections == nil {
		c.ExternalConnections = map[string]string{}
	}
	c.ExternalConnections[name] = u
	return nil
}

// AddAuditDataEvents selects the package reads the audit log records:
// "all", "none" (which clears what was selected before), or a repository
// "DOMAIN/REPOSITORY".
func (c *Config) AddAuditDataEvents(s string) error {
	switch {
	case s == "none":
		c.AuditDataEvents = nil
		return nil
	case s == AuditDataAll:
	default:
		d, r, ok := strings.Cut(s, "/")
		if !ok || d == "" || r == "" || strings.ContainsAny(r, "/ ") || strings.Contains(d, " ") {
			return fmt.Errorf("%q is neither all, none nor DOMAIN/REPOSITORY", s)
		}
	}
	c.AuditDataEvents = append(c.AuditDataEvents, s)
	return nil
}

// AddTrustedProxy adds a trusted proxy network: a CIDR block or a single
// address.
func (c *Config) AddTrustedProxy(s string) error {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		a, aerr := netip.ParseAddr(s)
		if aerr != nil {
			return fmt.Errorf("trusted proxy %q is neither a CIDR block nor an address", s)
		}
		p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
	}
	c.TrustedProxies = append(c.TrustedProxies, p.Masked())
	return nil
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// Validate checks the configuration and fills derived values.
func (c *Config) Validate() error {
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", c.Listen, err)
	}
	if c.Data == "" {
		return fmt.Errorf("data directory is empty")
	}
	if c.S3, err = ParseBlobs(c.Blobs); err != nil {
		return err
	}
	if err := c.checkDatabase(); err != nil {
		return err
	}
	if !regionPattern.MatchString(c.Region) {
		return fmt.Errorf("region %q is not a region name like us-east-1", c.Region)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("set both the TLS certificate and key (--tls-cert and --tls-key), or neither")
	}
	if c.PublicURL == "" {
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		scheme := "http://"
		if c.TLS() {
			scheme = "https://"
		}
		c.PublicURL = scheme + net.JoinHostPort(host, port)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if err := checkURL(c.PublicURL); err != nil {
		return fmt.Errorf("public URL: %w", err)
	}
	for name, u := range c.ExternalConnections {
		if err := checkURL(u); err != nil {
			return fmt.Errorf("external connection %s: %w", name, err)
		}
	}
	if (c.RootAccessKeyID == "") != (c.RootSecretKey == "") {
		return fmt.Errorf("set both %s and %s, or neither", EnvRootAccessKeyID, EnvRootSecretKey)
	}
	if c.RootAccessKeyID != "" && c.AccountID == "" {
		return fmt.Errorf("%s is required with %s", EnvAccountID, EnvRootAccessKeyID)
	}
	if c.AccountID != "" && !arn.IsAccountID(c.AccountID) {
		return fmt.Errorf("account id %q is not 12 digits", c.AccountID)
	}
	if c.UpstreamTimeout < time.Second || c.UpstreamTimeout > 10*time.Minute {
		return fmt.Errorf("upstream timeout %v is not between 1s and 10m", c.UpstreamTimeout)
	}
	if c.EventMaxAttempts < 1 || c.EventMaxAttempts > 100 {
		return fmt.Errorf("event max attempts %d is not between 1 and 100", c.EventMaxAttempts)
	}
	if c.EventRetryBackoff < 100*time.Millisecond || c.EventRetryBackoff > time.Hour {
		return fmt.Errorf("event retry backoff %v is not between 100ms and 1h", c.EventRetryBackoff)
	}
	if c.EventTimeout < time.Second || c.EventTimeout > 5*time.Minute {
		return fmt.Errorf("event timeout %v is not between 1s and 5m", c.EventTimeout)
	}
	if c.AuditLog == "" {
		c.AuditLog = filepath.Join(c.Data, "audit", "audit.log")
	}
	if c.AuditLogMaxSize < 1024 {
		return fmt.Errorf("audit log max size %d is under 1KiB", c.AuditLogMaxSize)
	}
	if c.AuditLogKeep < 0 || c.AuditLogKeep > 1000 {
		return fmt.Errorf("audit log keep %d is not between 0 and 1000", c.AuditLogKeep)
	}
	if c.CacheBytes < cachesize.Min {
		return fmt.Errorf("cache budget %d is under 4MiB", c.CacheBytes)
	}
	if c.AuditLogMinAge < 0 {
		return fmt.Errorf("audit log min age %v is negative", c.AuditLogMinAge)
	}
	if c.MaxConnections < 0 {
		return fmt.Errorf("max connections %d is negative", c.MaxConnections)
	}
	if c.MinBodyRate < 0 {
		return fmt.Errorf("min body rate %d is negative", c.MinBodyRate)
	}
	if c.Throttle < 0 {
		return fmt.Errorf("throttle %g is negative", c.Throttle)
	}
	if c.MaxRequestsPerClient < 0 {
		return fmt.Errorf("max requests per client %d is negative", c.MaxRequestsPerClient)
	}
	if c.BufferBudget < 0 || (c.BufferBudget > 0 && c.BufferBudget < 64<<20) {
		return fmt.Errorf("buffer budget %d is under 64MiB: a single npm publish may need 32MiB", c.BufferBudget)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log format %q is not text or json", c.LogFormat)
	}
	switch c.Metrics {
	case MetricsLoopback, MetricsOpen, MetricsOff:
	default:
		return fmt.Errorf("metrics %q is not %s, %s or %s", c.Metrics, MetricsLoopback, MetricsOpen, MetricsOff)
	}
	if c.DebugListen != "" {
		if ap, err := netip.ParseAddrPort(c.DebugListen); err != nil || !ap.Addr().IsLoopback() {
			return fmt.Errorf("debug listen address %q is not a loopback ip:port: profiles are not for the network", c.DebugListen)
		}
	}
	return nil
}

// SharedDatabase reports whether the metadata is in a database other
// replicas may share, rather than in the data directory.
func (c *Config) SharedDatabase() bool { return c.Database != "" }

// checkDatabase checks the database setting. A shared database must not
// depend on anything a replica would otherwise make for itself in its data
// directory on first start: the master key that seals the secrets in the
// database (each replica would make a different one, and none could open
// the others' secrets) and the root account and its key (each replica
// would make a different account).
func (c *Config) checkDatabase() error {
	if c.Database == "" {
		return nil
	}
	u, err := url.Parse(c.Database)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return fmt.Errorf("database: want a postgres://USER@HOST:PORT/DB URL, or nothing for SQLite in the data directory")
	}
	if c.MasterKey == "" && c.MasterKeyFile == "" {
		return fmt.Errorf("with a PostgreSQL database, give the master key explicitly, the same to every replica: %s or --master-key-file "+
			"(a key made in one replica's data directory would not open the secrets the others write)", EnvMasterKey)
	}
	if c.RootAccessKeyID == "" || c.AccountID == "" {
		return fmt.Errorf("with a PostgreSQL database, give the root account explicitly, the same to every replica: %s, %s and %s",
			EnvAccountID, EnvRootAccessKeyID, EnvRootSecretKey)
	}
	return nil
}

// TLS reports whether the server speaks HTTPS.
func (c *Config) TLS() bool { return c.TLSCert != "" }

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http or https URL", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q must not have a query, fragment or user", s)
	}
	return nil
}

// ParseSize parses a size in bytes: a number with an optional unit, K,
// M or G (powers of 1024, also written KiB, MiB, GiB, or KB, MB, GB).
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("size %q is not a number of bytes with an optional K, M or G", s)
	}
	return n * mult, nil
}

// ConnectionNames returns the configured external connection names, sorted.
func (c *Config) ConnectionNames() []string {
	names := make([]string, 0, len(c.ExternalConnections))
	for n := range c.ExternalConnections {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
