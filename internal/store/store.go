// Package store is the contract of Arca's metadata store: accounts and
// their keys, IAM users, roles, their policies, OIDC providers and STS
// sessions, token signing keys and token revocations, domains, repositories with their upstream
// graph and external connections, tags and resource policies, packages and their versions
// (with the source URLs versions declare), package groups, the subscriptions and outbox of package version events, what servers
// sharing the store coordinate through (change counters, leases, blob holds, checksums of uploads
// in progress), and the web console's sessions.
//
// The contract is the Store interface below. One hand-written SQL layer
// (package sqlstore) implements it for every engine; packages sqlite and
// postgres only open connections, migrate and classify engine errors. The
// conformance suite in storetest is what makes an engine acceptable.
//
// Invariants every implementation keeps:
//   - Names are unique where CodeArtifact says they are: a domain per owner
//     account, a repository per domain. Breaking one is errkind.Conflict.
//   - A missing row is errkind.NotFound. Messages are generic; the caller
//     knows which resource it asked for and says so.
//   - Update runs its function in one serialisable read-write transaction:
//     all of it happens or none of it does, as if no other transaction ran
//     at the same time, even from other processes sharing the database.
//     An engine that aborts a transaction for a concurrent one runs the
//     function again, so it must have no effect outside the transaction.
//   - Times are kept to the millisecond, in UTC.
//   - Asset bytes are counted once per domain: a domain's AssetSizeBytes is
//     the total size of the distinct digests its package versions
//     reference, kept true by every write that adds or removes an asset.
//   - Every write of a package's versions or their assets takes the
//     package's next change number, writers of one package one after the
//     other, so that VersionChanges tells a reader what changed since the
//     number it last saw, on every engine and across processes (the
//     engines number writes with triggers: no write path can miss it).
package store

import (
	"context"
	"time"

	"github.com/arcahq/arca/internal/artifact"
)

// Store is a metadata store. Its own Queries run outside any transaction
// (each is atomic by itself); Update groups several into one transaction.
type Store interface {
	Queries
	// Update runs fn in a serialisable read-write transaction. If fn
	// returns an error the transaction rolls back and Update returns that
	// error. fn may run more than once (see the package comment).
	Update(ctx context.Context, fn func(q Queries) error) error
	Close() error
}

// Queries is everything the store can be asked, grouped by concept.
type Queries interface {
	Accounts
	IAM
	SigningKeys
	Revocations
	Domains
	Repositories
	Tags
	Policies
	Packages
	Versions
	SourceURLs
	PackageGroups
	ReleaseGates
	Events
	Generations
	Leases
	BlobHolds
	Uploads
	ConsoleSessions
}

// Account is a tenant: the owner of domains and the administrator of
// repositories, identified by a 12-digit id.
type Account struct {
	ID        string
	CreatedAt time.Time
}

// AccessKey is a long-term credential: the SigV4 key pair of a principal.
type AccessKey struct {
	ID           string // the access key id, e.g. AKIA...
	Secret       string
	AccountID    string
	PrincipalARN string // arn:aws:iam::ACCOUNT:root, or a user's ARN
	UserID       string // the IAM user's id (AIDA...); "" for the account root
	Active       bool
	CreatedAt    time.Time
}

// Accounts stores accounts and access keys.
type Accounts interface {
	// PutAccount creates the account if it does not exist yet.
	PutAccount(ctx context.Context, a Account) error
	GetAccount(ctx context.Context, id string) (Account, error)
	// PutAccessKey creates or replaces an access key.
	PutAccessKey(ctx context.Context, k AccessKey) error
	GetAccessKey(ctx context.Context, id string) (AccessKey, error)
	// ListAccounts returns every account, by id.
	ListAccounts(ctx context.Context) ([]Account, error)
	// ListAccessKeys returns the access keys of one user of an account
	// (userID "" lists the root's keys), oldest first.
	ListAccessKeys(ctx context.Context, accountID, userID string) ([]AccessKey, error)
	// DeleteAccessKey removes a key; a missing key is errkind.NotFound.
	DeleteAccessKey(ctx context.Context, id string) error
	// ListAllAccessKeys returns every access key of every account, by id
	// (for re-encrypting secrets at rest).
	ListAllAccessKeys(ctx context.Context) ([]AccessKey, error)
}

