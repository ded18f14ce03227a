package token

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// ErrRevoked is the error of a token that was revoked. It is
// Unauthenticated, so package endpoints answer 401 and clients know to get
// a new token.
var ErrRevoked = errkind.Unauthf("The authorization token has been revoked. Get a new one with aws codeartifact get-authorization-token (or login).")

// RevocationStore is what revocations need from the metadata store.
type RevocationStore interface {
	ListRevocations(ctx context.Context, t time.Time) ([]store.Revocation, error)
	RevocationGeneration(ctx context.Context) (int64, error)
	DeleteExpiredRevocations(ctx context.Context, t time.Time) (int64, error)
}

// Revocations answers whether a token was revoked.
//
// The revocations in force are held in memory and reloaded when the
// store's revocation generation changes. Check asks the store for the
// generation before it answers, so a revocation written by another
// process (`arca token revoke`, or another replica) takes effect on the
// next request. That one cheap query is shared: requests that arrive
// while a check is under way wait for the next one rather than each
// running their own, so under load the store sees one generation query at
// a time, however many requests there are.
//
// A server does without even that query (UseGenerations): whoever revokes
// moves the change counter RevocationsChange in the revocation's
// transaction, and the server's counters, kept in step with the store as
// each request is authenticated, say when to reload.
type Revocations struct {
	st  RevocationStore
	now func() time.Time
	log *slog.Logger

	set    atomic.Pointer[revocationSet]
	loadMu sync.Mutex

	// syncMu serialises generation checks; synced is when the last
	// completed one started (with a monotonic reading).
	syncMu sync.Mutex
	synced time.Time

	// gens, when set, says when the revocations changed without a
	// query; seen is its counter when they were last loaded.
	gens Generations
	seen atomic.Uint64
}

// RevocationsChange names the change counter that every writer of
// revocations moves in the revocation's transaction.
const RevocationsChange = "revocations"

// Generations are change counters kept in step with the store (package
// generation).
type Generations interface {
	Load(name string) uint64
}

// UseGenerations makes Check reload the revocations when g's counter
// RevocationsChange moves, rather than ask the store on every request.
// The caller keeps g in step with the store before Check is called.
func (r *Revocations) UseGenerations(g Generations) {
	r.gens = g
	r.seen.Store(g.Load(RevocationsChange))
}

// pruneInterval is how often Watch removes expired revocations.
const pruneInterval = time.Hour

// revocationSet is an immutable snapshot of the revocations in force.
type revocationSet struct {
	gen    int64
	tokens map[ID]store.Revocation
	// principals maps a principal ARN, or the session prefix of a role
	// ("arn:aws:sts::ACCOUNT:assumed-role/NAME/"), to its revocations.
	principals map[string][]store.Revocation
}

func (s *revocationSet) empty() bool { return len(s.tokens) == 0 && len(s.principals) == 0 }

