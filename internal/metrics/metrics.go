package metrics

import (
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds every collector of one server, in a registry of its own
// (no global registration: two servers in one test process do not mix).
type Metrics struct {
	reg *prometheus.Registry

	requests        *prometheus.HistogramVec
	upstreamFetches *prometheus.CounterVec
	upstreamBytes   *prometheus.CounterVec
	upstreamTime    *prometheus.HistogramVec
	blobTime        *prometheus.HistogramVec
	storeTime       *prometheus.HistogramVec
	tokenChecks     *prometheus.CounterVec
	revocations     *prometheus.CounterVec
	decisions       *prometheus.CounterVec
	versions        *prometheus.CounterVec
	deliveries      *prometheus.CounterVec
	deliveryTime    prometheus.Histogram
	backlog         *prometheus.GaugeVec

	// The children of the fixed label values, resolved once: looking a
	// child up by its label values hashes them on every call.
	storeKinds                      map[string]prometheus.Observer
	tokenResults, revocationResults map[string]prometheus.Counter
	decisionResults                 map[string]prometheus.Counter
	// requestChildren are the children of requests resolved so far (the
	// label values are few: surfaces, operations and status classes),
	// replaced whole on each addition so that a request reads without a
	// lock.
	requestChildren atomic.Pointer[map[requestLabels]prometheus.Observer]
	requestMu       sync.Mutex // held to add a child
}

// requestLabels are a request's label values.
type requestLabels struct{ surface, operation, class string }

// requestChild returns the child of requests for l.
func (m *Metrics) requestChild(l requestLabels) prometheus.Observer {
	if all := m.requestChildren.Load(); all != nil {
		if o, ok := (*all)[l]; ok {
			return o
		}
	}
	m.requestMu.Lock()
	defer m.requestMu.Unlock()
	var all map[requestLabels]prometheus.Observer
	if old := m.requestChildren.Load(); old != nil {
		if o, ok := (*old)[l]; ok {
			return o
		}
		all = maps.Clone(*old)
	} else {
		all = map[requestLabels]prometheus.Observer{}
	}
	o := m.requests.WithLabelValues(l.surface, l.operation, l.class)
	all[l] = o
	m.requestChildren.Store(&all)
	return o
}

// labeled is a collector vector of one label: a *prometheus.CounterVec
// (T prometheus.Counter) or *prometheus.HistogramVec (prometheus.Observer).
type labeled[T any] interface{ WithLabelValues(...string) T }

// children resolves the children of vec for each value of its one label.
func children[T any](vec labeled[T], values ...string) map[string]T {
	out := make(map[string]T, len(values))
	for _, v := range values {
		out[v] = vec.WithLabelValues(v)
	}
	return out
}

// child returns the child of value, resolved or not.
func child[T any](resolved map[string]T, vec labeled[T], value string) T {
	if c, ok := resolved[value]; ok {
		return c
	}
	return vec.WithLabelValues(value)
}

// latencyBuckets span a cached download (tens of microseconds) to a slow
// upstream fetch or a large publish (tens of seconds).
var latencyBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// storeBuckets are finer: a statement on SQLite takes microseconds.
var storeBuckets = []float64{.00001, .000025, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}

// New returns the collectors of a server, with the Go runtime's and the
// process's own.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "arca_http_request_duration_seconds",
		Help:    "Requests served, by surface (controlplane, iam, sts, a package format, other), operation and status class, and how long they took until the handler returned.",
		Buckets: latencyBuckets,
	}, []string{"surface", "operation", "status"})
	m.upstreamFetches = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "arca_upstream_requests_total",
		Help: "Requests to the public registries behind external connections, by connection and result (ok, not_found, error: a 5xx or no answer).",
	}, []string{"connection", "result"})
	m.upstreamBytes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "arca_upstream_response_bytes_total",
		Help: "Response body bytes read from the public registries behind external connections, by connection.",
	}, []string{"connection"})
	m.upstreamTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "arca_upstream_request_duration_seconds",
		Help:    "Time until a public registry's response headers arrived, by connection.",
		Buckets: latencyBuckets,
	}, []string{"connection"})
	m.blobTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "arca_blob_operation_duration_seconds",
		Help:    "Blob store operations (open, stat, commit, delete) below the in-memory cache, by operation and result (ok, not_found, error).",
		Buckets: latencyBuckets,
	}, []string{"operation", "result"})
	m.storeTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "arca_store_duration_seconds",
		Help:    "Metadata store statements and transactions, by kind (query, exec, transaction: a whole read-write transaction, commit included).",
		Buckets: storeBuckets,
	}, []string{"kind"})
	m.tokenChecks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "arca_token_checks_total",
		Help: "Authorization tokens checked on repository endpoints, by result (valid, missing, invalid, expired, revoked, error).",
	}, []string{"result"})
	m.revocations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "arca_token_revocation_checks_total",
		Help: "Verified tokens checked against the revocation list, by result (valid, revoked, error).",
	}, []string{"result"})
	m.decisions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "arca_authorization_decisions_total",
		Help: "Policy decisions, by decision (allow, deny, error: the decision could not be made).",
	}, []string{"decision"})
	m.versions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "arca_package_versions_created_total",
		Help: "Package versions created in a repository, by format and origin (published: by a client or copied; ingested: from an external connection).",
	}, []string{"format", "origin"})
	m.deliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "arca_event_deliveries_total",
		Help: "Event deliveries to webhook subscriptions, by outcome (delivered, failed: to be retried, dead: given up).",
	}, []string{"outcome"})
	m.deliveryTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "arca_event_delivery_duration_seconds",
		Help:    "Time a webhook took to answer a delivery.",
		Buckets: latencyBuckets,
	})
	m.backlog = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "arca_event_backlog",
		Help: "Events waiting for delivery (pending) and in the dead-letter state (dead).",
	}, []string{"state"})
	m.storeKinds = children[prometheus.Observer](m.storeTime, "query", "exec", "transaction")
	m.tokenResults = children[prometheus.Counter](m.tokenChecks, "valid", "missing", "invalid", "expired", "revoked", "error")
	m.revocationResults = children[prometheus.Counter](m.revocations, "valid", "revoked", "error")
	m.decisionResults = children[prometheus.Counter](m.decisions, "allow", "deny", "error")
	m.reg.MustRegister(m.requests, m.upstreamFetches, m.upstreamBytes, m.upstreamTime, m.blobTime, m.storeTime,
		m.tokenChecks, m.revocations, m.decisions, m.versions, m.deliveries, m.deliveryTime, m.backlog,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Register adds collectors of the server's own (cache sizes read at
// scrape time, a database pool's statistics).
func (m *Metrics) Register(cs ...prometheus.Collector) {
	if m == nil {
		return
	}
	m.reg.MustRegister(cs...)
}

// Handler serves the metrics in the Prometheus text format (or the
// protobuf or OpenMetrics format a scraper asks for).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Gatherer returns the registry, for tests that read values directly.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// statusClasses name status codes by their hundreds.
var statusClasses = [...]string{"1xx", "1xx", "2xx", "3xx", "4xx", "5xx"}

// StatusClass returns "2xx" for 200..299 and so on; anything out of range
// is "5xx", as a server that answered it is broken.
func StatusClass(code int) string {
	if c := code / 100; c >= 1 && c <= 5 {
		return statusClasses[c]
	}
	return "5xx"
}

// UpstreamFetch records one request to a public registry: its result
// (ok, not_found, error) and how long its headers took.
func (m *Metrics) UpstreamFetch(connection, result string, d time.Duration) {
	if m == nil {
		return
	}
	m.upstreamFetches.WithLabelValues(connection, result).Inc()
	if result != "error" || d > 0 {
		m.upstreamTime.WithLabelValues(connection).Observe(d.Seconds())
	}
}

// UpstreamBytes counts response body bytes read from a connection.
func (m *Metrics) UpstreamBytes(connection string, n int64) {
	if m == nil || n <= 0 {
		return
	}
	m.upstreamBytes.WithLabelValues(connection).Add(float64(n))
}

// Blob records one blob store operation.
func (m *Metrics) Blob(operation, result string, d time.Duration) {
	if m == nil {
		return
	}
	m.blobTime.WithLabelValues(operation, result).Observe(d.Seconds())
}

// Store records one metadata store statement or transaction.
func (m *Metrics) Store(kind string, d time.Duration) {
	if m == nil {
		return
	}
	child(m.storeKinds, m.storeTime, kind).Observe(d.Seconds())
}

// TokenCheck records the result of checking a request's token.
func (m *Metrics) TokenCheck(result string) {
	if m == nil {
		return
	}
	child(m.tokenResults, m.tokenChecks, result).Inc()
}

// RevocationCheck records one look-up in the revocation list.
func (m *Metrics) RevocationCheck(result string) {
	if m == nil {
		return
	}
	child(m.revocationResults, m.revocations, result).Inc()
}

// Decision records one policy decision: allow, deny or error.
func (m *Metrics) Decision(decision string) {
	if m == nil {
		return
	}
	child(m.decisionResults, m.decisions, decision).Inc()
}

// VersionCreated records a package version created (committed).
func (m *Metrics) VersionCreated(format, origin string) {
	if m == nil {
		return
	}
	m.versions.WithLabelValues(format, origin).Inc()
}

// The outcomes of an event delivery.
const (
	Delivered = "delivered"
	Failed    = "failed"
	Dead      = "dead"
)

// EventDelivered records one attempt to deliver an event: its outcome
// (Delivered, Failed, Dead; anything else counts as Failed) and how long
// the receiver took. The event deliverer declares the interface it needs
// with this method and EventBacklog; *Metrics implements it.
func (m *Metrics) EventDelivered(outcome string, d time.Duration) {
	if m == nil {
		return
	}
	if outcome != Delivered && outcome != Dead {
		outcome = Failed
	}
	m.deliveries.WithLabelValues(outcome).Inc()
	m.deliveryTime.Observe(d.Seconds())
}

// EventBacklog sets how many events wait for delivery and how many are
// dead letters.
func (m *Metrics) EventBacklog(pending, dead int) {
	if m == nil {
		return
	}
	m.backlog.WithLabelValues("pending").Set(float64(pending))
	m.backlog.WithLabelValues("dead").Set(float64(dead))
}
