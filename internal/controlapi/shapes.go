package controlapi

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/arcahq/arca/internal/arn"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/store"
)

// Wire shapes of the model, named after their model shapes. Timestamps are
// epoch seconds with milliseconds, which is what rest-json clients parse
// (docs/CLIENTS.md §1.4).

// epoch is a timestamp on the wire.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// tag is the model's Tag.
type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func tagsToStore(ts []tag) []store.Tag {
	out := make([]store.Tag, len(ts))
	for i, t := range ts {
		out[i] = store.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

func tagsFromStore(ts []store.Tag) []tag {
	out := make([]tag, len(ts))
	for i, t := range ts {
		out[i] = tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// domainDescription is the model's DomainDescription.
type domainDescription struct {
	Name            string `json:"name"`
	Owner           string `json:"owner"`
	ARN             string `json:"arn"`
	Status          string `json:"status"`
	CreatedTime     epoch  `json:"createdTime"`
	EncryptionKey   string `json:"encryptionKey"`
	RepositoryCount int    `json:"repositoryCount"`
	AssetSizeBytes  int64  `json:"assetSizeBytes"`
}

func (a *API) domainDescription(d catalog.DomainInfo, status string) *domainDescription {
	return &domainDescription{
		Name: d.Name, Owner: d.Owner, ARN: arn.Domain(a.cfg.Region, d.Owner, d.Name), Status: status,
		CreatedTime: epoch(d.CreatedAt), EncryptionKey: d.EncryptionKey,
		RepositoryCount: d.RepositoryCount, AssetSizeBytes: d.AssetSizeBytes,
	}
}

// domainSummary is the model's DomainSummary.
type domainSummary struct {
	Name          string `json:"name"`
	Owner         string `json:"owner"`
	ARN           string `json:"arn"`
	Status        string `json:"status"`
	CreatedTime   epoch  `json:"createdTime"`
	EncryptionKey string `json:"encryptionKey"`
}

// upstreamRepositoryInfo is the model's UpstreamRepositoryInfo.
type upstreamRepositoryInfo struct {
	RepositoryName string `json:"repositoryName"`
}

// externalConnectionInfo is the model's RepositoryExternalConnectionInfo.
// The status is spelled as the User Guide's examples show it.
type externalConnectionInfo struct {
	ExternalConnectionName string `json:"externalConnectionName"`
	PackageFormat          string `json:"packageFormat"`
	Status                 string `json:"status"`
}

// The status of a repository's external connection. The model's enum has
// one value, AVAILABLE (spelt as the User Guide's examples show it).
// A connection this server has no registry for (no URL configured, or a
// format Arca does not fetch) is NOT_CONFIGURED, a value outside the
// enum: saying AVAILABLE would hide why nothing is ever fetched through
// it, and the SDKs take enum values they do not know as plain strings.
const (
	connectionAvailable     = "AVAILABLE"
	connectionNotConfigured = "NOT_CONFIGURED"
)

// repositoryDescription is the model's RepositoryDescription.
type repositoryDescription struct {
	Name                 string                   `json:"name"`
	AdministratorAccount string                   `json:"administratorAccount"`
	DomainName           string                   `json:"domainName"`
	DomainOwner          string                   `json:"domainOwner"`
	ARN                  string                   `json:"arn"`
	Description          string                   `json:"description,omitempty"`
	Upstreams            []upstreamRepositoryInfo `json:"upstreams"`
	ExternalConnections  []externalConnectionInfo `json:"externalConnections"`
	CreatedTime          epoch                    `json:"createdTime"`
}

func (a *API) repositoryDescription(r store.Repository) *repositoryDescription {
	d := &repositoryDescription{
		Name: r.Name, AdministratorAccount: r.Administrator, DomainName: r.DomainName, DomainOwner: r.DomainOwner,
		ARN: arn.Repository(a.cfg.Region, r.DomainOwner, r.DomainName, r.Name), Description: r.Description,
		Upstreams: []upstreamRepositoryInfo{}, ExternalConnections: []externalConnectionInfo{},
		CreatedTime: epoch(r.CreatedAt),
	}
	for _, u := range r.Upstreams {
		d.Upstreams = append(d.Upstreams, upstreamRepositoryInfo{RepositoryName: u})
	}
	for _, name := range r.ExternalConnections {
		f, _ := a.catalog.ExternalConnectionFormat(name)
		status := connectionAvailable
		if !a.res.Connected(name) {
			status = connectionNotConfigured
		}
		d.ExternalConnections = append(d.ExternalConnections, externalConnectionInfo{ExternalConnectionName: name, PackageFormat: string(f), Status: status})
	}
	return d
}

// repositorySummary is the model's RepositorySummary.
type repositorySummary struct {
	Name                 string `json:"name"`
	AdministratorAccount string `json:"administratorAccount"`
	DomainName           string `json:"domainName"`
	DomainOwner          string `json:"domainOwner"`
	ARN                  string `json:"arn"`
	Description          string `json:"description,omitempty"`
	CreatedTime          epoch  `json:"createdTime"`
}

func (a *API) repositorySummary(r store.Repository) repositorySummary {
	return repositorySummary{
		Name: r.Name, AdministratorAccount: r.Administrator, DomainName: r.DomainName, DomainOwner: r.DomainOwner,
		ARN: arn.Repository(a.cfg.Region, r.DomainOwner, r.DomainName, r.Name), Description: r.Description,
		CreatedTime: epoch(r.CreatedAt),
	}
}

// resourcePolicy is the model's ResourcePolicy.
type resourcePolicy struct {
	ResourceARN string `json:"resourceArn"`
	Revision    string `json:"revision"`
	Document    string `json:"document"`
}

// cursor is what a nextToken carries: where the next page starts.
type cursor struct {
	Name string `json:"n"`
	ID   int64  `json:"i,omitempty"`
	// Format and Namespace complete a package's key (ListPackages).
	Format    string `json:"f,omitempty"`
	Namespace string `json:"s,omitempty"`
}

// nextToken seals c for the operation and the filters that produced it, so
// a token is only good for the listing it came from.
func (a *API) nextToken(c *call, filters string, cur cursor) string {
	b, _ := json.Marshal(cur)
	return a.tokens.Seal(pagePurpose(c, filters), b)
}

// openToken returns the cursor in a nextToken ("" gives the first page).
func (a *API) openToken(c *call, filters, token string) (cursor, error) {
	var cur cursor
	if token == "" {
		return cur, nil
	}
	b, err := a.tokens.Open(pagePurpose(c, filters), token)
	if err != nil {
		return cur, err
	}
	return cur, json.Unmarshal(b, &cur)
}

func pagePurpose(c *call, filters string) string {
	return "page\x00" + c.op.Name + "\x00" + c.principal.Account + "\x00" + filters
}

// pageSize returns maxResults, or the default page size.
func pageSize(maxResults *int) int { return pageSizeOr(maxResults, 50) }

// pageSizeOr returns maxResults, or def when the request has none.
func pageSizeOr(maxResults *int, def int) int {
	if maxResults == nil {
		return def
	}
	return *maxResults
}
