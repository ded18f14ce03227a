package identity

import (
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/errkind"
)

func TestPasswordHash(t *testing.T) {
	h := HashPassword("Corr3ct horse")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry the documented parameters", h)
	}
	if h == HashPassword("Corr3ct horse") {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if !VerifyPassword(h, "Corr3ct horse") || VerifyPassword(h, "Corr3ct horsE") || VerifyPassword(h, "") {
		t.Fatal("VerifyPassword does not tell the password from others")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=8,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", h + "$"} {
		if VerifyPassword(bad, "Corr3ct horse") {
			t.Errorf("VerifyPassword(%q) matched", bad)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	for pw, ok := range map[string]bool{
		"Abcdefg1": true, "abcdefg1!": true, "ABCDEFG!1": true,
		"Abc1!": false, "abcdefgh1": false, "abcdefghij": false, strings.Repeat("Aa1", 43): false,
	} {
		err := CheckPassword(pw)
		if (err == nil) != ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", pw, err, ok)
		}
		if err != nil && errkind.As(err).Reason != ReasonPasswordPolicy {
			t.Errorf("CheckPassword(%q) reason %q", pw, errkind.As(err).Reason)
		}
	}
}

func TestLoginProfiles(t *testing.T) {
	f := newFixture(t)
	f.userWithKey("alice", "/")
	_, _, err := f.d.SignIn(f.ctx, acct, "alice", "Passw0rd!")
	wantErr(t, err, ErrSignIn, "", "sign-in without a profile")
	_, err = f.d.CreateLoginProfile(f.ctx, acct, "alice", "short", false)
	wantErr(t, err, errkind.ErrValidation, ReasonPasswordPolicy, "a weak password")
	_, err = f.d.CreateLoginProfile(f.ctx, acct, "nobody", "Passw0rd!", false)
	wantErr(t, err, errkind.ErrNotFound, "", "a missing user")
	p, err := f.d.CreateLoginProfile(f.ctx, acct, "alice", "Passw0rd!", true)
	f.must(err)
	if strings.Contains(p.PasswordHash, "Passw0rd") || !p.PasswordResetRequired {
		t.Fatalf("profile %+v", p)
	}
	_, err = f.d.CreateLoginProfile(f.ctx, acct, "alice", "Passw0rd!", false)
	wantErr(t, err, errkind.ErrConflict, "", "a second profile")

	who, reset, err := f.d.SignIn(f.ctx, acct, "ALICE", "Passw0rd!")
	f.must(err)
	if who.Kind != KindUser || who.UserName != "alice" || !reset {
		t.Fatalf("SignIn = %+v, reset %v", who, reset)
	}
	_, _, err = f.d.SignIn(f.ctx, acct, "alice", "passw0rd!")
	wantErr(t, err, ErrSignIn, "", "a wrong password")
	_, _, err = f.d.SignIn(f.ctx, other, "alice", "Passw0rd!")
	wantErr(t, err, ErrSignIn, "", "another account")

	wantErr(t, f.d.ChangePassword(f.ctx, who, "wrong", "N3w-passw0rd"), errkind.ErrAccessDenied, "", "a wrong old password")
	wantErr(t, f.d.ChangePassword(f.ctx, f.root, "Passw0rd!", "N3w-passw0rd"), errkind.ErrValidation, ReasonInvalidUserType, "the root")
	wantErr(t, f.d.ChangePassword(f.ctx, who, "Passw0rd!", "weak"), errkind.ErrValidation, ReasonPasswordPolicy, "a weak new password")
	f.must(f.d.ChangePassword(f.ctx, who, "Passw0rd!", "N3w-passw0rd"))
	if _, reset, err = f.d.SignIn(f.ctx, acct, "alice", "N3w-passw0rd"); err != nil || reset {
		t.Fatalf("after ChangePassword: reset %v, %v", reset, err)
	}

	yes := true
	pw := "Th1rd-password"
	f.must(f.d.UpdateLoginProfile(f.ctx, acct, "alice", &pw, &yes))
	if _, reset, err = f.d.SignIn(f.ctx, acct, "alice", pw); err != nil || !reset {
		t.Fatalf("after UpdateLoginProfile: reset %v, %v", reset, err)
	}
	wantErr(t, f.d.DeleteUser(f.ctx, acct, "alice"), errkind.ErrConflict, ReasonDeleteConflict, "deleting a user with keys and a profile")
	f.must(f.d.DeleteLoginProfile(f.ctx, acct, "alice"))
	wantErr(t, f.d.DeleteLoginProfile(f.ctx, acct, "alice"), errkind.ErrNotFound, "", "deleting it twice")
	_, _, err = f.d.SignIn(f.ctx, acct, "alice", pw)
	wantErr(t, err, ErrSignIn, "", "sign-in after the profile is gone")
}

func TestSignInRoot(t *testing.T) {
	f := newFixture(t)
	p, err := f.d.SignInRoot(f.ctx, "AKIAROOTAAAAAAAAAAAA", "root-secret-aaaaaaaa")
	f.must(err)
	if !p.IsRoot() || p.Account != acct {
		t.Fatalf("SignInRoot = %+v", p)
	}
	_, err = f.d.SignInRoot(f.ctx, "AKIAROOTAAAAAAAAAAAA", "root-secret-bbbbbbbb")
	wantErr(t, err, ErrSignIn, "", "a wrong secret")
	k := f.userWithKey("bob", "/")
	_, err = f.d.SignInRoot(f.ctx, k.ID, k.Secret)
	wantErr(t, err, ErrSignIn, "", "a user's key")
}
