// Package events emits CodeArtifact's package version events and delivers
// them to webhooks.
//
// Event: the "CodeArtifact Package Version State Change" event of the User
// Guide ("CodeArtifact event format and example"), field for field: one for
// every change of a package version (publish, new asset, metadata, status,
// copy, retention from an upstream, ingestion through an external
// connection, disposal, deletion), numbered per package (sequenceNumber),
// delivered to the account that owns the domain and, when another account
// administers the repository, to that account too (each copy with its own
// id and its account; both share eventDeduplicationId).
//
// Outbox: Outbox is the catalog's Recorder. Inside the transaction of the
// change it numbers the event, matches it against the domain's
// subscriptions of each receiving account (EventBridge event patterns,
// package eventpattern) and writes one delivery row per match. A change
// that rolls back leaves no delivery; one that commits cannot lose its
// deliveries to a crash.
//
// Delivery: Dispatcher claims due deliveries with a lease (any number of
// replicas share the outbox; each delivery is held by one at a time), POSTs
// each event's JSON with Content-Type application/json, X-Arca-Delivery
// (the delivery id) and X-Arca-Signature-256 ("sha256=" and the hex
// HMAC-SHA256 of the raw body under the subscription's secret). Any 2xx
// acknowledges; anything else is retried with exponential backoff, and
// after MaxAttempts the delivery is dead, listed and redriven through the
// management API. A subscription's deliveries leave in order, one at a
// time, so a receiver sees each package's events in sequence; a failing
// head holds the queue until it is delivered or dead. Delivery is at least
// once: a receiver deduplicates by the event's id.
//
// Subscriptions: Service creates, lists and deletes subscriptions and
// lists and redrives deliveries; the control plane authorizes its
// operations (arca:CreateEventSubscription and the others, on the domain's
// ARN) and audits them.
package events
