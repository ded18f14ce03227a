package swift

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

// MaxMetadata bounds the metadata part of a publish.
const MaxMetadata = 256 << 10

// Metadata is the release metadata a publisher sends (SE-0292 §4.6,
// "Package release metadata standards"); fields Arca reads.
type Metadata struct {
	Author *struct {
		Name string `json:"name"`
	} `json:"author,omitempty"`
	Description    string   `json:"description,omitempty"`
	LicenseURL     string   `json:"licenseURL,omitempty"`
	ReadmeURL      string   `json:"readmeURL,omitempty"`
	RepositoryURLs []string `json:"repositoryURLs,omitempty"`
	// Raw is the object as sent, which the release metadata serves back.
	Raw json.RawMessage `json:"-"`
}

// ParseMetadata parses the metadata part: a JSON object whose known fields
// have their types, and absolute URLs where the spec has URLs. An empty
// part is no metadata ({}).
func ParseMetadata(b []byte) (Metadata, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		b = []byte("{}")
	}
	if len(b) > MaxMetadata {
		return Metadata{}, errkind.Validationf("The release metadata is larger than %d bytes", MaxMetadata)
	}
	var m Metadata
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
		return Metadata{}, errkind.Validationf("The release metadata is not a JSON object")
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return Metadata{}, errkind.Validationf("The release metadata is invalid: %v", err)
	}
	for _, u := range []string{m.LicenseURL, m.ReadmeURL} {
		if p, err := url.Parse(u); u != "" && (err != nil || p.Scheme == "" || p.Host == "") {
			return Metadata{}, errkind.Validationf("The release metadata has an invalid URL %q", u)
		}
	}
	// Repository URLs may be scp-like ("git@host:owner/repo.git"), as
	// SE-0292's examples show: any string without spaces or controls.
	for _, u := range m.RepositoryURLs {
		if u == "" || len(u) > 2048 || strings.IndexFunc(u, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0 {
			return Metadata{}, errkind.Validationf("The release metadata has an invalid repository URL %q", u)
		}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		return Metadata{}, errkind.Validationf("The release metadata is not valid JSON")
	}
	m.Raw = compact.Bytes()
	return m, nil
}

// Meta is what the control plane describes of the release.
func (m Metadata) Meta() artifact.Meta {
	meta := artifact.Meta{Summary: m.Description, Extra: m.Raw}
	if len(m.RepositoryURLs) > 0 {
		meta.SourceCodeRepository = m.RepositoryURLs[0]
	}
	if m.LicenseURL != "" {
		meta.Licenses = []artifact.License{{URL: m.LicenseURL}}
	}
	return meta
}

// stored reads back the metadata of a published release (Meta.Extra).
func stored(extra json.RawMessage) Metadata {
	m, err := ParseMetadata(extra)
	if err != nil {
		return Metadata{Raw: json.RawMessage("{}")}
	}
	return m
}

// NormalizeURL is how repository URLs compare in an identifiers lookup:
// scheme and host lower case, no trailing ".git" or "/".
func NormalizeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	p.Scheme = strings.ToLower(p.Scheme)
	p.Host = strings.ToLower(p.Host)
	s := p.String()
	for {
		t := strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".git")
		if t == s {
			return s
		}
		s = t
	}
}
