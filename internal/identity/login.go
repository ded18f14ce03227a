package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/crypto/argon2"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// Login profiles: the console passwords of IAM users
// (CreateLoginProfile, GetLoginProfile, UpdateLoginProfile,
// DeleteLoginProfile, ChangePassword) and signing in with them.
//
// A password is kept only as an argon2id hash (RFC 9106) in the PHC string
// form "$argon2id$v=19$m=MEMORY,t=TIME,p=THREADS$SALT$HASH" (base64 without
// padding). New hashes use 19 MiB of memory, 2 passes and 1 lane with a
// 16-byte random salt and a 32-byte output: the first configuration OWASP's
// Password Storage Cheat Sheet recommends for argon2id, which costs about
// 30 ms of one core here. A hash is verified with the parameters it
// carries, so raising them later leaves older passwords working.

// Argon2id parameters of new password hashes.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonSaltLen = 16
	argonKeyLen  = 32
)

// ReasonPasswordPolicy and ReasonInvalidUserType name IAM's
// PasswordPolicyViolation and InvalidUserType codes.
const (
	ReasonPasswordPolicy  = "PasswordPolicyViolation"
	ReasonInvalidUserType = "InvalidUserType"
)

// ErrSignIn is the one error of a failed sign-in, whatever failed (no
// such account or user, no login profile, a wrong password): a caller
// learns nothing about which.
var ErrSignIn = errkind.Unauthf("Your authentication information is incorrect. Please try again.")

// CheckPassword applies IAM's default password policy, which Arca's
// accounts have (there is no UpdateAccountPasswordPolicy): 8 to 128
// characters, with at least three of upper-case letters, lower-case
// letters, digits and other characters.
func CheckPassword(pw string) error {
	classes := map[string]bool{}
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			classes["upper"] = true
		case unicode.IsLower(r):
			classes["lower"] = true
		case unicode.IsDigit(r):
			classes["digit"] = true
		default:
			classes["other"] = true
		}
	}
	n := len([]rune(pw))
	if n < 8 || n > 128 || len(classes) < 3 {
		return errkind.Validationf("Password does not conform to the account password policy: 8 to 128 characters, with at least three of " +
			"upper-case letters, lower-case letters, numbers and other characters.").WithReason(ReasonPasswordPolicy)
	}
	return nil
}

// HashPassword returns the argon2id hash of pw in PHC string form.
func HashPassword(pw string) string {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding.EncodeToString
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64(salt), b64(key))
}

// VerifyPassword reports whether pw matches hash, comparing in constant
// time. A hash it cannot read matches nothing.
func VerifyPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 || len(key) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}

// dummyHash is verified against when there is no profile to verify
// against, so that a sign-in as an unknown user costs what a wrong
// password costs. It is made on the first such sign-in, not at start: an
// argon2id hash takes 19 MiB, which every process (and every `arca`
// command) would otherwise allocate for nothing.
var dummyHash = sync.OnceValue(func() string { return HashPassword("no profile: nothing matches this") })

func noSuchProfile(name string) error {
	return errkind.NotFoundf("Login Profile for User %s cannot be found.", name)
}

// CreateLoginProfile gives a user a console password.
func (d *Directory) CreateLoginProfile(ctx context.Context, account, userName, password string, resetRequired bool) (store.LoginProfile, error) {
	if err := CheckPassword(password); err != nil {
		return store.LoginProfile{}, err
	}
	p := store.LoginProfile{PasswordHash: HashPassword(password), PasswordResetRequired: resetRequired, CreatedAt: d.now().UTC().Truncate(time.Millisecond)}
	err := d.update(ctx, func(q store.Queries) error {
		u, err := getUser(ctx, q, account, userName)
		if err != nil {
			return err
		}
		p.UserID = u.ID
		err = q.CreateLoginProfile(ctx, p)
		if errors.Is(err, errkind.ErrConflict) {
			return errkind.Conflictf("Login Profile for user %s already exists.", u.Name)
		}
		return err
	})
	return p, err
}