// NewRevocations loads the revocations in force from st.
func NewRevocations(ctx context.Context, st RevocationStore, now func() time.Time, log *slog.Logger) (*Revocations, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Revocations{st: st, now: now, log: log}
	r.set.Store(&revocationSet{gen: -1})
	if err := r.Refresh(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

// Check returns ErrRevoked if c's token is revoked, else nil. It first
// makes sure the revocations in memory are at least as recent as the
// moment Check was called; if the store cannot say, the token is refused
// (with an Unavailable error) rather than let through.
func (r *Revocations) Check(ctx context.Context, c Claims) error {
	if err := r.sync(ctx); err != nil {
		return errkind.Wrap(errkind.Unavailable, err, "The authorization token could not be checked; try again.")
	}
	if _, ok := r.Match(c); ok {
		return ErrRevoked
	}
	return nil
}

// sync refreshes the revocations unless a check that started after sync
// was called has already completed: one query serves every request that
// was waiting for it.
func (r *Revocations) sync(ctx context.Context) error {
	if r.gens != nil {
		// The counter is read before the reload: a revocation committed
		// meanwhile moves it again, and the next check reloads.
		gen := r.gens.Load(RevocationsChange)
		if gen == r.seen.Load() {
			return nil
		}
		if err := r.Refresh(ctx); err != nil {
			return err
		}
		r.seen.Store(gen)
		return nil
	}
	arrived := time.Now()
	r.syncMu.Lock()
	defer r.syncMu.Unlock()
	if r.synced.After(arrived) {
		return nil
	}
	started := time.Now()
	if err := r.Refresh(ctx); err != nil {
		return err
	}
	r.synced = started
	return nil
}

// Match returns the revocation that revokes c's token, if one does.
func (r *Revocations) Match(c Claims) (store.Revocation, bool) {
	s := r.set.Load()
	if s.empty() {
		return store.Revocation{}, false
	}
	if rv, ok := s.tokens[c.ID]; ok {
		return rv, true
	}
	if rv, ok := matchPrincipal(s.principals[c.Principal], c); ok {
		return rv, true
	}
	if prefix, ok := sessionPrefix(c.Principal); ok {
		return matchPrincipal(s.principals[prefix], c)
	}
	return store.Revocation{}, false
}

func matchPrincipal(list []store.Revocation, c Claims) (store.Revocation, bool) {
	for _, rv := range list {
		if (rv.DomainOwner == "" || rv.DomainOwner == c.DomainOwner) &&
			(rv.Domain == "" || rv.Domain == c.Domain) &&
			!c.IssuedAt.After(rv.IssuedBefore) {
			return rv, true
		}
	}
	return store.Revocation{}, false
}

// sessionPrefix returns "arn:aws:sts::ACCOUNT:assumed-role/ROLE/" for the
// ARN of a role session, the key under which the role's revocations are
// kept.
func sessionPrefix(principal string) (string, bool) {
	if !strings.Contains(principal, ":assumed-role/") {
		return "", false
	}
	i := strings.LastIndexByte(principal, '/')
	return principal[:i+1], true
}

// principalKey returns the key a revocation of principal is kept under: a
// role's ARN (arn:aws:iam::ACCOUNT:role/PATH/NAME) becomes the prefix of
// its sessions' ARNs; any other ARN is itself.
func principalKey(principal string) string {
	parts := strings.SplitN(principal, ":", 6) // arn PARTITION iam "" ACCOUNT role/PATH/NAME
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[3] != "" || !strings.HasPrefix(parts[5], "role/") {
		return principal
	}
	name := parts[5][strings.LastIndexByte(parts[5], '/')+1:]
	return "arn:" + parts[1] + ":sts::" + parts[4] + ":assumed-role/" + name + "/"
}

// CheckPrincipalARN checks that s names a principal whose tokens can be
// revoked: an account root (arn:aws:iam::ACCOUNT:root), a user
// (arn:aws:iam::ACCOUNT:user/PATH/NAME), a role, for all its sessions
// (arn:aws:iam::ACCOUNT:role/PATH/NAME), or one role session
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION).
func CheckPrincipalARN(s string) error {
	parts := strings.SplitN(s, ":", 6)
	bad := errkind.Validationf("%q is not the ARN of a root, user, role or role session", s)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[3] != "" || !arn.IsAccountID(parts[4]) {
		return bad
	}
	res := parts[5]
	switch parts[2] {
	case "iam":
		if res == "root" {
			return nil
		}
		for _, kind := range []string{"user/", "role/"} {
			if name, ok := strings.CutPrefix(res, kind); ok && name != "" && !strings.HasSuffix(name, "/") {
				return nil
			}
		}
	case "sts":
		if rest, ok := strings.CutPrefix(res, "assumed-role/"); ok {
			role, session, ok := strings.Cut(rest, "/")
			if ok && role != "" && session != "" && !strings.Contains(session, "/") {
				return nil
			}
		}
	}
	return bad
}

// Refresh reloads the revocations if the store's generation changed since
// the last load.
func (r *Revocations) Refresh(ctx context.Context) error {
	gen, err := r.st.RevocationGeneration(ctx)
	if err != nil {
		return err
	}
	if gen == r.set.Load().gen {
		return nil
	}
	return r.load(ctx, gen)
}

func (r *Revocations) load(ctx context.Context, gen int64) error {
	r.loadMu.Lock()
	defer r.loadMu.Unlock()
	if gen == r.set.Load().gen {
		return nil
	}
	list, err := r.st.ListRevocations(ctx, r.now())
	if err != nil {
		return err
	}
	s := &revocationSet{gen: gen, tokens: map[ID]store.Revocation{}, principals: map[string][]store.Revocation{}}
	for _, rv := range list {
		if rv.TokenID != "" {
			if id, err := ParseID(rv.TokenID); err == nil {
				s.tokens[id] = rv
			}
			continue
		}
		k := principalKey(rv.PrincipalARN)
		s.principals[k] = append(s.principals[k], rv)
	}
	r.set.Store(s)
	return nil
}

// Len returns how many revocations are in force in memory.
func (r *Revocations) Len() int {
	s := r.set.Load()
	n := len(s.tokens)
	for _, l := range s.principals {
		n += len(l)
	}
	return n
}

// Watch prunes expired revocations from the store when it starts and
// every hour until ctx ends, then reloads, dropping them from memory.
func (r *Revocations) Watch(ctx context.Context) {
	tick := time.NewTicker(pruneInterval)
	defer tick.Stop()
	for {
		r.prune(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// prune removes expired revocations from the store and from memory.
func (r *Revocations) prune(ctx context.Context) {
	n, err := r.st.DeleteExpiredRevocations(ctx, r.now())
	if err != nil {
		if ctx.Err() == nil {
			r.log.Warn("pruning expired token revocations", "error", err)
		}
		return
	}
	if n > 0 {
		r.log.Info("pruned expired token revocations", "count", n)
	}
	if err := r.Refresh(ctx); err != nil && ctx.Err() == nil {
		r.log.Warn("reloading token revocations", "error", err)
	}
}
