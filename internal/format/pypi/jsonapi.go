package pypi

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	pep440 "github.com/aquasecurity/go-pep440-version"

	"github.com/arcahq/arca/internal/format/rendered"
)

// The JSON API, which CodeArtifact does not offer but many tools read
// (poetry, pip-audit, dependency bots): GET pypi/{project}/json and GET
// pypi/{project}/{version}/json, in PyPI's shape. File URLs are absolute
// and point at this server.
//
// Spec: the Warehouse documentation (PyPI's own server), "JSON API".

// jsonInfo is the JSON API's "info".
type jsonInfo struct {
	Author                 string            `json:"author"`
	AuthorEmail            string            `json:"author_email"`
	BugtrackURL            *string           `json:"bugtrack_url"`
	Classifiers            []string          `json:"classifiers"`
	Description            string            `json:"description"`
	DescriptionContentType *string           `json:"description_content_type"`
	DocsURL                *string           `json:"docs_url"`
	DownloadURL            string            `json:"download_url"`
	Downloads              map[string]int    `json:"downloads"`
	Dynamic                []string          `json:"dynamic"`
	HomePage               string            `json:"home_page"`
	Keywords               string            `json:"keywords"`
	License                string            `json:"license"`
	LicenseExpression      *string           `json:"license_expression"`
	LicenseFiles           []string          `json:"license_files"`
	Maintainer             string            `json:"maintainer"`
	MaintainerEmail        string            `json:"maintainer_email"`
	Name                   string            `json:"name"`
	PackageURL             string            `json:"package_url"`
	Platform               *string           `json:"platform"`
	ProjectURL             string            `json:"project_url"`
	ProjectURLs            map[string]string `json:"project_urls"`
	ProvidesExtra          []string          `json:"provides_extra"`
	ReleaseURL             string            `json:"release_url"`
	RequiresDist           []string          `json:"requires_dist"`
	RequiresPython         *string           `json:"requires_python"`
	Summary                string            `json:"summary"`
	Version                string            `json:"version"`
	Yanked                 bool              `json:"yanked"`
	YankedReason           *string           `json:"yanked_reason"`
}

// jsonURL is a file of the JSON API's "urls" and "releases".
type jsonURL struct {
	CommentText       string            `json:"comment_text"`
	Digests           map[string]string `json:"digests"`
	Downloads         int               `json:"downloads"`
	Filename          string            `json:"filename"`
	HasSig            bool              `json:"has_sig"`
	MD5Digest         string            `json:"md5_digest"`
	PackageType       string            `json:"packagetype"`
	PythonVersion     string            `json:"python_version"`
	RequiresPython    *string           `json:"requires_python"`
	Size              int64             `json:"size"`
	UploadTime        string            `json:"upload_time"`
	UploadTimeISO8601 string            `json:"upload_time_iso_8601"`
	URL               string            `json:"url"`
	Yanked            bool              `json:"yanked"`
	YankedReason      *string           `json:"yanked_reason"`
}

