// Package cli is the client side of Arca: the `arca login`, `arca
// logout`, `arca credential`, `arca env`, `arca exec` and `arca profile`
// commands that a developer's laptop or a CI job runs to point package
// managers at an Arca (or CodeArtifact) repository; and `arca gate`, which
// configures Arca's release-age gate through its control-plane extension
// (signed requests to /v1/release-gate*).
//
// The commands authenticate with the standard AWS credential chain
// (environment, shared config and credentials files, AWS_PROFILE, assumed
// roles, web identity, credential_process) through aws-sdk-go-v2, and find
// the server from --endpoint-url, AWS_ENDPOINT_URL_CODEARTIFACT,
// AWS_ENDPOINT_URL, the arca profile, or the AWS config file, in that
// order.
//
// Sub-packages: tools (what each package manager's configuration looks
// like: pure writers), creds (the token cache), profile (the profiles
// file), fileedit (atomic writes), undo (what login changed, for logout).
//
// Invariants: a command that fails writes nothing and says why in one line
// on stderr; a token is never printed except by `arca credential` and
// `arca env`, whose job that is; files that hold a token are mode 0600;
// login records what it changed (never a token) so that logout can take
// exactly that back.
package cli
