// Package upstream is what the clients of public registries share: their
// one Config, how they ask a registry over HTTP, what they remember of its
// answers and failures, and how they store the files it serves. The
// clients themselves live in their format's folder (format/npm, format/pypi
// and format/maven, each in connection.go, built by the format's
// Rules.Connect from a Config with URL and Connection filled in) and keep
// only what their format decides: URL layouts, parsing, what to ingest,
// how messages name the registry. The fakes of the public registries
// (upstreamtest) stay here, beside the tests of the shared pieces that use
// them.
//
// A Client is one registry as Arca reaches it:
//
//   - Get sends a GET with the client's User-Agent on a dedicated
//     http.Client (NewHTTPClient: timeouts on dial, TLS handshake and
//     response headers, whatever deadline the caller has). It answers 200
//     (and 304 to a conditional request of a Cache); 404 and 410 are
//     errkind.NotFound; network failures, timeouts, 5xx and other answers
//     are errkind.Unavailable, and so are failures to read a body.
//     Messages name the registry by Config.Name (its URL without any
//     password: Redacted) and say the cause in a few words.
//   - Host down: after a failure to reach a host at all (connection
//     refused, DNS, TLS, no response headers in time), every request to
//     that host, for documents and files alike, answers errkind.Unavailable
//     at once for Config.FailureTTL (30 seconds by default), so that
//     during an outage no request waits for a timeout that is known to
//     come. A caller that merely went away is not a failure of the host.
//   - Read fetches a small file whole, bounded; Download streams a file
//     into the blob store through internal/assets, checked against the
//     digests the registry declared: bytes that do not match are never
//     stored (errkind.Validation).
//
// A Cache keeps the documents of one registry in memory by key (a
// package's document, a project's page, an artifact's metadata):
//
//   - A document (or the answer that it does not exist) is used for
//     Config.TTL, then revalidated with If-None-Match / If-Modified-Since.
//     The cache is bounded by Config.CacheBytes, least recently used first
//     out.
//   - One fetch per key at a time: concurrent Gets of a key share one
//     fetch (singleflight), which runs detached from the callers (a client
//     going away does not waste it) until the first caller's deadline, or
//     Config.Timeout when it has none. Each caller still waits no longer
//     than its own context allows.
//   - Failure memory: after a failed fetch of a key, Get answers
//     errkind.Unavailable at once for Config.FailureTTL instead of sending
//     another request; so it does while the registry's host is down.
//   - Stale-if-error: when a document past its TTL cannot be refreshed,
//     the last good one is served, however old.
//
// Both are safe for concurrent use. Clocks: Config.Now drives the TTLs and
// memories (tests step it); elapsed times in messages are real.
package upstream