// User is an IAM user. Names are unique in an account regardless of case,
// as in IAM; the store keeps the name as it was created.
type User struct {
	ID        string // the unique id, AIDA...
	AccountID string
	Name      string
	Path      string // "/" or "/a/b/"
	CreatedAt time.Time
}

// Role is an IAM role with its trust policy (AssumeRolePolicyDocument).
// Names are unique in an account regardless of case.
type Role struct {
	ID                 string // the unique id, AROA...
	AccountID          string
	Name               string
	Path               string
	Description        string
	TrustPolicy        string
	MaxSessionDuration int // seconds, 3600 to 43200
	CreatedAt          time.Time
}

// Owner kinds of identity policies.
const (
	OwnerUser = "user"
	OwnerRole = "role"
)

// PolicyOwner is the user or role an identity policy belongs to.
type PolicyOwner struct {
	Kind string // OwnerUser or OwnerRole
	ID   string // the user's or role's unique id
}

// InlinePolicy is a policy embedded in one user or role, by name.
type InlinePolicy struct {
	Owner     PolicyOwner
	Name      string
	Document  string
	UpdatedAt time.Time
}

// OIDCProvider is an OpenID Connect identity provider registered in an
// account. URLKey is the issuer without its scheme (host, port and path),
// the resource part of the provider's ARN and the prefix of its condition
// keys; it is unique in the account.
type OIDCProvider struct {
	AccountID   string
	URLKey      string
	URL         string // the issuer URL as registered
	ClientIDs   []string
	Thumbprints []string
	CreatedAt   time.Time
}

// Session is a set of temporary credentials issued by STS for a role. The
// session token itself is never stored, only its SHA-256. GetSession fills
// RoleName and RolePath from the role, which must still exist.
type Session struct {
	AccessKeyID    string // ASIA...
	Secret         string
	TokenHash      []byte // SHA-256 of the session token
	AccountID      string // the role's account
	RoleID         string
	RoleName       string // filled by GetSession
	RolePath       string // filled by GetSession
	SessionName    string
	SourceIdentity string
	ProviderARN    string // the OIDC provider of a web-identity session, else ""
	Subject        string // the web identity's sub claim, else ""
	IssuedAt       time.Time
	Expires        time.Time
}

// LoginProfile is an IAM user's console password: only its hash is kept
// (package identity encodes it, parameters included), and whether the user
// must choose a new one at the next sign-in.
type LoginProfile struct {
	UserID                string
	PasswordHash          string
	PasswordResetRequired bool
	CreatedAt             time.Time
}

