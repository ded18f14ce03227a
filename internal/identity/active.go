package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// ErrInactive is the error of Active for a principal that no longer
// exists.
var ErrInactive = errkind.Unauthf("The principal of these credentials no longer exists.")

// Active returns the principal that principalARN names if it is still
// valid now: an account root whose account exists, a user that exists, or
// a session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) whose role
// exists. Anything else is ErrInactive (Unauthenticated).
//
// It serves token-authenticated requests, whose token names its principal
// by ARN: a token acts for as long as its principal is valid, so deleting
// the user or the role stops it at once. A session ARN is valid while its
// role exists, whatever the state of the session that minted the token:
// the User Guide's rule is that a token's lifetime is independent of the
// session's (a token bound to the session with durationSeconds 0 carries
// the session's expiry itself). The returned Principal has Kind, UserID,
// UserName or RoleARN, RoleName and SessionName set; AccessKeyID,
// SessionExpires, IssuedAt and SourceIdentity are zero, since an ARN does
// not say which session it was.
//
// Answers are cached until the next IAM write, so a request pays a map
// lookup; a principal that does not exist is looked up every time.
func (d *Directory) Active(ctx context.Context, principalARN string) (Principal, error) {
	gen := d.Generation()
	if p, ok := cacheLoad(&d.cache.active, principalARN, gen); ok {
		return p, nil
	}
	p, _, err := d.resolve(ctx, d.st, principalARN)
	if err != nil {
		return Principal{}, err
	}
	cacheStore(&d.cache.active, principalARN, gen, p, principalBytes(p))
	return p, nil
}

// resolve finds the principal an ARN names and the owner of its identity
// policies (a zero owner for a root).
func (d *Directory) resolve(ctx context.Context, q store.Queries, principalARN string) (Principal, store.PolicyOwner, error) {
	n, ok := parsePrincipalARN(principalARN)
	if !ok || n.kind == "role" {
		return Principal{}, store.PolicyOwner{}, ErrInactive
	}
	notFound := func(err error) (Principal, store.PolicyOwner, error) {
		if errors.Is(err, errkind.ErrNotFound) {
			return Principal{}, store.PolicyOwner{}, ErrInactive
		}
		return Principal{}, store.PolicyOwner{}, err
	}
	switch n.kind {
	case KindRoot:
		if _, err := q.GetAccount(ctx, n.account); err != nil {
			return notFound(err)
		}
		return Principal{Account: n.account, ARN: principalARN, Kind: KindRoot, UserID: n.account}, store.PolicyOwner{}, nil
	case KindUser:
		u, err := q.GetUser(ctx, n.account, n.name)
		if err != nil {
			return notFound(err)
		}
		p := userPrincipal(u)
		if p.ARN != principalARN {
			return Principal{}, store.PolicyOwner{}, ErrInactive // another path, or another case
		}
		return p, store.PolicyOwner{Kind: store.OwnerUser, ID: u.ID}, nil
	default: // KindAssumedRole
		r, err := q.GetRole(ctx, n.account, n.name)
		if err != nil {
			return notFound(err)
		}
		if r.Name != n.name {
			return Principal{}, store.PolicyOwner{}, ErrInactive
		}
		p := Principal{
			Account: n.account, ARN: principalARN, Kind: KindAssumedRole, UserID: r.ID + ":" + n.session,
			RoleARN: RoleARN(r.AccountID, r.Path, r.Name), RoleName: r.Name, SessionName: n.session,
			Since: r.CreatedAt,
		}
		return p, store.PolicyOwner{Kind: store.OwnerRole, ID: r.ID}, nil
	}
}

// PolicyDocument is one identity policy of a principal. Key identifies the
// document: it changes whenever the document does (it ends in a digest of
// the document), so compiled policies can be cached by Key.
type PolicyDocument struct {
	Key      string
	Document string
}

// IdentityPolicies returns the identity policies of a principal: a user's
// inline policies (by name) and then its attached managed policies (by
// ARN); for an assumed role, those of its role. A root has none (its
// permissions are not policies) and gets nil. The principal is found by
// p.ARN, so a Principal built from token claims will do; one that no
// longer exists is ErrInactive.
//
// Keys are "inline/user/<user id>/<policy name>#<sha256 prefix>",
// "inline/role/<role id>/<policy name>#<sha256 prefix>" and
// "managed/<policy ARN>#<version>". Answers are cached until the next IAM
// write.
func (d *Directory) IdentityPolicies(ctx context.Context, p Principal) ([]PolicyDocument, error) {
	gen := d.Generation()
	if docs, ok := cacheLoad(&d.cache.policies, p.ARN, gen); ok {
		return docs, nil
	}
	_, owner, err := d.resolve(ctx, d.st, p.ARN)
	if err != nil {
		return nil, err
	}
	var docs []PolicyDocument
	if owner.ID != "" {
		inline, err := d.st.ListInlinePolicies(ctx, owner)
		if err != nil {
			return nil, err
		}
		for _, ip := range inline {
			sum := sha256.Sum256([]byte(ip.Document))
			docs = append(docs, PolicyDocument{
				Key:      "inline/" + owner.Kind + "/" + owner.ID + "/" + ip.Name + "#" + hex.EncodeToString(sum[:16]),
				Document: ip.Document,
			})
		}
		attached, err := d.st.ListAttachedPolicies(ctx, owner)
		if err != nil {
			return nil, err
		}
		for _, a := range attached {
			if mp, ok := LookupManagedPolicy(a); ok {
				docs = append(docs, PolicyDocument{Key: "managed/" + mp.ARN + "#" + mp.Version, Document: mp.Document})
			}
		}
	}
	size := int64(24)
	for _, doc := range docs {
		size += 32 + int64(len(doc.Key)+len(doc.Document))
	}
	cacheStore(&d.cache.policies, p.ARN, gen, docs, size)
	return docs, nil
}
