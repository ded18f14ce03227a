package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/middleware"
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
	id        string
	CSRF      string
	Principal identity.Principal
	// ResetRequired holds a user whose password must change before any
	// other page.
	ResetRequired bool
	created       time.Time
	lastSeen      time.Time
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

// sessions are the live sessions, in the process.
type sessions struct {
	mu        sync.Mutex
	m         map[string]*session
	now       func() time.Time
	idle, max time.Duration
}

func newSessions(now func() time.Time, idle, max time.Duration) *sessions {
	return &sessions{m: map[string]*session{}, now: now, idle: idle, max: max}
}

// randomToken returns 32 random bytes, base64url.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// start makes a session for p.
func (ss *sessions) start(p identity.Principal, reset bool) *session {
	now := ss.now()
	s := &session{id: randomToken(), CSRF: randomToken(), Principal: p, ResetRequired: reset, created: now, lastSeen: now}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweep(now)
	ss.m[s.id] = s
	c := *s
	return &c
}

// get returns a copy of the live session of id and marks it used now; an
// idle or too old one ends here.
func (ss *sessions) get(id string) (*session, bool) {
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[id]
	if !ok {
		return nil, false
	}
	if ss.expired(s, now) {
		delete(ss.m, id)
		return nil, false
	}
	s.lastSeen = now
	c := *s
	return &c, true
}

func (ss *sessions) expired(s *session, now time.Time) bool {
	return now.Sub(s.lastSeen) >= ss.idle || now.Sub(s.created) >= ss.max
}

// sweep drops expired sessions; the caller holds mu.
func (ss *sessions) sweep(now time.Time) {
	for id, s := range ss.m {
		if ss.expired(s, now) {
			delete(ss.m, id)
		}
	}
}

func (ss *sessions) end(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, id)
}

// update changes a live session under the lock.
func (ss *sessions) update(id string, fn func(s *session)) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if s, ok := ss.m[id]; ok {
		fn(s)
	}
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
		ck, err := r.Cookie(sessionCookie)
		var s *session
		ok := false
		if err == nil {
			s, ok = c.sessions.get(ck.Value)
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
			c.sessions.end(s.id)
			setCookie(w, r, sessionCookie, "", -1)
			http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
			return
		}
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
	mu  sync.Mutex
	now func() time.Time
	m   map[string]*window
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
	if len(t.m) >= maxThrottleKeys {
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

// clientIP is the request's client address for throttling.
func clientIP(r *http.Request) string {
	if cl, ok := middleware.ClientFrom(r.Context()); ok && cl.IP != "" {
		return cl.IP
	}
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return host
}
