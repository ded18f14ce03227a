package iamapi

import (
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/store"
)

// Login profiles: a user's console password
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html
// and its siblings). Passwords never appear in a response, a message or
// the audit log.

// xLoginProfile is the LoginProfile shape.
type xLoginProfile struct {
	UserName              string  `xml:"UserName"`
	CreateDate            isoTime `xml:"CreateDate"`
	PasswordResetRequired bool    `xml:"PasswordResetRequired"`
}

func loginProfileShape(p store.LoginProfile, u store.User) any {
	return struct {
		LoginProfile xLoginProfile `xml:"LoginProfile"`
	}{xLoginProfile{UserName: u.Name, CreateDate: isoTime(p.CreatedAt), PasswordResetRequired: p.PasswordResetRequired}}
}

// profileUser reads UserName, which names the user whose profile it is: a
// user of the caller's account, or, when omitted, the calling user itself,
// as IAM does for GetLoginProfile.
func (a *API) profileUser(c *call, required bool) string {
	name := c.f.String("UserName", existingUserName)
	if name == "" && required {
		c.f.fail("Value null at 'userName' failed to satisfy constraint: Member must not be null")
	}
	return name
}

// profileTarget resolves the user an operation is about, the named one
// or else the calling user itself, and authorizes action on it.
func (a *API) profileTarget(c *call, action, name string) (string, error) {
	if name == "" {
		if c.p.Kind != identity.KindUser {
			return "", errkind.Validationf("Must specify userName when calling with non-User credentials")
		}
		name = c.p.UserName
	}
	return name, a.allow(c, action, a.userARN(c.ctx, c.p.Account, name))
}

func (a *API) createLoginProfile(c *call) (any, error) {
	name := a.profileUser(c, false)
	password := c.f.String("Password", passwordType)
	reset, _ := c.f.Bool("PasswordResetRequired")
	if password == "" {
		c.f.fail("Value null at 'password' failed to satisfy constraint: Member must not be null")
	}
	if err := c.valid(); err != nil {
		return nil, err
	}
	name, err := a.profileTarget(c, "CreateLoginProfile", name)
	if err != nil {
		return nil, err
	}
	if _, err := a.dir.CreateLoginProfile(c.ctx, c.p.Account, name, password, reset); err != nil {
		return nil, err
	}
	return a.loginProfile(c, name)
}

// loginProfile returns a user's LoginProfile shape.
func (a *API) loginProfile(c *call, name string) (any, error) {
	p, u, err := a.dir.GetLoginProfile(c.ctx, c.p.Account, name)
	if err != nil {
		return nil, err
	}
	return loginProfileShape(p, u), nil
}

func (a *API) getLoginProfile(c *call) (any, error) {
	name := a.profileUser(c, false)
	if err := c.valid(); err != nil {
		return nil, err
	}
	name, err := a.profileTarget(c, "GetLoginProfile", name)
	if err != nil {
		return nil, err
	}
	return a.loginProfile(c, name)
}

func (a *API) updateLoginProfile(c *call) (any, error) {
	name := a.profileUser(c, true)
	var password *string
	if _, ok := c.f.v["Password"]; ok {
		pw := c.f.String("Password", passwordType)
		password = &pw
	}
	var reset *bool
	if v, ok := c.f.Bool("PasswordResetRequired"); ok {
		reset = &v
	}
	if err := c.valid(); err != nil {
		return nil, err
	}
	if _, err := a.profileTarget(c, "UpdateLoginProfile", name); err != nil {
		return nil, err
	}
	return nil, a.dir.UpdateLoginProfile(c.ctx, c.p.Account, name, password, reset)
}

func (a *API) deleteLoginProfile(c *call) (any, error) {
	name := a.profileUser(c, false)
	if err := c.valid(); err != nil {
		return nil, err
	}
	name, err := a.profileTarget(c, "DeleteLoginProfile", name)
	if err != nil {
		return nil, err
	}
	return nil, a.dir.DeleteLoginProfile(c.ctx, c.p.Account, name)
}

// changePassword changes the calling user's own password. Arca has no
// account password policy (so no AllowUsersToChangePassword): the user
// needs iam:ChangePassword on its own ARN, which the AWS managed policy
// IAMUserChangePassword grants.
func (a *API) changePassword(c *call) (any, error) {
	oldPassword := c.f.String("OldPassword", passwordType)
	newPassword := c.f.String("NewPassword", passwordType)
	if oldPassword == "" {
		c.f.fail("Value null at 'oldPassword' failed to satisfy constraint: Member must not be null")
	}
	if newPassword == "" {
		c.f.fail("Value null at 'newPassword' failed to satisfy constraint: Member must not be null")
	}
	if err := c.valid(); err != nil {
		return nil, err
	}
	// Directory.ChangePassword refuses callers that are no IAM user.
	if c.p.Kind == identity.KindUser {
		if err := a.allow(c, "ChangePassword", c.p.ARN); err != nil {
			return nil, err
		}
	}
	return nil, a.dir.ChangePassword(c.ctx, c.p, oldPassword, newPassword)
}
