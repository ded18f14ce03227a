package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/store"
)

// nameKey is how IAM compares names: regardless of case.
func nameKey(name string) string { return strings.ToLower(name) }

// pathRange appends the condition "column starts with prefix" as a range,
// which uses the index and takes '_' and '%' literally, unlike LIKE.
func pathRange(query string, args []any, column, prefix string) (string, []any) {
	if prefix == "" || prefix == "/" {
		return query, args
	}
	args = append(args, prefix, prefix+"\U0010FFFF")
	return query + fmt.Sprintf(` AND %s >= $%d AND %s < $%d`, column, len(args)-1, column, len(args)), args
}

// --- users ---

const userColumns = `id, account_id, name, path, created_at`

func scanUser(row interface{ Scan(...any) error }) (store.User, error) {
	var u store.User
	var created int64
	err := row.Scan(&u.ID, &u.AccountID, &u.Name, &u.Path, &created)
	u.CreatedAt = fromMS(created)
	return u, err
}

func (q queries) CreateUser(ctx context.Context, u store.User) error {
	return q.exec(ctx, false, `INSERT INTO iam_users (id, account_id, name, name_key, path, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		u.ID, u.AccountID, u.Name, nameKey(u.Name), u.Path, ms(u.CreatedAt))
}

func (q queries) GetUser(ctx context.Context, accountID, name string) (store.User, error) {
	u, err := scanUser(q.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM iam_users WHERE account_id = $1 AND name_key = $2`, accountID, nameKey(name)))
	return u, q.classify(err)
}

