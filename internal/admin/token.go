package admin

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/token"
)

// Token statuses, as Inspect reports them.
const (
	StatusValid    = "valid"
	StatusExpired  = "expired"
	StatusRevoked  = "revoked"
	StatusNotValid = "not-authentic" // not minted by this server's keys, or altered
)

// Inspection is what Inspect finds out about a token. It never holds the
// token itself.
type Inspection struct {
	TokenID     string    `json:"tokenId"`
	Status      string    `json:"status"`
	Domain      string    `json:"domain"`
	DomainOwner string    `json:"domainOwner"`
	Principal   string    `json:"principal"`
	Account     string    `json:"account"`
	IssuedAt    time.Time `json:"issuedAt"`
	Expires     time.Time `json:"expiration"`
	// RevokedBy is the revocation that revokes the token, if one does.
	RevokedBy *Revocation `json:"revokedBy,omitempty"`
}

// Revocation is a token revocation as the commands print it.
type Revocation struct {
	ID           int64     `json:"id"`
	TokenID      string    `json:"tokenId,omitempty"`
	Principal    string    `json:"principal,omitempty"`
	DomainOwner  string    `json:"domainOwner,omitempty"`
	Domain       string    `json:"domain,omitempty"`
	IssuedBefore time.Time `json:"issuedBefore"`
	Expires      time.Time `json:"expiration"`
	Reason       string    `json:"reason,omitempty"`
	Created      time.Time `json:"createdTime"`
}

func revocationOf(r store.Revocation) Revocation {
	return Revocation{
		ID: r.ID, TokenID: r.TokenID, Principal: r.PrincipalARN, DomainOwner: r.DomainOwner, Domain: r.Domain,
		IssuedBefore: r.IssuedBefore.UTC(), Expires: r.Expires.UTC(), Reason: r.Reason, Created: r.CreatedAt.UTC(),
	}
}

// Inspect says what tok is: who it was issued to, for which domain, until
// when, and whether the server at data would accept it now (valid,
// expired, revoked, or not-authentic when its keys did not sign it; the
// claims of a token that is not authentic are what it says, unverified).
func Inspect(ctx context.Context, data Dir, tok string, now time.Time) (Inspection, error) {
	st, err := openStore(ctx, data)
	if err != nil {
		return Inspection{}, err
	}
	defer st.Close()
	tokens, err := token.Load(ctx, st)
	if err != nil {
		return Inspection{}, err
	}
	status := StatusValid
	c, err := tokens.Authentic(tok)
	if errors.Is(err, token.ErrForged) {
		status = StatusNotValid
		c, err = token.Decode(tok)
	}
	if err != nil {
		return Inspection{}, errkind.Validationf("not an authorization token: %v", err)
	}
	in := Inspection{
		TokenID: c.ID.String(), Status: status, Domain: c.Domain, DomainOwner: c.DomainOwner,
		Principal: c.Principal, Account: c.Account, IssuedAt: c.IssuedAt, Expires: c.Expires,
	}
	if status != StatusValid {
		return in, nil
	}
	if !now.Before(c.Expires) {
		in.Status = StatusExpired
		return in, nil
	}
	revs, err := token.NewRevocations(ctx, st, func() time.Time { return now }, nil)
	if err != nil {
		return Inspection{}, err
	}
	if rv, ok := revs.Match(c); ok {
		r := revocationOf(rv)
		in.Status, in.RevokedBy = StatusRevoked, &r
	}
	return in, nil
}

// RevokeRequest says which tokens to revoke: exactly one of Token (the
// token itself), TokenID, or Principal (every token of that principal
// issued up to now, optionally only for one domain).
type RevokeRequest struct {
	Token       string
	TokenID     string
	Principal   string
	Domain      string
	DomainOwner string
	Reason      string
}

