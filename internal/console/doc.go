// Package console is Arca's web console at /console/: server-rendered
// pages (html/template, embedded with go:embed; no script at all) for the
// people who do not live in a terminal.
//
// # Sign-in and sessions
//
// IAM users sign in with their account id, user name and password (their
// login profile, package identity; a user whose profile requires a reset
// chooses a new password before anything else). An account's root signs in
// with its access key id and secret access key: Arca's roots have no
// password, and the key pair is what proves to be the root everywhere else.
//
// A session is a random 256-bit token in a cookie (HttpOnly,
// SameSite=Strict, Path=/console/, Secure when the client reached the
// server over TLS, directly or through a trusted proxy). The store keeps
// the session under the token's SHA-256, so every replica knows it and a
// copy of the database signs nobody in. It ends at sign-out, after
// Config.IdleTimeout without a request (recorded at most once a minute),
// after Config.MaxLifetime, and when the user behind it is deleted. Every
// form carries a per-session CSRF token (the sign-in forms a double-submit
// cookie), compared in constant time.
//
// Sign-in attempts are throttled: a client address, and a user or access
// key, get maxFailures failed attempts per failureWindow; past that, the
// attempt is refused without a password check until the window moves on.
// The counts live in each process: behind N replicas an attacker gets up
// to N times as many guesses, each still costing an argon2id hash.
// Every attempt is an audit event, as CloudTrail records console sign-ins
// (eventSource signin.amazonaws.com, eventName ConsoleLogin,
// responseElements.ConsoleLogin Success or Failure).
//
// # Authorization
//
// Every page and every action runs the control plane's own operations for
// the session's principal (ControlPlane.Invoke), so the policy engine
// decides them exactly as it decides the same call from the CLI:
// a user sees and does only what their policies and the resource policies
// allow, and a denial is a refusal page that names the action and the
// resource. The audit log page needs cloudtrail:LookupEvents (on "*"), the
// permission that reads CloudTrail's events in AWS, and shows the events
// of the caller's own account.
//
// # Pages and safety
//
// Package readmes are rendered from a small Markdown subset (headings,
// paragraphs, lists, code blocks, inline code) into escaped text: no HTML
// of a readme reaches the page. Every response carries a
// Content-Security-Policy without any script source, so no script can run
// even if markup slipped through, and frames, plugins, base URLs and
// foreign form targets are refused too.
package console