func (q queries) GetUserByID(ctx context.Context, id string) (store.User, error) {
	u, err := scanUser(q.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM iam_users WHERE id = $1`, id))
	return u, q.classify(err)
}

func (q queries) ListUsers(ctx context.Context, accountID, pathPrefix, after string, limit int) ([]store.User, error) {
	query, args := pathRange(`SELECT `+userColumns+` FROM iam_users WHERE account_id = $1 AND name_key > $2`,
		[]any{accountID, after}, "path", pathPrefix)
	args = append(args, limit)
	return queryAll(ctx, q.r, scanUser, query+fmt.Sprintf(` ORDER BY name_key LIMIT $%d`, len(args)), args...)
}

func (q queries) DeleteUser(ctx context.Context, id string) error {
	if err := q.deleteOwnerData(ctx, store.PolicyOwner{Kind: store.OwnerUser, ID: id}); err != nil {
		return err
	}
	if err := q.exec(ctx, false, `DELETE FROM access_keys WHERE user_id = $1`, id); err != nil {
		return err
	}
	if err := q.exec(ctx, false, `DELETE FROM iam_login_profiles WHERE user_id = $1`, id); err != nil {
		return err
	}
	return q.exec(ctx, true, `DELETE FROM iam_users WHERE id = $1`, id)
}

// --- login profiles ---

func (q queries) CreateLoginProfile(ctx context.Context, p store.LoginProfile) error {
	return q.exec(ctx, false, `INSERT INTO iam_login_profiles (user_id, password_hash, password_reset_required, created_at) VALUES ($1, $2, $3, $4)`,
		p.UserID, p.PasswordHash, p.PasswordResetRequired, ms(p.CreatedAt))
}

func (q queries) GetLoginProfile(ctx context.Context, userID string) (store.LoginProfile, error) {
	p := store.LoginProfile{UserID: userID}
	var created int64
	err := q.r.QueryRowContext(ctx, `SELECT password_hash, password_reset_required, created_at FROM iam_login_profiles WHERE user_id = $1`, userID).
		Scan(&p.PasswordHash, &p.PasswordResetRequired, &created)
	p.CreatedAt = fromMS(created)
	return p, q.classify(err)
}

func (q queries) UpdateLoginProfile(ctx context.Context, p store.LoginProfile) error {
	return q.exec(ctx, true, `UPDATE iam_login_profiles SET password_hash = $2, password_reset_required = $3 WHERE user_id = $1`,
		p.UserID, p.PasswordHash, p.PasswordResetRequired)
}

func (q queries) DeleteLoginProfile(ctx context.Context, userID string) error {
	return q.exec(ctx, true, `DELETE FROM iam_login_profiles WHERE user_id = $1`, userID)
}

func (q queries) deleteOwnerData(ctx context.Context, o store.PolicyOwner) error {
	for _, stmt := range []string{
		`DELETE FROM iam_inline_policies WHERE owner_kind = $1 AND owner_id = $2`,
		`DELETE FROM iam_attached_policies WHERE owner_kind = $1 AND owner_id = $2`,
	} {
		if err := q.exec(ctx, false, stmt, o.Kind, o.ID); err != nil {
			return err
		}
	}
	return nil
}

// --- roles ---

const roleColumns = `id, account_id, name, path, description, trust_policy, max_session_duration, created_at`

func scanRole(row interface{ Scan(...any) error }) (store.Role, error) {
	var r store.Role
	var created int64
	err := row.Scan(&r.ID, &r.AccountID, &r.Name, &r.Path, &r.Description, &r.TrustPolicy, &r.MaxSessionDuration, &created)
	r.CreatedAt = fromMS(created)
	return r, err
}

func (q queries) CreateRole(ctx context.Context, r store.Role) error {
	return q.exec(ctx, false, `INSERT INTO iam_roles (id, account_id, name, name_key, path, description, trust_policy, max_session_duration, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.ID, r.AccountID, r.Name, nameKey(r.Name), r.Path, r.Description, r.TrustPolicy, r.MaxSessionDuration, ms(r.CreatedAt))
}

func (q queries) GetRole(ctx context.Context, accountID, name string) (store.Role, error) {
	r, err := scanRole(q.r.QueryRowContext(ctx, `SELECT `+roleColumns+` FROM iam_roles WHERE account_id = $1 AND name_key = $2`, accountID, nameKey(name)))
	return r, q.classify(err)
}

func (q queries) GetRoleByID(ctx context.Context, id string) (store.Role, error) {
	r, err := scanRole(q.r.QueryRowContext(ctx, `SELECT `+roleColumns+` FROM iam_roles WHERE id = $1`, id))
	return r, q.classify(err)
}

func (q queries) ListRoles(ctx context.Context, accountID, pathPrefix, after string, limit int) ([]store.Role, error) {
	query, args := pathRange(`SELECT `+roleColumns+` FROM iam_roles WHERE account_id = $1 AND name_key > $2`,
		[]any{accountID, after}, "path", pathPrefix)
	args = append(args, limit)
	return queryAll(ctx, q.r, scanRole, query+fmt.Sprintf(` ORDER BY name_key LIMIT $%d`, len(args)), args...)
}

func (q queries) SetTrustPolicy(ctx context.Context, roleID, document string) error {
	return q.exec(ctx, true, `UPDATE iam_roles SET trust_policy = $2 WHERE id = $1`, roleID, document)
}

func (q queries) DeleteRole(ctx context.Context, id string) error {
	if err := q.deleteOwnerData(ctx, store.PolicyOwner{Kind: store.OwnerRole, ID: id}); err != nil {
		return err
	}
	if err := q.exec(ctx, false, `DELETE FROM sts_sessions WHERE role_id = $1`, id); err != nil {
		return err
	}
	return q.exec(ctx, true, `DELETE FROM iam_roles WHERE id = $1`, id)
}

// --- inline and attached policies ---

func (q queries) PutInlinePolicy(ctx context.Context, p store.InlinePolicy) error {
	return q.exec(ctx, false, `INSERT INTO iam_inline_policies (owner_kind, owner_id, name, document, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (owner_kind, owner_id, name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at`,
		p.Owner.Kind, p.Owner.ID, p.Name, p.Document, ms(p.UpdatedAt))
}

func (q queries) GetInlinePolicy(ctx context.Context, o store.PolicyOwner, name string) (store.InlinePolicy, error) {
	p := store.InlinePolicy{Owner: o, Name: name}
	var updated int64
	err := q.r.QueryRowContext(ctx, `SELECT document, updated_at FROM iam_inline_policies WHERE owner_kind = $1 AND owner_id = $2 AND name = $3`,
		o.Kind, o.ID, name).Scan(&p.Document, &updated)
	p.UpdatedAt = fromMS(updated)
	return p, q.classify(err)
}

func (q queries) ListInlinePolicies(ctx context.Context, o store.PolicyOwner) ([]store.InlinePolicy, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT name, document, updated_at FROM iam_inline_policies WHERE owner_kind = $1 AND owner_id = $2 ORDER BY name`, o.Kind, o.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []store.InlinePolicy{}
	for rows.Next() {
		p := store.InlinePolicy{Owner: o}
		var updated int64
		if err := rows.Scan(&p.Name, &p.Document, &updated); err != nil {
			return nil, err
		}
		p.UpdatedAt = fromMS(updated)
		out = append(out, p)
	}
	return out, rows.Err()
}

func (q queries) DeleteInlinePolicy(ctx context.Context, o store.PolicyOwner, name string) error {
	return q.exec(ctx, true, `DELETE FROM iam_inline_policies WHERE owner_kind = $1 AND owner_id = $2 AND name = $3`, o.Kind, o.ID, name)
}

func (q queries) AttachPolicy(ctx context.Context, o store.PolicyOwner, policyARN string, at time.Time) error {
	return q.exec(ctx, false, `INSERT INTO iam_attached_policies (owner_kind, owner_id, policy_arn, attached_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (owner_kind, owner_id, policy_arn) DO NOTHING`, o.Kind, o.ID, policyARN, ms(at))
}

func (q queries) DetachPolicy(ctx context.Context, o store.PolicyOwner, policyARN string) error {
	return q.exec(ctx, true, `DELETE FROM iam_attached_policies WHERE owner_kind = $1 AND owner_id = $2 AND policy_arn = $3`, o.Kind, o.ID, policyARN)
}

func (q queries) ListAttachedPolicies(ctx context.Context, o store.PolicyOwner) ([]string, error) {
	return q.strings(ctx, `SELECT policy_arn FROM iam_attached_policies WHERE owner_kind = $1 AND owner_id = $2 ORDER BY policy_arn`, o.Kind, o.ID)
}

// --- OIDC providers ---

func scanProvider(row interface{ Scan(...any) error }) (store.OIDCProvider, error) {
	var p store.OIDCProvider
	var clients, thumbs string
	var created int64
	if err := row.Scan(&p.AccountID, &p.URLKey, &p.URL, &clients, &thumbs, &created); err != nil {
		return p, err
	}
	p.CreatedAt = fromMS(created)
	if err := json.Unmarshal([]byte(clients), &p.ClientIDs); err != nil {
		return p, fmt.Errorf("oidc provider %s: client ids: %w", p.URLKey, err)
	}
	if err := json.Unmarshal([]byte(thumbs), &p.Thumbprints); err != nil {
		return p, fmt.Errorf("oidc provider %s: thumbprints: %w", p.URLKey, err)
	}
	return p, nil
}

// jsonList encodes a list, never as null.
func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

const providerColumns = `account_id, url_key, url, client_ids, thumbprints, created_at`

func (q queries) CreateOIDCProvider(ctx context.Context, p store.OIDCProvider) error {
	return q.exec(ctx, false, `INSERT INTO iam_oidc_providers (`+providerColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		p.AccountID, p.URLKey, p.URL, jsonList(p.ClientIDs), jsonList(p.Thumbprints), ms(p.CreatedAt))
}

func (q queries) GetOIDCProvider(ctx context.Context, accountID, urlKey string) (store.OIDCProvider, error) {
	p, err := scanProvider(q.r.QueryRowContext(ctx, `SELECT `+providerColumns+` FROM iam_oidc_providers WHERE account_id = $1 AND url_key = $2`, accountID, urlKey))
	return p, q.classify(err)
}

func (q queries) ListOIDCProviders(ctx context.Context, accountID string) ([]store.OIDCProvider, error) {
	return queryAll(ctx, q.r, scanProvider, `SELECT `+providerColumns+` FROM iam_oidc_providers WHERE account_id = $1 ORDER BY url_key`, accountID)
}

func (q queries) DeleteOIDCProvider(ctx context.Context, accountID, urlKey string) error {
	return q.exec(ctx, true, `DELETE FROM iam_oidc_providers WHERE account_id = $1 AND url_key = $2`, accountID, urlKey)
}

// --- STS sessions ---

func (q queries) CreateSession(ctx context.Context, s store.Session) error {
	return q.exec(ctx, false, `INSERT INTO sts_sessions (access_key_id, secret, token_hash, account_id, role_id, session_name,
			source_identity, provider_arn, subject, issued_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		s.AccessKeyID, s.Secret, s.TokenHash, s.AccountID, s.RoleID, s.SessionName,
		s.SourceIdentity, s.ProviderARN, s.Subject, ms(s.IssuedAt), ms(s.Expires))
}

func (q queries) GetSession(ctx context.Context, accessKeyID string) (store.Session, error) {
	s := store.Session{AccessKeyID: accessKeyID}
	var issued, expires int64
	// The join is the rule that a deleted role's sessions stop at once.
	err := q.r.QueryRowContext(ctx, `SELECT s.secret, s.token_hash, s.account_id, s.role_id, r.name, r.path, s.session_name,
			s.source_identity, s.provider_arn, s.subject, s.issued_at, s.expires_at
		FROM sts_sessions s JOIN iam_roles r ON r.id = s.role_id WHERE s.access_key_id = $1`, accessKeyID).
		Scan(&s.Secret, &s.TokenHash, &s.AccountID, &s.RoleID, &s.RoleName, &s.RolePath, &s.SessionName,
			&s.SourceIdentity, &s.ProviderARN, &s.Subject, &issued, &expires)
	s.IssuedAt, s.Expires = fromMS(issued), fromMS(expires)
	return s, q.classify(err)
}

func (q queries) ListSessionSecrets(ctx context.Context) (map[string]string, error) {
	rows, err := q.r.QueryContext(ctx, `SELECT access_key_id, secret FROM sts_sessions`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, secret string
		if err := rows.Scan(&id, &secret); err != nil {
			return nil, err
		}
		out[id] = secret
	}
	return out, rows.Err()
}

func (q queries) SetSessionSecret(ctx context.Context, accessKeyID, secret string) error {
	return q.exec(ctx, true, `UPDATE sts_sessions SET secret = $1 WHERE access_key_id = $2`, secret, accessKeyID)
}

func (q queries) DeleteExpiredSessions(ctx context.Context, before time.Time) (int64, error) {
	return q.execCount(ctx, `DELETE FROM sts_sessions WHERE expires_at < $1`, ms(before))
}
