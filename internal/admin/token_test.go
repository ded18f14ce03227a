package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/sealed"
	"github.com/arcahq/arca/internal/store/sqlite"
	"github.com/arcahq/arca/internal/token"
)

const alice = "arn:aws:iam::111122223333:user/alice"

// dataDir returns a data directory with signing keys, as a server leaves
// it, and a token for alice minted with them that expires in an hour.
func dataDir(t *testing.T) (data, tok string) {
	t.Helper()
	data = t.TempDir()
	ctx := context.Background()
	box, _, err := sealed.Load(sealed.Source{Data: data, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sqlite.Open(ctx, filepath.Join(data, DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sealed.Open(ctx, raw, box)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tokens, err := token.New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tok, err = tokens.Mint(token.Claims{DomainID: 1, DomainOwner: "111122223333", Domain: "my-domain", Account: "111122223333",
		Principal: alice, IssuedAt: now, Expires: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return data, tok
}

// run runs `arca token ARGS` with stdin and returns its output.
func run(t *testing.T, data, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := TokenCommand(&out, &errOut)
	cmd.SetArgs(append(args, "--data", data))
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestTokenCommands(t *testing.T) {
	data, tok := dataDir(t)
	out, err := run(t, data, tok+"\n", "inspect", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var in Inspection
	if err := json.Unmarshal([]byte(out), &in); err != nil {
		t.Fatalf("inspect --json: %v\n%s", err, out)
	}
	if in.Status != StatusValid || in.Principal != alice || in.Domain != "my-domain" || len(in.TokenID) != 32 {
		t.Errorf("inspect = %+v", in)
	}
	if strings.Contains(out, tok) {
		t.Error("inspect printed the token")
	}

	out, err = run(t, data, "", "revoke", "--token-id", in.TokenID, "--reason", "laptop lost")
	if err != nil {
		t.Fatal(err)
	}
	var rv Revocation
	if err := json.Unmarshal([]byte(out), &rv); err != nil || rv.TokenID != in.TokenID || rv.Reason != "laptop lost" {
		t.Errorf("revoke printed %q (%v)", out, err)
	}
	out, err = run(t, data, "", "inspect", tok)
	if err != nil || !strings.Contains(out, "revoked") || !strings.Contains(out, "laptop lost") {
		t.Errorf("inspect after revoke: %v\n%s", err, out)
	}
	if _, err := run(t, data, tok, "revoke", "-"); !errors.Is(err, errkind.ErrConflict) {
		t.Errorf("revoking the token again: %v, want Conflict", err)
	}

	if _, err := run(t, data, "", "revoke", "--principal", "arn:aws:iam::111122223333:role/ci", "--domain", "my-domain"); err != nil {
		t.Fatal(err)
	}
	out, err = run(t, data, "", "list-revocations", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Revocations []Revocation }
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list.Revocations) != 2 || list.Revocations[1].Principal != "arn:aws:iam::111122223333:role/ci" {
		t.Errorf("list-revocations --json = %s (%v)", out, err)
	}
	out, err = run(t, data, "", "list-revocations")
	if err != nil || !strings.Contains(out, "every token issued to arn:aws:iam::111122223333:role/ci") {
		t.Errorf("list-revocations: %v\n%s", err, out)
	}
}

func TestInspectStatuses(t *testing.T) {
	data, tok := dataDir(t)
	ctx := context.Background()
	if in, err := Inspect(ctx, Dir{Data: data}, tok, time.Now().Add(2*time.Hour)); err != nil || in.Status != StatusExpired {
		t.Errorf("an expired token: %+v, %v", in, err)
	}
	_, otherTok := dataDir(t)
	if in, err := Inspect(ctx, Dir{Data: data}, otherTok, time.Now()); err != nil || in.Status != StatusNotValid || in.Principal != alice {
		t.Errorf("another server's token: %+v, %v", in, err)
	}
	if _, err := Inspect(ctx, Dir{Data: data}, "not a token", time.Now()); !errors.Is(err, errkind.ErrValidation) {
		t.Errorf("garbage: %v", err)
	}
	if _, err := Inspect(ctx, Dir{Data: t.TempDir()}, tok, time.Now()); err == nil {
		t.Error("a directory without a database was accepted")
	}
}

func TestRevokeRefusals(t *testing.T) {
	data, tok := dataDir(t)
	_, otherTok := dataDir(t)
	ctx := context.Background()
	for name, req := range map[string]RevokeRequest{
		"nothing":                    {},
		"two things":                 {Token: tok, Principal: alice},
		"a bad token id":             {TokenID: "xyz"},
		"a bad principal":            {Principal: "alice"},
		"a role name only":           {Principal: "arn:aws:iam::111122223333:role/"},
		"a domain without principal": {TokenID: strings.Repeat("a", 32), Domain: "my-domain"},
		"another server's token":     {Token: otherTok},
	} {
		if _, err := Revoke(ctx, Dir{Data: data}, req, time.Now()); !errors.Is(err, errkind.ErrValidation) {
			t.Errorf("%s: %v, want a Validation error", name, err)
		}
	}
	if _, err := Revoke(ctx, Dir{Data: data}, RevokeRequest{Token: tok}, time.Now().Add(2*time.Hour)); !errors.Is(err, errkind.ErrValidation) {
		t.Errorf("an expired token: %v, want a Validation error", err)
	}
	list, _ := ListRevocations(ctx, Dir{Data: data}, time.Now())
	if len(list) != 0 {
		t.Errorf("refused revocations were stored: %+v", list)
	}
}