// IAM stores the principals of accounts besides their roots: users, roles,
// their inline and attached policies, OIDC providers and STS sessions.
// Lookups by name ignore case. Deleting a user or a role deletes what
// hangs off it (keys, login profile, policies, attachments, sessions); the identity
// package refuses such deletes first, as IAM does, so the cascade is a
// safety net.
type IAM interface {
	// CreateUser inserts u; an existing name in the account (in any
	// case) or id is errkind.Conflict.
	CreateUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, accountID, name string) (User, error)
	GetUserByID(ctx context.Context, id string) (User, error)
	// ListUsers returns at most limit users of the account whose path
	// starts with pathPrefix and whose lower-cased name sorts after
	// after, ordered by lower-cased name.
	ListUsers(ctx context.Context, accountID, pathPrefix, after string, limit int) ([]User, error)
	DeleteUser(ctx context.Context, id string) error

	// CreateLoginProfile gives a user a console password; a user that has
	// one already is errkind.Conflict.
	CreateLoginProfile(ctx context.Context, p LoginProfile) error
	GetLoginProfile(ctx context.Context, userID string) (LoginProfile, error)
	// UpdateLoginProfile replaces the hash and the reset flag of a user's
	// profile (its creation time stays); a missing one is errkind.NotFound.
	UpdateLoginProfile(ctx context.Context, p LoginProfile) error
	DeleteLoginProfile(ctx context.Context, userID string) error

	CreateRole(ctx context.Context, r Role) error
	GetRole(ctx context.Context, accountID, name string) (Role, error)
	GetRoleByID(ctx context.Context, id string) (Role, error)
	ListRoles(ctx context.Context, accountID, pathPrefix, after string, limit int) ([]Role, error)
	SetTrustPolicy(ctx context.Context, roleID, document string) error
	DeleteRole(ctx context.Context, id string) error

	// PutInlinePolicy creates or replaces the owner's policy of that name.
	PutInlinePolicy(ctx context.Context, p InlinePolicy) error
	GetInlinePolicy(ctx context.Context, o PolicyOwner, name string) (InlinePolicy, error)
	// ListInlinePolicies returns the owner's policies by name.
	ListInlinePolicies(ctx context.Context, o PolicyOwner) ([]InlinePolicy, error)
	DeleteInlinePolicy(ctx context.Context, o PolicyOwner, name string) error
	// AttachPolicy attaches a managed policy; attaching it again is a
	// no-op.
	AttachPolicy(ctx context.Context, o PolicyOwner, policyARN string, at time.Time) error
	// DetachPolicy detaches a managed policy; one not attached is
	// errkind.NotFound.
	DetachPolicy(ctx context.Context, o PolicyOwner, policyARN string) error
	// ListAttachedPolicies returns the ARNs attached to the owner, sorted.
	ListAttachedPolicies(ctx context.Context, o PolicyOwner) ([]string, error)

	// CreateOIDCProvider inserts p; an existing URLKey in the account is
	// errkind.Conflict.
	CreateOIDCProvider(ctx context.Context, p OIDCProvider) error
	GetOIDCProvider(ctx context.Context, accountID, urlKey string) (OIDCProvider, error)
	ListOIDCProviders(ctx context.Context, accountID string) ([]OIDCProvider, error)
	DeleteOIDCProvider(ctx context.Context, accountID, urlKey string) error

	// CreateSession records issued temporary credentials.
	CreateSession(ctx context.Context, s Session) error
	// GetSession returns a session whose role still exists, else
	// errkind.NotFound; expiry is the caller's to check.
	GetSession(ctx context.Context, accessKeyID string) (Session, error)
	// DeleteExpiredSessions removes sessions that expired before t and
	// returns how many.
	DeleteExpiredSessions(ctx context.Context, before time.Time) (int64, error)
	// ListSessionSecrets returns the secret of every stored session by its
	// access key id, and SetSessionSecret replaces one (for re-encrypting
	// secrets at rest); a missing session is errkind.NotFound.
	ListSessionSecrets(ctx context.Context) (map[string]string, error)
	SetSessionSecret(ctx context.Context, accessKeyID, secret string) error
}

// SigningKey is secret key material shared by every replica: authorization
// tokens and pagination tokens are MACed with it.
type SigningKey struct {
	ID        uint32
	Secret    []byte
	CreatedAt time.Time
}

// SigningKeys stores signing keys. A key's id and creation time never
// change; its secret is replaced only by the same secret encrypted anew.
type SigningKeys interface {
	// CreateSigningKey adds a key; an existing id is errkind.Conflict.
	CreateSigningKey(ctx context.Context, k SigningKey) error
	// ListSigningKeys returns all keys, newest first.
	ListSigningKeys(ctx context.Context) ([]SigningKey, error)
	// SetSigningKeySecret replaces the stored secret of key id; a missing
	// key is errkind.NotFound.
	SetSigningKeySecret(ctx context.Context, id uint32, secret []byte) error
	// DeleteSigningKey removes a retired key; a missing key is
	// errkind.NotFound.
	DeleteSigningKey(ctx context.Context, id uint32) error
}

// Revocation revokes authorization tokens before they expire: one token
// (TokenID set), or every token of a principal issued at or before
// IssuedBefore (TokenID empty), in one domain or in all of them.
type Revocation struct {
	ID int64 // set by CreateRevocation; increases with every revocation
	// TokenID is the hex id of the one token revoked, or "".
	TokenID string
	// PrincipalARN is the principal whose tokens are revoked: a root, user
	// or assumed-role session ARN, or a role ARN for every session of the
	// role. For a single token it says whose token it was ("" if unknown).
	PrincipalARN string
	// DomainOwner and Domain limit a principal revocation to one domain;
	// "" matches any.
	DomainOwner  string
	Domain       string
	IssuedBefore time.Time
	// Expires is when the revocation stops mattering: every token it
	// revokes has expired by then, and it may be pruned.
	Expires   time.Time
	Reason    string
	CreatedAt time.Time
}

