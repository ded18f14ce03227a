package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/store"
)

// Cookie names. The session cookie is scoped to /console/, so no other
// surface of the server ever receives it.
const (
	sessionCookie = "arca_console"
	signInCookie  = "arca_console_signin" // the sign-in forms' CSRF token
	cookiePath    = "/console/"
)

// session is a signed-in browser.
type session struct {
	id string // the store's key: the SHA-256 of the cookie's token
	// token is the cookie's value; set only when the session starts.
	token     string
	CSRF      string
	Principal identity.Principal
	// ResetRequired holds a user whose password must change before any
	// other page.
	ResetRequired bool
}

// Who names the session's principal for the page header.
func (s *session) Who() string {
	if s.Principal.IsRoot() {
		return "root (" + s.Principal.Account + ")"
	}
	if s.Principal.UserName != "" {
		return s.Principal.UserName + " (" + s.Principal.Account + ")"
	}
	return s.Principal.ARN
}

// SessionStore keeps the sessions (package store), so that every replica
// knows every session.
type SessionStore interface {
	CreateConsoleSession(ctx context.Context, s store.ConsoleSession) error
	GetConsoleSession(ctx context.Context, id string) (store.ConsoleSession, error)
	TouchConsoleSession(ctx context.Context, id string, at time.Time) error
	SetConsoleSessionReset(ctx context.Context, id string, reset bool) error
	DeleteConsoleSession(ctx context.Context, id string) error
	DeleteExpiredConsoleSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error)
}

// touchEvery is how often a session in use records that it is: idle
// expiry is exact to that, and a page view writes at most that often.
const touchEvery = time.Minute

// sessions are the live sessions.
type sessions struct {
	st        SessionStore
	now       func() time.Time
	idle, max time.Duration
}

// randomToken returns 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sessionID is the store's key of a cookie's token.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// start makes a session for p (after removing expired ones).
func (ss *sessions) start(ctx context.Context, p identity.Principal, reset bool) (*session, error) {
	now := ss.now().UTC().Truncate(time.Millisecond)
	if _, err := ss.st.DeleteExpiredConsoleSessions(ctx, now.Add(-ss.idle), now.Add(-ss.max)); err != nil {
		return nil, err
	}
	token := randomToken()
	s := &session{id: sessionID(token), token: token, CSRF: randomToken(), Principal: p, ResetRequired: reset}
	err := ss.st.CreateConsoleSession(ctx, store.ConsoleSession{ID: s.id, AccountID: p.Account, PrincipalARN: p.ARN, UserID: p.UserID,
		CSRF: s.CSRF, ResetRequired: reset, CreatedAt: now, LastSeen: now})
	return s, err
}

// get returns the live session of a cookie's token, marking it used; an
// idle or too old one ends here. The session's Principal names it by ARN
// and user id only (Directory.Active completes it).
func (ss *sessions) get(ctx context.Context, token string) (*session, bool, error) {
	if token == "" {
		return nil, false, nil
	}
	st, err := ss.st.GetConsoleSession(ctx, sessionID(token))
	if errors.Is(err, errkind.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	now := ss.now()
	if now.Sub(st.LastSeen) >= ss.idle || now.Sub(st.CreatedAt) >= ss.max {
		return nil, false, ss.end(ctx, st.ID)
	}
	if now.Sub(st.LastSeen) >= touchEvery {
		if err := ss.st.TouchConsoleSession(ctx, st.ID, now.UTC().Truncate(time.Millisecond)); err != nil && !errors.Is(err, errkind.ErrNotFound) {
			return nil, false, err
		}
	}
	return &session{id: st.ID, CSRF: st.CSRF, ResetRequired: st.ResetRequired,
		Principal: identity.Principal{Account: st.AccountID, ARN: st.PrincipalARN, UserID: st.UserID}}, true, nil
}

// end ends a session; one already gone is no error.
func (ss *sessions) end(ctx context.Context, id string) error {
	if err := ss.st.DeleteConsoleSession(ctx, id); err != nil && !errors.Is(err, errkind.ErrNotFound) {
		return err
	}
	return nil
}

// passwordChanged lets a session whose password had to change go on.
func (ss *sessions) passwordChanged(ctx context.Context, id string) error {
	return ss.st.SetConsoleSessionReset(ctx, id, false)
}

// secure reports whether the client reached the server over TLS (itself
// or through a trusted proxy): only then are cookies marked Secure.
func secure(r *http.Request) bool {
	if cl, ok := middleware.ClientFrom(r.Context()); ok {
		return cl.Secure
	}
	return r.TLS != nil
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: cookiePath, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r)})
}

