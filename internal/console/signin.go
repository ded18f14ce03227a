package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/middleware"
)

// signInData is the sign-in page's.
type signInData struct {
	CSRF    string
	Next    string
	Account string
	User    string
	KeyID   string
}

// next is where to go after signing in: a console path, nothing else.
func next(v string) string {
	if !strings.HasPrefix(v, "/console/") || strings.HasPrefix(v, "//") || strings.ContainsAny(v, "\\\r\n") {
		return "/console/"
	}
	return v
}

func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	c.renderSignIn(w, r, http.StatusOK, signInData{Next: next(r.URL.Query().Get("next"))}, "")
}

// renderSignIn shows the sign-in forms with a fresh CSRF cookie.
func (c *Console) renderSignIn(w http.ResponseWriter, r *http.Request, status int, d signInData, msg string) {
	d.CSRF = randomToken()
	setCookie(w, r, signInCookie, d.CSRF, 0)
	c.render(w, r, status, "signin", page{Title: "Sign in", Error: msg, Data: d})
}

// signIn serves both sign-in forms: an IAM user's (account, user name,
// password) and the root's (access key id, secret access key).
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	d := signInData{Next: next(r.PostFormValue("next")), Account: strings.TrimSpace(r.PostFormValue("account")),
		User: strings.TrimSpace(r.PostFormValue("user")), KeyID: strings.TrimSpace(r.PostFormValue("accessKeyId"))}
	ck, err := r.Cookie(signInCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), ck.Value) {
		c.renderSignIn(w, r, http.StatusForbidden, d, "The form's security token is missing or stale. Try again.")
		return
	}
	rec := audit.From(r.Context())
	rec.Call(audit.SourceSignIn, "ConsoleLogin")
	root := r.PostFormValue("kind") == "root"
	var who string // the throttling key of the identity claimed
	if root {
		who = "key:" + d.KeyID
		rec.Extra("accessKeyId", d.KeyID)
	} else {
		who = "user:" + d.Account + "/" + strings.ToLower(d.User)
		rec.Param("userName", d.User)
		rec.Param("accountId", d.Account)
		if arn.IsAccountID(d.Account) && d.User != "" && len(d.User) <= 64 {
			// A failed attempt names the user claimed, so that it is
			// logged on its own rather than summarised with strangers.
			rec.SetPrincipal(identity.Principal{Account: d.Account, ARN: identity.UserARN(d.Account, "/", d.User)})
		}
	}
	ip := "ip:" + middleware.ClientIP(r)
	if !c.throttle.allowed(ip, maxFailuresPerIP) || !c.throttle.allowed(who, maxFailures) {
		rec.Response(map[string]any{"ConsoleLogin": "Failure"})
		rec.Fail("Throttling", errTooManyAttempt)
		c.renderSignIn(w, r, http.StatusTooManyRequests, d, errTooManyAttempt)
		return
	}
	var p identity.Principal
	reset := false
	if root {
		p, err = c.dir.SignInRoot(r.Context(), d.KeyID, r.PostFormValue("secretAccessKey"))
	} else {
		p, reset, err = c.dir.SignIn(r.Context(), d.Account, d.User, r.PostFormValue("password"))
	}
	if err != nil {
		rec.Response(map[string]any{"ConsoleLogin": "Failure"})
		if !errors.Is(err, identity.ErrSignIn) {
			rec.Fail("InternalFailure", "An internal error occurred.")
			c.fail(w, r, nil, err)
			return
		}
		rec.Fail("Failed authentication", "Failed authentication")
		c.throttle.failed(ip)
		c.throttle.failed(who)
		c.renderSignIn(w, r, http.StatusUnauthorized, d, identity.ErrSignIn.Error())
		return
	}
	c.throttle.succeeded(who)
	rec.SetPrincipal(p)
	rec.Response(map[string]any{"ConsoleLogin": "Success"})
	s, err := c.sessions.start(r.Context(), p, reset)
	if err != nil {
		c.fail(w, r, nil, err)
		return
	}
	setCookie(w, r, sessionCookie, s.token, 0)
	setCookie(w, r, signInCookie, "", -1)
	if reset {
		http.Redirect(w, r, "/console/password", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// signOut ends the session (its CSRF token required, so no other site can
// sign a user out).
func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(sessionCookie); err == nil {
		s, ok, err := c.sessions.get(r.Context(), ck.Value)
		if err != nil {
			c.fail(w, r, nil, err)
			return
		}
		if ok {
			if !sameToken(r.PostFormValue("csrf"), s.CSRF) {
				c.fail(w, r, nil, errkind.Deniedf("The form's security token is missing or stale. Reload the page and try again."))
				return
			}
			if err := c.sessions.end(r.Context(), s.id); err != nil {
				c.fail(w, r, nil, err)
				return
			}
		}
	}
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
}

func (c *Console) passwordPage(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderPassword(w, r, s, http.StatusOK, "")
}

func (c *Console) renderPassword(w http.ResponseWriter, r *http.Request, s *session, status int, msg string) {
	c.render(w, r, status, "password", page{Title: "Change password", Session: s, Error: msg,
		Crumbs: []link{{"Change password", ""}}})
}

// changePassword changes a user's own password (Directory.ChangePassword:
// the current password proves it). A password the account's policy
// requires to be reset may be changed without iam:ChangePassword, as the
// user could do nothing else; a voluntary change needs the permission, as
// the API's ChangePassword does.
func (c *Console) changePassword(w http.ResponseWriter, r *http.Request, s *session) {
	if s.Principal.Kind != identity.KindUser {
		c.renderPassword(w, r, s, http.StatusBadRequest, "Only IAM users have a console password; the root signs in with its access key.")
		return
	}
	audit.From(r.Context()).Call(audit.SourceIAM, "ChangePassword")
	audit.From(r.Context()).SetPrincipal(s.Principal)
	if !s.ResetRequired {
		if err := c.authz.Authorize(r.Context(), authz.Request{Principal: s.Principal, Action: "iam:ChangePassword", Resource: s.Principal.ARN}); err != nil {
			c.fail(w, r, s, err)
			return
		}
	}
	newPassword := r.PostFormValue("newPassword")
	if newPassword != r.PostFormValue("confirmPassword") {
		c.renderPassword(w, r, s, http.StatusBadRequest, "The new passwords do not match.")
		return
	}
	if err := c.dir.ChangePassword(r.Context(), s.Principal, r.PostFormValue("oldPassword"), newPassword); err != nil {
		e := errkind.As(err)
		if e.Kind == errkind.Internal {
			c.fail(w, r, s, err)
			return
		}
		audit.From(r.Context()).Fail(e.Kind.String(), e.Message)
		c.renderPassword(w, r, s, http.StatusBadRequest, e.Message)
		return
	}
	if err := c.sessions.passwordChanged(r.Context(), s.id); err != nil {
		c.fail(w, r, s, err)
		return
	}
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}
