// Package metrics is Arca's Prometheus instrumentation: the collectors,
// the per-request labels the HTTP surfaces fill, and the /metrics handler
// (the Prometheus text format, through prometheus/client_golang).
//
// Every series has bounded labels. Surfaces are "controlplane", "iam",
// "sts", a format's name, "console" or "other"; operations are names from
// the service models (control-plane operations, IAM and STS actions), on a
// repository endpoint the permission the request needed
// (ReadFromRepository, PublishPackageVersion, ...), and in the web console
// the route's pattern; statuses are classes
// (2xx...5xx); connections are configured external connection names.
// Nothing carries a package name, a token, an account id or a path: those
// are what the access and audit logs are for.
//
// A nil *Metrics is valid and observes nothing, so that the server built
// without metrics (--metrics off) pays nothing but a nil check, and tests
// of other packages need no registry.
//
// The event deliverer feeds its deliveries and backlog through
// EventDelivered and EventBacklog: it declares an interface with those
// two methods, and server passes it the server's *Metrics (nil-safe, so
// it may be passed as is when metrics are off). The package imports only the
// Prometheus client: the decorators that feed it from the blob store, the
// metadata store, the token checks and the authorizer live in package
// server, which wires everything.
package metrics