// Revocations stores token revocations. Revocations are only added, and
// removed once they expire.
type Revocations interface {
	// CreateRevocation inserts r and sets r.ID. A second revocation of the
	// same TokenID is errkind.Conflict.
	CreateRevocation(ctx context.Context, r *Revocation) error
	// ListRevocations returns the revocations that expire after t, by id.
	ListRevocations(ctx context.Context, t time.Time) ([]Revocation, error)
	// RevocationGeneration returns a number that changes with every
	// CreateRevocation, cheap enough to poll: the highest id present
	// (0 for none). A new revocation's id exceeds every id ever given, so
	// the number differs from any earlier answer after a create; pruning
	// may lower it.
	RevocationGeneration(ctx context.Context) (int64, error)
	// DeleteExpiredRevocations removes revocations that expired at or
	// before t and returns how many.
	DeleteExpiredRevocations(ctx context.Context, t time.Time) (int64, error)
}

// Domain is a CodeArtifact domain.
type Domain struct {
	ID             int64
	Owner          string
	Name           string
	EncryptionKey  string
	AssetSizeBytes int64
	CreatedAt      time.Time
}

// Domains stores domains.
type Domains interface {
	// CreateDomain inserts d and sets d.ID. An existing (owner, name) is
	// errkind.Conflict.
	CreateDomain(ctx context.Context, d *Domain) error
	GetDomain(ctx context.Context, owner, name string) (Domain, error)
	GetDomainByID(ctx context.Context, id int64) (Domain, error)
	// ListDomains returns at most limit domains of owner whose names sort
	// after after, in name order.
	ListDomains(ctx context.Context, owner, after string, limit int) ([]Domain, error)
	// DeleteDomain removes the domain row. The caller removes what the
	// domain holds first.
	DeleteDomain(ctx context.Context, id int64) error
	// CountRepositories returns how many repositories the domain holds.
	CountRepositories(ctx context.Context, domainID int64) (int, error)
}

// Repository is a CodeArtifact repository. Upstreams and
// ExternalConnections are filled by GetRepository and GetRepositoryByID,
// not by lists.
type Repository struct {
	ID                  int64
	DomainID            int64
	DomainName          string
	DomainOwner         string
	Name                string
	Administrator       string
	Description         string
	CreatedAt           time.Time
	Upstreams           []string // upstream repository names in priority order
	ExternalConnections []string
}

// RepositoryFilter selects repositories for ListRepositories. Zero fields
// do not filter.
type RepositoryFilter struct {
	DomainID      int64
	Administrator string
	Prefix        string
	// After is the keyset cursor: results sort by (Name, ID) and start
	// strictly after (AfterName, AfterID).
	AfterName string
	AfterID   int64
}

// Repositories stores repositories, their upstream edges and external
// connections.
type Repositories interface {
	// CreateRepository inserts r (not its upstreams or connections) and sets
	// r.ID. An existing name in the domain is errkind.Conflict.
	CreateRepository(ctx context.Context, r *Repository) error
	GetRepository(ctx context.Context, domainID int64, name string) (Repository, error)
	GetRepositoryByID(ctx context.Context, id int64) (Repository, error)
	ListRepositories(ctx context.Context, f RepositoryFilter, limit int) ([]Repository, error)
	SetRepositoryDescription(ctx context.Context, id int64, description string) error
	// SetUpstreams replaces the repository's upstreams, in priority order.
	SetUpstreams(ctx context.Context, id int64, upstreamIDs []int64) error
	// UpstreamGraph returns every upstream edge in the domain: repository
	// id to its upstream ids in priority order.
	UpstreamGraph(ctx context.Context, domainID int64) (map[int64][]int64, error)
	// AddExternalConnection attaches a connection; attaching it twice is
	// errkind.Conflict.
	AddExternalConnection(ctx context.Context, id int64, name string) error
	// AssociatedExternalConnections returns the names of the external
	// connections some repository (of any domain) has, sorted.
	AssociatedExternalConnections(ctx context.Context) ([]string, error)
	// RemoveExternalConnection detaches a connection; a connection that is
	// not attached is errkind.NotFound.
	RemoveExternalConnection(ctx context.Context, id int64, name string) error
	// DeleteRepository removes the repository with its upstream list,
	// connections and packages. The caller checks that nothing has it as
	// an upstream.
	DeleteRepository(ctx context.Context, id int64) error
}

// Resource names a taggable or policy-bearing resource independently of
// its ARN, so that renaming the region never orphans rows.
type Resource struct {
	Kind string // "domain" or "repository"
	ID   int64
}