// loginProfile returns a user's profile and the user.
func loginProfile(ctx context.Context, q store.Queries, account, userName string) (store.LoginProfile, store.User, error) {
	u, err := getUser(ctx, q, account, userName)
	if err != nil {
		return store.LoginProfile{}, u, err
	}
	p, err := q.GetLoginProfile(ctx, u.ID)
	if errors.Is(err, errkind.ErrNotFound) {
		return p, u, noSuchProfile(u.Name)
	}
	return p, u, err
}

// GetLoginProfile returns a user's login profile (its hash included: the
// caller shows only the rest).
func (d *Directory) GetLoginProfile(ctx context.Context, account, userName string) (store.LoginProfile, store.User, error) {
	return loginProfile(ctx, d.st, account, userName)
}

// UpdateLoginProfile sets a user's password, its reset flag, or both; nil
// leaves one as it is.
func (d *Directory) UpdateLoginProfile(ctx context.Context, account, userName string, password *string, resetRequired *bool) error {
	var hash string
	if password != nil {
		if err := CheckPassword(*password); err != nil {
			return err
		}
		hash = HashPassword(*password)
	}
	return d.update(ctx, func(q store.Queries) error {
		p, _, err := loginProfile(ctx, q, account, userName)
		if err != nil {
			return err
		}
		if password != nil {
			p.PasswordHash = hash
		}
		if resetRequired != nil {
			p.PasswordResetRequired = *resetRequired
		}
		return q.UpdateLoginProfile(ctx, p)
	})
}

// DeleteLoginProfile removes a user's console password.
func (d *Directory) DeleteLoginProfile(ctx context.Context, account, userName string) error {
	return d.update(ctx, func(q store.Queries) error {
		p, _, err := loginProfile(ctx, q, account, userName)
		if err != nil {
			return err
		}
		return q.DeleteLoginProfile(ctx, p.UserID)
	})
}

// ChangePassword changes the password of the calling IAM user, who must
// give the current one; it clears the reset flag. A caller that is not an
// IAM user is InvalidUserType, a wrong old password AccessDenied.
func (d *Directory) ChangePassword(ctx context.Context, caller Principal, oldPassword, newPassword string) error {
	if caller.Kind != KindUser {
		return errkind.Validationf("Only IAM users can change their password with ChangePassword.").WithReason(ReasonInvalidUserType)
	}
	p, u, err := loginProfile(ctx, d.st, caller.Account, caller.UserName)
	if err != nil {
		return err
	}
	if u.ID != caller.UserID {
		return noSuchUser(caller.UserName) // deleted and created again: another user
	}
	if !VerifyPassword(p.PasswordHash, oldPassword) {
		return errkind.Deniedf("The old password is incorrect.")
	}
	if err := CheckPassword(newPassword); err != nil {
		return err
	}
	hash := HashPassword(newPassword)
	return d.update(ctx, func(q store.Queries) error {
		p.PasswordHash, p.PasswordResetRequired = hash, false
		return q.UpdateLoginProfile(ctx, p)
	})
}

// SignIn checks an IAM user's console password and returns the user as a
// principal (no access key: the console names it by its session), and
// whether the user must choose a new password before going on. Any
// failure is ErrSignIn, after the same work as a wrong password.
func (d *Directory) SignIn(ctx context.Context, account, userName, password string) (Principal, bool, error) {
	p, u, err := loginProfile(ctx, d.st, account, userName)
	if err != nil {
		VerifyPassword(dummyHash(), password)
		if errors.Is(err, errkind.ErrNotFound) {
			return Principal{}, false, ErrSignIn
		}
		return Principal{}, false, err
	}
	if !VerifyPassword(p.PasswordHash, password) {
		return Principal{}, false, ErrSignIn
	}
	return userPrincipal(u), p.PasswordResetRequired, nil
}

// SignInRoot checks an account root's access key id and secret access key
// (the console's root sign-in: Arca's roots have no password) and returns
// the root principal. Any failure is ErrSignIn.
func (d *Directory) SignInRoot(ctx context.Context, accessKeyID, secret string) (Principal, error) {
	want, p, err := d.Lookup(ctx, accessKeyID, "")
	if err != nil {
		if errors.Is(err, errkind.ErrUnauthenticated) {
			return Principal{}, ErrSignIn
		}
		return Principal{}, err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(secret)) != 1 || !p.IsRoot() {
		return Principal{}, ErrSignIn
	}
	p.AccessKeyID = ""
	return p, nil
}
