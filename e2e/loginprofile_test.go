package e2e

import (
	"strings"
	"testing"
)

// TestIAMLoginProfilesCLI: console passwords through the real `aws iam`:
// create, get, update and delete a user's login profile, IAM's errors for
// a weak password, a second profile and a missing one, a user changing its
// own password (with iam:ChangePassword, and only with the old password),
// and DeleteUser refused while the profile exists. A refused call changes
// nothing, and no password reaches the server's log.
func TestIAMLoginProfilesCLI(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	root := newCLI(t, s)
	step := steps(t)
	var bob *cli

	step("create a user and refuse a weak password", func(t *testing.T) {
		root.iam(t, "create-user", "--user-name", "bob")
		before := iamSnapshot(t, s)
		msg := root.failWith(t, "PasswordPolicyViolation", "CreateLoginProfile", "iam", "create-login-profile", "--user-name", "bob", "--password", "weakpass")
		if strings.Contains(msg, "weakpass") {
			t.Errorf("the message quotes the password: %s", msg)
		}
		root.failWith(t, "NoSuchEntity", "CreateLoginProfile", "iam", "create-login-profile", "--user-name", "nobody", "--password", "G00d-password")
		root.failWith(t, "NoSuchEntity", "GetLoginProfile", "iam", "get-login-profile", "--user-name", "bob")
		iamUnchanged(t, s, before, "refused login profile calls")
	})

	step("create, get and update the profile", func(t *testing.T) {
		p := obj(t, root.iam(t, "create-login-profile", "--user-name", "bob", "--password", "G00d-password", "--password-reset-required"), "LoginProfile")
		want(t, "create-login-profile", p, "UserName", "bob")
		want(t, "create-login-profile", p, "PasswordResetRequired", true)
		hasKeys(t, "create-login-profile", p, "CreateDate")
		root.failWith(t, "EntityAlreadyExists", "CreateLoginProfile", "iam", "create-login-profile", "--user-name", "bob", "--password", "G00d-password")
		root.iam(t, "update-login-profile", "--user-name", "bob", "--no-password-reset-required")
		g := obj(t, root.iam(t, "get-login-profile", "--user-name", "bob"), "LoginProfile")
		want(t, "get-login-profile", g, "PasswordResetRequired", false)
		want(t, "get-login-profile", g, "CreateDate", p["CreateDate"])
		onlyKeys(t, "get-login-profile", g, "UserName", "CreateDate", "PasswordResetRequired")
		root.failWith(t, "PasswordPolicyViolation", "UpdateLoginProfile", "iam", "update-login-profile", "--user-name", "bob", "--password", "short")
	})

	step("the user changes its own password", func(t *testing.T) {
		k := obj(t, root.iam(t, "create-access-key", "--user-name", "bob"), "AccessKey")
		bob = withCreds(root, str(t, k, "AccessKeyId"), str(t, k, "SecretAccessKey"), "")
		bob.failWith(t, "AccessDenied", "ChangePassword", "iam", "change-password", "--old-password", "G00d-password", "--new-password", "B3tter-password")
		root.iam(t, "put-user-policy", "--user-name", "bob", "--policy-name", "own-password", "--policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ChangePassword","iam:GetLoginProfile"],"Resource":"arn:aws:iam::`+s.Account+`:user/${aws:username}"}]}`)
		bob.failWith(t, "AccessDenied", "ChangePassword", "iam", "change-password", "--old-password", "not-the-password", "--new-password", "B3tter-password")
		bob.failWith(t, "PasswordPolicyViolation", "ChangePassword", "iam", "change-password", "--old-password", "G00d-password", "--new-password", "worse")
		bob.iam(t, "change-password", "--old-password", "G00d-password", "--new-password", "B3tter-password")
		// Its own profile, without naming itself.
		want(t, "get-login-profile", obj(t, bob.iam(t, "get-login-profile"), "LoginProfile"), "UserName", "bob")
		root.failWith(t, "InvalidUserType", "ChangePassword", "iam", "change-password", "--old-password", "x", "--new-password", "B3tter-password")
	})

	step("delete the profile, then the user", func(t *testing.T) {
		root.iam(t, "delete-access-key", "--user-name", "bob", "--access-key-id", bob.accessKeyID())
		root.iam(t, "delete-user-policy", "--user-name", "bob", "--policy-name", "own-password")
		msg := root.failWith(t, "DeleteConflict", "DeleteUser", "iam", "delete-user", "--user-name", "bob")
		if !strings.Contains(msg, "login profile") {
			t.Errorf("DeleteConflict message: %s", msg)
		}
		root.iam(t, "delete-login-profile", "--user-name", "bob")
		root.failWith(t, "NoSuchEntity", "DeleteLoginProfile", "iam", "delete-login-profile", "--user-name", "bob")
		root.iam(t, "delete-user", "--user-name", "bob")
	})

	for _, pw := range []string{"G00d-password", "B3tter-password", "weakpass"} {
		if strings.Contains(s.Stderr(), pw) {
			t.Errorf("the server's log holds a password")
		}
	}
}

// accessKeyID is the access key id the CLI signs with.
func (c *cli) accessKeyID() string {
	for _, kv := range c.env {
		if v, ok := strings.CutPrefix(kv, "AWS_ACCESS_KEY_ID="); ok {
			return v
		}
	}
	return ""
}