// Tag is a key-value pair on a resource.
type Tag struct {
	Key   string
	Value string
}

// Tags stores resource tags.
type Tags interface {
	// ListTags returns the resource's tags sorted by key.
	ListTags(ctx context.Context, r Resource) ([]Tag, error)
	// PutTags adds tags, replacing the values of existing keys.
	PutTags(ctx context.Context, r Resource, tags []Tag) error
	// DeleteTags removes the given keys; absent keys are ignored. No keys
	// means all of them.
	DeleteTags(ctx context.Context, r Resource, keys []string) error
}

// Policy is a resource policy document with its revision.
type Policy struct {
	Resource  Resource
	Document  string
	Revision  string
	UpdatedAt time.Time
}

// Policies stores resource policies, at most one per resource.
type Policies interface {
	GetPolicy(ctx context.Context, r Resource) (Policy, error)
	// PutPolicy creates or replaces the resource's policy.
	PutPolicy(ctx context.Context, p Policy) error
	// DeletePolicy removes the resource's policy; none is errkind.NotFound.
	DeletePolicy(ctx context.Context, r Resource) error
}

// Package is a package in one repository.
type Package struct {
	ID           int64
	RepositoryID int64
	artifact.PackageRef
	Origin    artifact.OriginConfig
	CreatedAt time.Time
}

// PackageFilter selects packages for ListPackages. Zero fields do not
// filter; Namespace filters only when HasNamespace is set (the empty
// namespace is a valid filter value).
type PackageFilter struct {
	Format       artifact.Format
	Namespace    string
	HasNamespace bool
	Prefix       string
	// After is the keyset cursor: results sort by (format, namespace,
	// name) and start strictly after it.
	After artifact.PackageRef
}

// Packages stores packages and their npm-style tags.
type Packages interface {
	// EnsurePackage returns the package, creating it with p's origin
	// configuration if it does not exist. p.ID and p.CreatedAt are set.
	EnsurePackage(ctx context.Context, p *Package) (created bool, err error)
	GetPackage(ctx context.Context, repositoryID int64, ref artifact.PackageRef) (Package, error)
	ListPackages(ctx context.Context, repositoryID int64, f PackageFilter, limit int) ([]Package, error)
	SetOriginConfig(ctx context.Context, packageID int64, c artifact.OriginConfig) error
	// DeletePackage removes the package with its versions, assets and tags.
	DeletePackage(ctx context.Context, packageID int64) error
	// PackageTags returns the package's tags: tag name to version.
	PackageTags(ctx context.Context, packageID int64) (map[string]string, error)
	SetPackageTag(ctx context.Context, packageID int64, tag, version string) error
	// DeletePackageTag removes a tag; an absent tag is errkind.NotFound.
	DeletePackageTag(ctx context.Context, packageID int64, tag string) error
}

// Version is a package version in one repository.
type Version struct {
	ID        int64
	PackageID int64
	Version   string
	Status    artifact.Status
	Revision  string
	Origin    artifact.Origin
	Meta      artifact.Meta
	CreatedAt time.Time
	UpdatedAt time.Time
	// Assets are filled by GetVersion, and by ListVersions when asked.
	Assets []artifact.Asset
}

// VersionStamp identifies one state of a stored version: every change to
// a version changes its status, its revision (metadata and assets) or
// its update time, and a version deleted and created again gets a new ID.
type VersionStamp struct {
	ID        int64
	Version   string
	Status    artifact.Status
	Revision  string
	UpdatedAt time.Time
}

// VersionChanges is what changed in a package's versions since a change
// number. Every write of a version (created, updated, deleted, an asset
// added or removed) takes the package's next change number, in the
// order the writes commit.
type VersionChanges struct {
	// Seq is the package's change number the changes bring a reader to:
	// every write numbered up to it is in Changed or Deleted (a few
	// later ones may be too; the next call with since = Seq returns them
	// again).
	Seq int64
	// All says that Changed holds every version of the package: what the
	// reader kept is to be dropped (since was 0, or ahead of the
	// package's number, as after a restore from a backup).
	All bool
	// Changed holds the versions written after since, with their assets,
	// as they are now, by ID.
	Changed []Version
	// Deleted holds the IDs of the versions deleted after since. An ID is
	// never used again: a version in Changed and Deleted is deleted.
	Deleted []int64
}

