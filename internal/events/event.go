package events

import (
	"crypto/sha256"
	"encoding/base64"
	"reflect"
	"strconv"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/store"
)

// The event's constant fields (User Guide, "CodeArtifact event format").
const (
	Source     = "aws.codeartifact"
	DetailType = "CodeArtifact Package Version State Change"
	version    = "0"
)

// Operation types.
const (
	Created = "Created"
	Updated = "Updated"
	Deleted = "Deleted"
)

// Event is a CodeArtifact event, in the order and with the names of the
// User Guide's example.
type Event struct {
	Version    string   `json:"version"`
	ID         string   `json:"id"`
	DetailType string   `json:"detail-type"`
	Source     string   `json:"source"`
	Account    string   `json:"account"`
	Time       string   `json:"time"`
	Region     string   `json:"region"`
	Resources  []string `json:"resources"`
	Detail     Detail   `json:"detail"`
}

// Detail is the detail of a package version state change.
type Detail struct {
	DomainName             string  `json:"domainName"`
	DomainOwner            string  `json:"domainOwner"`
	RepositoryName         string  `json:"repositoryName"`
	PackageFormat          string  `json:"packageFormat"`
	PackageNamespace       *string `json:"packageNamespace"` // null without a namespace
	PackageName            string  `json:"packageName"`
	PackageVersion         string  `json:"packageVersion"`
	PackageVersionState    string  `json:"packageVersionState"`
	PackageVersionRevision string  `json:"packageVersionRevision"`
	Changes                Changes `json:"changes"`
	OperationType          string  `json:"operationType"`
	SequenceNumber         int64   `json:"sequenceNumber"`
	EventDeduplicationID   string  `json:"eventDeduplicationId"`
}

// Changes counts what the change did to the version.
type Changes struct {
	AssetsAdded     int  `json:"assetsAdded"`
	AssetsRemoved   int  `json:"assetsRemoved"`
	MetadataUpdated bool `json:"metadataUpdated"`
	AssetsUpdated   int  `json:"assetsUpdated"`
	StatusChanged   bool `json:"statusChanged"`
}

// detailOf describes a change, without its sequence number and
// deduplication id.
func detailOf(c catalog.VersionChange) Detail {
	r := c.Repository
	d := Detail{DomainName: r.DomainName, DomainOwner: r.DomainOwner, RepositoryName: r.Name,
		PackageFormat: string(c.Ref.Format), PackageName: c.Ref.Name}
	if c.Ref.Namespace != "" {
		ns := c.Ref.Namespace
		d.PackageNamespace = &ns
	}
	switch {
	case c.Before == nil:
		v := c.After
		d.OperationType = Created
		d.Changes = Changes{AssetsAdded: len(v.Assets), MetadataUpdated: true, StatusChanged: true}
	case c.After == nil:
		v := c.Before
		d.OperationType = Deleted
		d.Changes = Changes{AssetsRemoved: len(v.Assets)}
	default:
		d.OperationType = Updated
		d.Changes = diff(*c.Before, *c.After)
	}
	v := c.After
	if v == nil {
		v = c.Before
	}
	d.PackageVersion, d.PackageVersionState, d.PackageVersionRevision = v.Version, string(v.Status), v.Revision
	return d
}

// diff counts assets added, removed and replaced by name, and whether the
// metadata or the status changed.
func diff(before, after store.Version) Changes {
	var c Changes
	had := map[string]string{}
	for _, a := range before.Assets {
		had[a.Name] = a.SHA256
	}
	for _, a := range after.Assets {
		old, ok := had[a.Name]
		switch {
		case !ok:
			c.AssetsAdded++
		case old != a.SHA256:
			c.AssetsUpdated++
		}
		delete(had, a.Name)
	}
	c.AssetsRemoved = len(had)
	c.MetadataUpdated = !reflect.DeepEqual(before.Meta, after.Meta)
	c.StatusChanged = before.Status != after.Status
	return c
}

// packageARN is the event's resource.
func packageARN(region string, c catalog.VersionChange) string {
	r := c.Repository
	return arn.Package(region, r.DomainOwner, r.DomainName, r.Name, string(c.Ref.Format), c.Ref.Namespace, c.Ref.Name)
}

// deduplicationID is the same for every copy of one change: it names the
// package and its sequence number.
func deduplicationID(packageARN string, seq int64) string {
	sum := sha256.Sum256([]byte(packageARN + "\n" + strconv.FormatInt(seq, 10)))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Recipients are the accounts an event of repository r goes to: the domain
// owner, and the repository's administrator when it is another account.
func Recipients(r store.Repository) []string {
	if r.Administrator == "" || r.Administrator == r.DomainOwner {
		return []string{r.DomainOwner}
	}
	return []string{r.DomainOwner, r.Administrator}
}

// eventTime is the event's time: UTC to the second, as in the guide.
func eventTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
