package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// Credential prints a current token for the domain: the cached one while
// it is fresh, else a new one. format is "token" (the token alone),
// "bearer" ("Bearer TOKEN", what pnpm's tokenHelper must print) or "json"
// ({"authorizationToken", "expiration"} as GetAuthorizationToken answers).
func (a *App) Credential(ctx context.Context, f Flags, format string) error {
	switch format {
	case "", "token", "bearer", "json":
	default:
		return fmt.Errorf("--format must be token, bearer or json, not %q", format)
	}
	r, err := a.resolve(f, false)
	if err != nil {
		return err
	}
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	s, err := a.newSession(ctx, r.Settings)
	if err != nil {
		return err
	}
	t, err := s.token(ctx)
	if err != nil {
		return err
	}
	switch format {
	case "bearer":
		fmt.Fprintln(a.Stdout, "Bearer "+t.Value)
	case "json":
		b, _ := json.Marshal(map[string]any{"authorizationToken": t.Value, "expiration": t.Expiration.Unix()})
		fmt.Fprintln(a.Stdout, string(b))
	default:
		fmt.Fprintln(a.Stdout, t.Value)
	}
	return nil
}

// IsCargoPlugin reports whether arca was started by cargo as a credential
// provider: cargo runs the provider with the single argument
// --cargo-plugin and passes the configured arguments in its request.
func IsCargoPlugin(args []string) bool {
	return len(args) == 1 && args[0] == "--cargo-plugin"
}

// cargoRequest is a request of cargo's credential-provider protocol
// (https://doc.rust-lang.org/cargo/reference/credential-provider-protocol.html).
type cargoRequest struct {
	V        int    `json:"v"`
	Kind     string `json:"kind"`
	Registry struct {
		IndexURL string `json:"index-url"`
		Name     string `json:"name"`
	} `json:"registry"`
	Args []string `json:"args"`
}

type cargoError struct {
	Kind    string `json:"kind"`
	Message string `json:"message,omitempty"`
}

// CargoPlugin speaks cargo's credential-provider protocol on stdin and
// stdout: a hello, one request, one response. The arguments configured
// after the provider's path ("credential" and the flags that select the
// domain) arrive in the request. It answers "get" requests with a current
// token that cargo may cache until shortly before it expires, and
// "operation-not-supported" to login and logout: tokens come from the
// server, never from the user.
func (a *App) CargoPlugin(ctx context.Context) int {
	out := json.NewEncoder(a.Stdout)
	if err := out.Encode(map[string]any{"v": []int{1}}); err != nil {
		return 1
	}
	line, err := bufio.NewReader(a.Stdin).ReadString('\n')
	if err != nil && (err != io.EOF || strings.TrimSpace(line) == "") {
		fmt.Fprintln(a.Stderr, "arca: no request from cargo:", err)
		return 1
	}
	var req cargoRequest
	if err := json.Unmarshal([]byte(line), &req); err != nil {
		out.Encode(map[string]any{"Err": cargoError{Kind: "other", Message: "arca: bad request from cargo: " + err.Error()}})
		return 0
	}
	fail := func(kind, msg string) int {
		out.Encode(map[string]any{"Err": cargoError{Kind: kind, Message: msg}})
		return 0
	}
	if req.Kind != "get" {
		return fail("operation-not-supported", "arca fetches tokens from the server; there is nothing to "+req.Kind)
	}
	f, _, err := parseCredentialArgs(req.Args)
	if err != nil {
		return fail("other", "arca: credential-provider arguments: "+err.Error())
	}
	r, err := a.resolve(f, false)
	if err != nil {
		return fail("other", "arca: "+err.Error())
	}
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	s, err := a.newSession(ctx, r.Settings)
	if err != nil {
		return fail("other", "arca: "+err.Error())
	}
	t, err := s.token(ctx)
	if err != nil {
		return fail("other", "arca: "+err.Error())
	}
	// Let cargo keep the token until its refresh margin begins.
	exp := t.Expiration.Add(-t.Margin())
	resp := map[string]any{"Ok": map[string]any{
		"kind": "get", "token": t.Value, "cache": "expires", "expiration": exp.Unix(),
		"operation_independent": true,
	}}
	if !exp.After(a.now()) {
		resp["Ok"].(map[string]any)["cache"] = "never"
		delete(resp["Ok"].(map[string]any), "expiration")
	}
	if err := out.Encode(resp); err != nil {
		return 1
	}
	return 0
}

// parseCredentialArgs parses the arguments of `arca credential` as cargo
// passes them (a leading "credential" is skipped).
func parseCredentialArgs(args []string) (Flags, string, error) {
	if len(args) > 0 && args[0] == "credential" {
		args = args[1:]
	}
	var f Flags
	var format string
	fs := pflag.NewFlagSet("credential", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	bindCommon(fs, &f)
	fs.StringVar(&format, "format", "token", "")
	if err := fs.Parse(args); err != nil {
		return Flags{}, "", err
	}
	if fs.NArg() > 0 {
		return Flags{}, "", fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return f, format, nil
}

// bindCommon defines the flags every client command takes.
func bindCommon(fs *pflag.FlagSet, f *Flags) {
	fs.StringVar(&f.Profile, "profile", "", "arca profile to use (default: $ARCA_PROFILE, else \"default\")")
	fs.StringVar(&f.Endpoint, "endpoint-url", "", "Arca's URL (default: $AWS_ENDPOINT_URL_CODEARTIFACT, $AWS_ENDPOINT_URL, the profile's, the AWS config's)")
	fs.StringVar(&f.Region, "region", "", "AWS region to sign with (default: the AWS configuration's, else us-east-1)")
	fs.StringVar(&f.AWSProfile, "aws-profile", "", "AWS config/credentials profile for the credentials (default: $AWS_PROFILE)")
	fs.StringVar(&f.Domain, "domain", "", "domain name")
	fs.StringVar(&f.Owner, "domain-owner", "", "account id of the domain's owner (default: the caller's account)")
	fs.Int64Var(&f.Duration, "duration-seconds", 0, "token lifetime, 900 to 43200 (default: the server's, 12 hours)")
}