// sameToken compares two tokens in constant time; an empty one matches
// nothing.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// maxForm bounds a console form's body.
const maxForm = 64 << 10

// handlerFunc is a page or action of a signed-in session.
type handlerFunc func(w http.ResponseWriter, r *http.Request, s *session)

// Options of session.
const (
	// allowReset serves the page to a session that must change its
	// password first.
	allowReset = 1 << iota
)

// session wraps h: it finds the request's session (else sends the browser
// to sign in), checks that its principal still exists, checks the CSRF
// token of a POST, and holds a session that must change its password on
// the password page.
func (c *Console) session(h handlerFunc, opts int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var s *session
		ok := false
		if ck, err := r.Cookie(sessionCookie); err == nil {
			if s, ok, err = c.sessions.get(r.Context(), ck.Value); err != nil {
				c.fail(w, r, nil, err)
				return
			}
		}
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/console/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			c.fail(w, r, nil, errkind.Unauthf("Your session has ended. Sign in again."))
			return
		}
		p, err := c.dir.Active(r.Context(), s.Principal.ARN)
		if err != nil || p.UserID != s.Principal.UserID {
			// Deleted (or deleted and created again): the session ends.
			if err := c.sessions.end(r.Context(), s.id); err != nil {
				c.fail(w, r, nil, err)
				return
			}
			setCookie(w, r, sessionCookie, "", -1)
			http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
			return
		}
		s.Principal = p
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		}
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue("csrf"), s.CSRF) {
			c.fail(w, r, s, errkind.Deniedf("The form's security token is missing or stale. Reload the page and try again."))
			return
		}
		if s.ResetRequired && opts&allowReset == 0 {
			http.Redirect(w, r, "/console/password", http.StatusSeeOther)
			return
		}
		h(w, r, s)
	}
}

// --- throttling sign-in ---

// Throttling: a client address and a user (or access key) get maxFailures
// failed sign-ins per failureWindow.
const (
	maxFailures       = 5
	maxFailuresPerIP  = 20
	failureWindow     = 5 * time.Minute
	maxThrottleKeys   = 100_000
	errTooManyAttempt = "Too many failed sign-in attempts. Wait a few minutes and try again."
)

// throttle counts failed sign-ins per key in fixed windows.
type throttle struct {
	mu     sync.Mutex
	now    func() time.Time
	m      map[string]*window
	pruned time.Time // when failed last dropped lapsed windows
}

type window struct {
	start    time.Time
	failures int
}

func newThrottle(now func() time.Time) *throttle {
	return &throttle{now: now, m: map[string]*window{}}
}

// allowed reports whether key may try again (fewer than limit failures in
// its current window).
func (t *throttle) allowed(key string, limit int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	w, ok := t.m[key]
	if !ok || t.now().Sub(w.start) >= failureWindow {
		return true
	}
	return w.failures < limit
}

// failed counts a failure of key.
func (t *throttle) failed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	// Lapsed windows are dropped when the map is full, at most once a
	// second: a map full of live windows is not rescanned on every failure.
	if len(t.m) >= maxThrottleKeys && now.Sub(t.pruned) >= time.Second {
		t.pruned = now
		for k, w := range t.m {
			if now.Sub(w.start) >= failureWindow {
				delete(t.m, k)
			}
		}
	}
	w, ok := t.m[key]
	if !ok || now.Sub(w.start) >= failureWindow {
		w = &window{start: now}
		t.m[key] = w
	}
	w.failures++
}

// succeeded forgets key's failures.
func (t *throttle) succeeded(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, key)
}