// Revoke records a revocation in the server at data. The running server
// refuses the tokens it revokes from its next request on.
//
//   - A token given itself must be authentic and unexpired; the revocation
//     lasts until the token expires.
//   - A token id (from `arca token inspect` or the audit log's tokenId)
//     is revoked whatever token it names; the revocation lasts the longest
//     a token lives, token.MaxLifetime.
//   - A principal's revocation revokes every token issued to it up to now
//     (all of a role's sessions for a role ARN), in every domain or in the
//     one Domain (and DomainOwner) names; tokens issued later work.
//
// Revoking a token already revoked is errkind.Conflict.
func Revoke(ctx context.Context, data Dir, req RevokeRequest, now time.Time) (Revocation, error) {
	st, err := openStore(ctx, data)
	if err != nil {
		return Revocation{}, err
	}
	defer st.Close()
	rv, err := revocationFor(ctx, st, req, now)
	if err != nil {
		return Revocation{}, err
	}
	// The revocation announces itself in its transaction: every server
	// over the store reloads its revocations on its next request.
	err = st.Update(ctx, func(q store.Queries) error {
		if err := q.CreateRevocation(ctx, &rv); err != nil {
			return err
		}
		return q.BumpGenerations(ctx, token.RevocationsChange)
	})
	if errors.Is(err, errkind.ErrConflict) {
		return Revocation{}, errkind.Conflictf("token %s is already revoked", rv.TokenID)
	}
	if err != nil {
		return Revocation{}, err
	}
	return revocationOf(rv), nil
}

// revocationFor builds the revocation req asks for.
func revocationFor(ctx context.Context, st store.Store, req RevokeRequest, now time.Time) (store.Revocation, error) {
	now = now.UTC().Truncate(time.Millisecond)
	rv := store.Revocation{IssuedBefore: now, Expires: now.Add(token.MaxLifetime), Reason: req.Reason, CreatedAt: now}
	given := 0
	for _, s := range []string{req.Token, req.TokenID, req.Principal} {
		if s != "" {
			given++
		}
	}
	if given != 1 {
		return rv, errkind.Validationf("give exactly one of a token, --token-id or --principal")
	}
	if (req.Domain != "" || req.DomainOwner != "") && req.Principal == "" {
		return rv, errkind.Validationf("--domain and --domain-owner limit a --principal revocation; a token names its domain")
	}
	switch {
	case req.Token != "":
		tokens, err := token.Load(ctx, st)
		if err != nil {
			return rv, err
		}
		c, err := tokens.Verify(req.Token, now)
		if err != nil {
			return rv, errkind.Validationf("the token cannot be revoked: %v", err)
		}
		rv.TokenID, rv.PrincipalARN, rv.DomainOwner, rv.Domain = c.ID.String(), c.Principal, c.DomainOwner, c.Domain
		rv.IssuedBefore, rv.Expires = c.IssuedAt, c.Expires
	case req.TokenID != "":
		id, err := token.ParseID(req.TokenID)
		if err != nil {
			return rv, err
		}
		rv.TokenID = id.String()
	default:
		if err := token.CheckPrincipalARN(req.Principal); err != nil {
			return rv, err
		}
		rv.PrincipalARN, rv.Domain, rv.DomainOwner = req.Principal, req.Domain, req.DomainOwner
	}
	return rv, nil
}

// ListRevocations returns the revocations in force in the server at data.
func ListRevocations(ctx context.Context, data Dir, now time.Time) ([]Revocation, error) {
	st, err := openStore(ctx, data)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	list, err := st.ListRevocations(ctx, now)
	if err != nil {
		return nil, err
	}
	out := make([]Revocation, len(list))
	for i, r := range list {
		out[i] = revocationOf(r)
	}
	return out, nil
}

// TokenCommand returns `arca token` and its subcommands, writing to out.
func TokenCommand(out, errOut io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Inspect and revoke authorization tokens",
		Long: `Inspect and revoke the authorization tokens of the server whose data directory
is --data (ARCA_DATA), or of the replicas whose shared database is --database
(ARCA_DATABASE), on the database directly. Safe while servers run, and a
revocation takes effect on each server's next request.

A token is read from the argument, or from standard input when the argument
is "-" or missing (so it stays out of the shell's history).`,
	}
	data := dataFlag(cmd)
	cmd.AddCommand(inspectCommand(out, data), revokeCommand(out, errOut, data), listRevocationsCommand(out, data))
	return cmd
}