// Versions stores package versions and their assets. Assets reference
// bytes by SHA-256 within the domain; the store counts each digest once.
type Versions interface {
	// CreateVersion inserts v with its assets and sets v.ID. An existing
	// version of the package is errkind.Conflict.
	CreateVersion(ctx context.Context, domainID int64, v *Version) error
	GetVersion(ctx context.Context, packageID int64, version string) (Version, error)
	// VersionWithPrefix returns the first version, in byte order, whose
	// string begins with prefix ("": any version), with its assets; none is
	// errkind.NotFound. It reads one indexed row however many versions the
	// package has: a check for "a version like this one" asks it.
	VersionWithPrefix(ctx context.Context, packageID int64, prefix string) (Version, error)
	// GetVersionByID returns a version, with its assets, by its id.
	GetVersionByID(ctx context.Context, id int64) (Version, error)
	// ListVersions returns every version of the package, in no particular
	// order (ordering is the format's business).
	ListVersions(ctx context.Context, packageID int64, withAssets bool) ([]Version, error)
	// VersionStampsWithStatus returns what tells apart each version of
	// the package that has the status, without its metadata: a caller
	// looking for the few Unfinished versions among thousands gets a few
	// rows.
	VersionStampsWithStatus(ctx context.Context, packageID int64, status artifact.Status) ([]VersionStamp, error)
	// VersionChanges returns what changed in the package's versions after
	// change number since (0: every version), with their assets: a reader
	// that keeps a package's versions applies the changes to what it kept
	// as of since, and keeps the result as of the number returned. A
	// package that does not exist is errkind.NotFound.
	VersionChanges(ctx context.Context, packageID, since int64) (VersionChanges, error)
	// UpdateVersion replaces the status, revision and metadata of v.
	UpdateVersion(ctx context.Context, v Version) error
	// AddAsset adds an asset to a version; an existing name is
	// errkind.Conflict.
	AddAsset(ctx context.Context, domainID, versionID int64, a artifact.Asset) error
	// RemoveAssets removes all of a version's assets (disposal).
	RemoveAssets(ctx context.Context, versionID int64) error
	// DeleteVersion removes a version and its assets.
	DeleteVersion(ctx context.Context, versionID int64) error
	// DomainAsset returns the stored facts of a digest in a domain.
	DomainAsset(ctx context.Context, domainID int64, sha256 string) (artifact.Asset, error)
	// BlobInUse reports whether any domain references the digest.
	BlobInUse(ctx context.Context, sha256 string) (bool, error)
	// SetDerived records the file a format derives from a digest's bytes
	// (a wheel's METADATA), kept while the domain references the digest;
	// a digest the domain does not reference is errkind.NotFound.
	SetDerived(ctx context.Context, domainID int64, sha256 string, b []byte) error
	// Derived returns what SetDerived recorded: nil if nothing was, and
	// errkind.NotFound if the domain does not reference the digest.
	Derived(ctx context.Context, domainID int64, sha256 string) ([]byte, error)
}

// ConsoleSession is a signed-in browser of the web console, kept in the
// store so that every replica knows it. ID is the SHA-256 (hex) of the
// token in the browser's cookie: a copy of the database signs nobody in.
type ConsoleSession struct {
	ID           string
	AccountID    string
	PrincipalARN string
	// UserID is the IAM user's id ("" for a root): a user deleted and
	// created again under the same name is another user.
	UserID        string
	CSRF          string
	ResetRequired bool
	CreatedAt     time.Time
	LastSeen      time.Time
}

// ConsoleSessions stores the web console's sessions.
type ConsoleSessions interface {
	// CreateConsoleSession inserts s; an existing id is errkind.Conflict.
	CreateConsoleSession(ctx context.Context, s ConsoleSession) error
	GetConsoleSession(ctx context.Context, id string) (ConsoleSession, error)
	// TouchConsoleSession sets a session's LastSeen; SetConsoleSessionReset
	// its ResetRequired. A missing session is errkind.NotFound.
	TouchConsoleSession(ctx context.Context, id string, at time.Time) error
	SetConsoleSessionReset(ctx context.Context, id string, reset bool) error
	DeleteConsoleSession(ctx context.Context, id string) error
	// DeleteExpiredConsoleSessions removes the sessions last seen before
	// idleBefore or created before createdBefore, and returns how many.
	DeleteExpiredConsoleSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error)
}