type jsonDocument struct {
	Info            jsonInfo             `json:"info"`
	LastSerial      int64                `json:"last_serial"`
	Releases        map[string][]jsonURL `json:"releases,omitempty"`
	URLs            []jsonURL            `json:"urls"`
	Vulnerabilities []any                `json:"vulnerabilities"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (p Project) info(r Release, baseURL string) jsonInfo {
	meta := p.meta(r)
	e := ParseExtra(meta.Extra)
	md := e.Metadata
	if md == nil {
		md = &Metadata{}
	}
	name := md.Name
	if name == "" {
		name = meta.DisplayName
	}
	if name == "" {
		name = p.Name
	}
	version := md.Version
	if version == "" {
		version = r.Version
	}
	urls := md.ProjectURLMap()
	if len(urls) == 0 {
		urls = nil
	}
	return jsonInfo{
		Author: md.Author, AuthorEmail: md.AuthorEmail,
		Classifiers: nonNil(md.Classifiers), Description: meta.Readme,
		DescriptionContentType: optional(md.DescriptionContentType),
		DownloadURL:            md.DownloadURL, Downloads: map[string]int{"last_day": -1, "last_month": -1, "last_week": -1},
		Dynamic: md.Dynamic, HomePage: md.HomePage, Keywords: md.Keywords, License: md.License,
		LicenseExpression: optional(md.LicenseExpression), LicenseFiles: md.LicenseFiles,
		Maintainer: md.Maintainer, MaintainerEmail: md.MaintainerEmail, Name: name,
		PackageURL: baseURL + "simple/" + p.Name + "/", ProjectURL: baseURL + "simple/" + p.Name + "/",
		ProjectURLs: urls, ProvidesExtra: md.ProvidesExtra,
		ReleaseURL:   baseURL + "pypi/" + p.Name + "/" + r.Version + "/json",
		RequiresDist: md.RequiresDist, RequiresPython: optional(md.RequiresPython),
		Summary: meta.Summary, Version: version,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (p Project) urls(r Release, baseURL string) []jsonURL {
	out := []jsonURL{}
	for _, d := range r.Files {
		plain, iso := uploadTime(d.UploadTime)
		u := jsonURL{
			Digests: map[string]string{}, Downloads: -1, Filename: d.Filename, MD5Digest: d.MD5,
			PackageType: d.PackageType, PythonVersion: d.PythonVersion, RequiresPython: optional(d.RequiresPython),
			Size: d.Size, UploadTime: plain, UploadTimeISO8601: iso,
			URL: baseURL + FilePath(p.Name, r.Version, d.Filename),
		}
		if d.SHA256 != "" {
			u.Digests["sha256"] = d.SHA256
		}
		if d.MD5 != "" {
			u.Digests["md5"] = d.MD5
		}
		out = append(out, u)
	}
	return out
}

// latest is the release the project's "info" describes: the highest
// listed final release, else the highest listed one.
func latest(listed []*Release) (Release, bool) {
	for i := len(listed) - 1; i >= 0; i-- {
		if v, err := pep440.Parse(listed[i].Version); err == nil && !v.IsPreRelease() {
			return *listed[i], true
		}
	}
	if len(listed) == 0 {
		return Release{}, false
	}
	return *listed[len(listed)-1], true
}

// ProjectJSON renders GET pypi/{project}/json: the latest release's info
// and files, and every listed release's files. ok is false when no
// release is listed.
func (p Project) ProjectJSON(baseURL string) (body []byte, ok bool) {
	d, ok := p.ProjectJSONDoc(baseURL)
	if !ok {
		return nil, false
	}
	return d.Bytes(), true
}

// ProjectJSONDoc is ProjectJSON ready to send: "releases" is runs of each
// release's entry (in the order encoding/json gives a map's keys, byte
// order), the rest marshalled.
func (p Project) ProjectJSONDoc(baseURL string) (*rendered.Doc, bool) {
	listed := p.Listed()
	r, ok := latest(listed)
	if !ok {
		return nil, false
	}
	doc := struct {
		Info            jsonInfo        `json:"info"`
		LastSerial      int64           `json:"last_serial"`
		Releases        json.RawMessage `json:"releases"`
		URLs            []jsonURL       `json:"urls"`
		Vulnerabilities []any           `json:"vulnerabilities"`
	}{Info: p.info(r, baseURL), Releases: json.RawMessage("0"), URLs: p.urls(r, baseURL), Vulnerabilities: []any{}}
	out := marshal(doc)
	const member = `"releases":0`
	i := bytes.Index(out, []byte(member))
	byKey := slices.Clone(listed)
	slices.SortFunc(byKey, func(a, b *Release) int { return strings.Compare(a.Version, b.Version) })
	parts := []*rendered.Part{rendered.NewPartOnce(append(out[:i+len(member)-1:i+len(member)-1], '{'))}
	parts = append(parts, p.runParts(rendered.Entries{
		Scope: p.Name + "\x00jsonapi\x00" + baseURL, Len: len(byKey), Sep: ",",
		Name:     func(i int) string { return byKey[i].Version },
		Revision: func(i int) string { return byKey[i].Revision },
		Render: func(i int) []byte {
			return slices.Concat(bytes.TrimSuffix(marshal(byKey[i].Version), []byte("\n")), []byte{':'},
				bytes.TrimSuffix(marshal(p.urls(*byKey[i], baseURL)), []byte("\n")))
		},
	}, byKey, byVersionString)...)
	parts = append(parts, rendered.NewPartOnce(append([]byte{'}'}, out[i+len(member):]...)))
	return rendered.Assemble("application/json", parts...), true
}

// ReleaseJSON renders GET pypi/{project}/{version}/json for a release
// (Published or Unlisted: an explicit request, like a download).
func (p Project) ReleaseJSON(r Release, baseURL string) []byte {
	return marshal(jsonDocument{Info: p.info(r, baseURL), URLs: p.urls(r, baseURL), Vulnerabilities: []any{}})
}
