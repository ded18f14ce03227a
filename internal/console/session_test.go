package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/store/sqlite"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestSessionExpiry(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "arca.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	ss := &sessions{st: st, now: c.now, idle: 30 * time.Minute, max: 12 * time.Hour}
	root := identity.Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:root", UserID: "111122223333"}
	start := func() *session {
		s, err := ss.start(ctx, root, false)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	live := func(s *session) bool {
		_, ok, err := ss.get(ctx, s.token)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	s := start()
	if len(s.token) < 43 || s.token == s.CSRF || s.id == s.token {
		t.Fatalf("session token %q, id %q, CSRF %q", s.token, s.id, s.CSRF)
	}
	if stored, err := st.GetConsoleSession(ctx, s.id); err != nil || stored.PrincipalARN != root.ARN {
		t.Fatalf("the store holds %+v (%v)", stored, err)
	}
	// Used every 29 minutes, it lives; 12 hours after sign-in it ends.
	for i := 0; i < 24; i++ {
		c.t = c.t.Add(29 * time.Minute)
		if !live(s) {
			t.Fatalf("the session ended after %d uses 29 minutes apart", i+1)
		}
	}
	c.t = c.t.Add(29 * time.Minute) // 12h05m after sign-in
	if live(s) {
		t.Fatal("the session outlived its maximum lifetime")
	}
	s = start()
	c.t = c.t.Add(30 * time.Minute)
	if live(s) {
		t.Fatal("an idle session lived on")
	}
	s = start()
	if err := ss.end(ctx, s.id); err != nil {
		t.Fatal(err)
	}
	if live(s) {
		t.Fatal("an ended session lived on")
	}
	if _, ok, _ := ss.get(ctx, s.id); ok {
		t.Fatal("the store's key works as a cookie")
	}
}

func TestThrottle(t *testing.T) {
	c := &clock{t: time.Unix(1_700_000_000, 0)}
	th := newThrottle(c.now)
	for i := 0; i < maxFailures; i++ {
		if !th.allowed("user:a", maxFailures) {
			t.Fatalf("refused after %d failures", i)
		}
		th.failed("user:a")
	}
	if th.allowed("user:a", maxFailures) {
		t.Fatal("allowed after maxFailures failures")
	}
	if !th.allowed("user:b", maxFailures) {
		t.Fatal("another key is throttled")
	}
	c.t = c.t.Add(failureWindow)
	if !th.allowed("user:a", maxFailures) {
		t.Fatal("still refused after the window")
	}
	th.failed("user:a")
	th.succeeded("user:a")
	if !th.allowed("user:a", 1) {
		t.Fatal("a success did not forget the failures")
	}
}

func TestNext(t *testing.T) {
	for in, want := range map[string]string{
		"/console/domains": "/console/domains", "": "/console/", "https://evil.example/": "/console/",
		"//evil.example/console/": "/console/", "/console/\\evil": "/console/", "/healthz": "/console/",
	} {
		if got := next(in); got != want {
			t.Errorf("next(%q) = %q, want %q", in, got, want)
		}
	}
}

// The session cookie is Secure when the client came over TLS, and only
// then.
func TestCookieSecureBehindTLS(t *testing.T) {
	for _, tls := range []bool{false, true} {
		r := httptest.NewRequest("GET", "http://arca.example/console/", nil)
		if tls {
			r = httptest.NewRequest("GET", "https://arca.example/console/", nil)
		}
		w := httptest.NewRecorder()
		setCookie(w, r, sessionCookie, "v", 0)
		c := w.Result().Cookies()[0]
		if c.Secure != tls || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/console/" {
			t.Errorf("over TLS %v: cookie %+v", tls, c)
		}
	}
	r := httptest.NewRequest("GET", "http://arca.example/console/", nil)
	r = r.WithContext(middleware.WithClient(r.Context(), middleware.Client{IP: "203.0.113.9", Secure: true}))
	w := httptest.NewRecorder()
	setCookie(w, r, sessionCookie, "v", 0)
	if !w.Result().Cookies()[0].Secure {
		t.Error("behind a trusted proxy that terminated TLS, the cookie is not Secure")
	}
}