func inspectCommand(out io.Writer, data *Dir) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "inspect [TOKEN|-]",
		Short: "Show who a token was issued to, for which domain, until when, and whether it works",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tok, err := tokenArg(cmd, args)
			if err != nil {
				return err
			}
			in, err := Inspect(cmd.Context(), *data, tok, time.Now())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(out, in)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "token id\t%s\nstatus\t%s\ndomain\t%s\ndomain owner\t%s\nprincipal\t%s\naccount\t%s\nissued\t%s\nexpires\t%s\n",
				in.TokenID, in.Status, in.Domain, in.DomainOwner, in.Principal, in.Account,
				in.IssuedAt.Format(time.RFC3339), in.Expires.Format(time.RFC3339))
			if r := in.RevokedBy; r != nil {
				fmt.Fprintf(tw, "revoked by\t#%d %s\n", r.ID, r.Reason)
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func revokeCommand(out, errOut io.Writer, data *Dir) *cobra.Command {
	var req RevokeRequest
	c := &cobra.Command{
		Use:   "revoke [TOKEN|-] | --token-id ID | --principal ARN [--domain D] [--domain-owner ACCOUNT]",
		Short: "Revoke one token, or every token a principal was issued until now",
		Long: `Revoke authorization tokens before they expire; the server refuses them (401)
from its next request on, whoever holds them.

  arca token revoke -                       the token on standard input
  arca token revoke --token-id ID           a token by its id (arca token inspect,
                                            or tokenId in the audit log)
  arca token revoke --principal ARN         every token issued to ARN until now:
                                            a root, user or role session ARN, or a
                                            role ARN for all the role's sessions;
                                            --domain limits it to one domain

Tokens issued after a principal's revocation work: to stop a principal for
good, delete its access keys or change its policies.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 || (req.TokenID == "" && req.Principal == "") {
				tok, err := tokenArg(cmd, args)
				if err != nil {
					return err
				}
				req.Token = tok
			}
			rv, err := Revoke(cmd.Context(), *data, req, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(errOut, "Revoked %s; the server refuses it from its next request.\n", describe(rv))
			return printJSON(out, rv)
		},
	}
	f := c.Flags()
	f.StringVar(&req.TokenID, "token-id", "", "the id of the token to revoke (32 hex digits)")
	f.StringVar(&req.Principal, "principal", "", "revoke every token issued to this principal ARN until now")
	f.StringVar(&req.Domain, "domain", "", "with --principal: only the tokens for this domain")
	f.StringVar(&req.DomainOwner, "domain-owner", "", "with --principal: only the tokens for domains of this owner")
	f.StringVar(&req.Reason, "reason", "", "why, recorded with the revocation")
	return c
}

// describe names what a revocation revokes, for a person.
func describe(r Revocation) string {
	if r.TokenID != "" {
		return "token " + r.TokenID
	}
	s := "every token issued to " + r.Principal + " until " + r.IssuedBefore.Format(time.RFC3339)
	if r.Domain != "" {
		s += " for domain " + r.Domain
	}
	if r.DomainOwner != "" {
		s += " of " + r.DomainOwner
	}
	return s
}

func listRevocationsCommand(out io.Writer, data *Dir) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list-revocations",
		Short: "List the revocations in force (those whose tokens may not have expired yet)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			list, err := ListRevocations(cmd.Context(), *data, time.Now())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(out, map[string]any{"revocations": list})
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tREVOKES\tUNTIL\tREASON")
			for _, r := range list {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", r.ID, describe(r), r.Expires.Format(time.RFC3339), r.Reason)
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// tokenArg returns the token of the argument, or read from standard input
// when the argument is "-" or missing.
func tokenArg(cmd *cobra.Command, args []string) (string, error) {
	if len(args) == 1 && args[0] != "-" {
		return strings.TrimSpace(args[0]), nil
	}
	line, err := bufio.NewReader(io.LimitReader(cmd.InOrStdin(), 64<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if tok := strings.TrimSpace(line); tok != "" {
		return tok, nil
	}
	return "", errkind.Validationf("no token: give it as the argument or on standard input")
}

func printJSON(out io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", b)
	return err
}
