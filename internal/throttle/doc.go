// Package throttle bounds how fast, and how much at once, each client may
// ask of the server:
//
//   - Rates: token buckets per key, with CodeArtifact's documented request
//     quotas (User Guide, "Quotas in AWS CodeArtifact") multiplied by a
//     configured scale: per account for the control-plane operations that
//     have a quota, per authorization token, per account and repository
//     for reads and writes on a repository endpoint, and per address for
//     requests without a valid token. A refusal is an errkind.Throttled
//     error whose RetryAfter says when the bucket has a token again; each
//     surface renders it in its own shape (the control plane's
//     ThrottlingException, 429 from every format) with Retry-After.
//   - Requests in flight per client address and per principal (InFlight).
//   - A server-wide budget of buffered request bytes (Budget).
//
// Every bound is per server process: N replicas over one database allow
// N times the rates, the requests in flight and the budget (a load
// balancer that keeps a client on one replica keeps its per-client
// bounds).
//
// Keys are bounded in number: a client spraying addresses or tokens makes
// the limiter forget idle keys, never grow without bound.
package throttle
