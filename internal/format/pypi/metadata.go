package pypi

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

// MaxMetadataSize bounds a core metadata file (a wheel's METADATA, an
// sdist's PKG-INFO): the long description is in it, and PyPI refuses
// those beyond a few megabytes.
const MaxMetadataSize = 8 << 20

// Metadata is a distribution's core metadata, as METADATA and PKG-INFO
// files and the upload API's form fields carry it. Multiple-use fields
// keep their order. It is also what the JSON API's "info" is made from,
// so it is kept (without Description, which is the readme) in every
// version's Extra.
//
// Spec: https://packaging.python.org/en/latest/specifications/core-metadata/
type Metadata struct {
	MetadataVersion        string   `json:"metadata_version,omitempty"`
	Name                   string   `json:"name"`
	Version                string   `json:"version"`
	Summary                string   `json:"summary,omitempty"`
	Description            string   `json:"-"`
	DescriptionContentType string   `json:"description_content_type,omitempty"`
	Keywords               string   `json:"keywords,omitempty"`
	HomePage               string   `json:"home_page,omitempty"`
	DownloadURL            string   `json:"download_url,omitempty"`
	Author                 string   `json:"author,omitempty"`
	AuthorEmail            string   `json:"author_email,omitempty"`
	Maintainer             string   `json:"maintainer,omitempty"`
	MaintainerEmail        string   `json:"maintainer_email,omitempty"`
	License                string   `json:"license,omitempty"`
	LicenseExpression      string   `json:"license_expression,omitempty"`
	LicenseFiles           []string `json:"license_files,omitempty"`
	Classifiers            []string `json:"classifiers,omitempty"`
	RequiresDist           []string `json:"requires_dist,omitempty"`
	RequiresPython         string   `json:"requires_python,omitempty"`
	RequiresExternal       []string `json:"requires_external,omitempty"`
	// ProjectURLs are "Label, URL" entries.
	ProjectURLs   []string `json:"project_urls,omitempty"`
	ProvidesExtra []string `json:"provides_extra,omitempty"`
	Platforms     []string `json:"platforms,omitempty"`
	Dynamic       []string `json:"dynamic,omitempty"`
}

// field says where a metadata field goes: a single value (set) or one
// more entry of a multiple-use field (add); multiline fields keep their
// line breaks.
type field struct {
	set       func(m *Metadata, v string)
	add       func(m *Metadata, v string)
	multiline bool
}

// fields are the core metadata fields Arca reads, by lower-case name.
// Unknown fields are ignored, as installers ignore them.
var fields = map[string]field{
	"metadata-version":         {set: func(m *Metadata, v string) { m.MetadataVersion = v }},
	"name":                     {set: func(m *Metadata, v string) { m.Name = v }},
	"version":                  {set: func(m *Metadata, v string) { m.Version = v }},
	"summary":                  {set: func(m *Metadata, v string) { m.Summary = v }},
	"description":              {set: func(m *Metadata, v string) { m.Description = v }, multiline: true},
	"description-content-type": {set: func(m *Metadata, v string) { m.DescriptionContentType = v }},
	"keywords":                 {set: func(m *Metadata, v string) { m.Keywords = v }},
	"home-page":                {set: func(m *Metadata, v string) { m.HomePage = v }},
	"download-url":             {set: func(m *Metadata, v string) { m.DownloadURL = v }},
	"author":                   {set: func(m *Metadata, v string) { m.Author = v }},
	"author-email":             {set: func(m *Metadata, v string) { m.AuthorEmail = v }},
	"maintainer":               {set: func(m *Metadata, v string) { m.Maintainer = v }},
	"maintainer-email":         {set: func(m *Metadata, v string) { m.MaintainerEmail = v }},
	"license":                  {set: func(m *Metadata, v string) { m.License = v }, multiline: true},
	"license-expression":       {set: func(m *Metadata, v string) { m.LicenseExpression = v }},
	"license-file":             {add: func(m *Metadata, v string) { m.LicenseFiles = append(m.LicenseFiles, v) }},
	"classifier":               {add: func(m *Metadata, v string) { m.Classifiers = append(m.Classifiers, v) }},
	"requires-dist":            {add: func(m *Metadata, v string) { m.RequiresDist = append(m.RequiresDist, v) }},
	"requires-python":          {set: func(m *Metadata, v string) { m.RequiresPython = v }},
	"requires-external":        {add: func(m *Metadata, v string) { m.RequiresExternal = append(m.RequiresExternal, v) }},
	"project-url":              {add: func(m *Metadata, v string) { m.ProjectURLs = append(m.ProjectURLs, v) }},
	"provides-extra":           {add: func(m *Metadata, v string) { m.ProvidesExtra = append(m.ProvidesExtra, v) }},
	"platform":                 {add: func(m *Metadata, v string) { m.Platforms = append(m.Platforms, v) }},
	"dynamic":                  {add: func(m *Metadata, v string) { m.Dynamic = append(m.Dynamic, v) }},
}

// ParseMetadata reads a core metadata file: RFC 822 style headers, folded
// lines continued by leading whitespace, then, after an empty line, the
// description as the body (metadata 2.1 and later). It reads as Python's
// email parser does for these files, leniently: a line that is neither a
// header nor a continuation ends the headers and starts the body, and
// bytes that are not UTF-8 become U+FFFD. A description in a header has
// the 8-space (or 7 spaces and "|") indentation setuptools adds to its
// lines removed. Beyond limit bytes the file is refused.
//
// Spec: https://packaging.python.org/en/latest/specifications/core-metadata/
func ParseMetadata(r io.Reader, limit int64) (*Metadata, error) {
	if limit <= 0 {
		limit = MaxMetadataSize
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, errkind.Wrap(errkind.Validation, err, "Could not read the core metadata: %v", err)
	}
	if int64(len(data)) > limit {
		return nil, errkind.Quotaf("The core metadata is larger than %d bytes", limit)
	}
	text := string(data)
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	m := &Metadata{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), len(text)+1)
	sc.Split(scanLines)
	var name, value string
	var cont []string
	flush := func() {
		if name == "" {
			return
		}
		f, ok := fields[strings.ToLower(name)]
		name = ""
		if !ok {
			return
		}
		v := joinFolded(value, cont, f.multiline)
		if f.add != nil {
			f.add(m, v)
		} else {
			f.set(m, v)
		}
	}
	var body strings.Builder
	inBody := false
	for sc.Scan() {
		line := sc.Text()
		if inBody {
			body.WriteString(line)
			body.WriteByte('\n')
			continue
		}
		switch {
		case line == "":
			flush()
			inBody = true
		case line[0] == ' ' || line[0] == '\t':
			if name == "" {
				inBody = true // a continuation of nothing: Python takes it as the body
				body.WriteString(line)
				body.WriteByte('\n')
				continue
			}
			cont = append(cont, line)
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok || !validHeaderName(k) {
				flush()
				inBody = true
				body.WriteString(line)
				body.WriteByte('\n')
				continue
			}
			flush()
			name, value, cont = k, strings.TrimLeft(v, " \t"), cont[:0]
		}
	}
	flush()
	if b := strings.TrimRight(body.String(), "\n"); b != "" && (strings.TrimSpace(m.Description) == "" || m.Description == "UNKNOWN") {
		m.Description = b + "\n"
	}
	// Old setuptools wrote UNKNOWN for every field a project left empty.
	for _, p := range []*string{&m.Summary, &m.Description, &m.HomePage, &m.DownloadURL, &m.Author, &m.AuthorEmail,
		&m.Maintainer, &m.MaintainerEmail, &m.License, &m.Keywords} {
		if *p == "UNKNOWN" {
			*p = ""
		}
	}
	return m, nil
}

// scanLines splits on "\n", dropping a "\r" before it and keeping a last
// line without one.
func scanLines(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, bytes.TrimSuffix(data[:i], []byte{'\r'}), nil
	}
	if atEOF && len(data) > 0 {
		return len(data), bytes.TrimSuffix(data, []byte{'\r'}), nil
	}
	return 0, nil, nil
}

// validHeaderName reports whether s is an RFC 822 field name: printable
// ASCII without spaces or colons.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// joinFolded joins a header's first line with its continuation lines.
// Multiline fields keep the line breaks, each continuation without the
// indentation setuptools wrote (8 spaces, or 7 and a "|"); the others are
// unfolded into one line.
func joinFolded(first string, cont []string, multiline bool) string {
	first = strings.TrimRight(first, " \t")
	if len(cont) == 0 {
		return first
	}
	var b strings.Builder
	b.WriteString(first)
	for _, c := range cont {
		if multiline {
			b.WriteByte('\n')
			switch {
			case strings.HasPrefix(c, "       |"):
				c = c[8:]
			case strings.HasPrefix(c, "        "):
				c = c[8:]
			case strings.HasPrefix(c, "\t"):
				c = c[1:]
			default:
				c = strings.TrimLeft(c, " ")
			}
			b.WriteString(strings.TrimRight(c, " \t"))
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.TrimSpace(c))
	}
	return strings.TrimRight(b.String(), "\n")
}

// ProjectURL returns the URL of the first Project-URL whose label, once
// normalised (PEP 753: lower case, without punctuation and whitespace), is
// one of labels.
//
// Spec: https://packaging.python.org/en/latest/specifications/well-known-project-urls/
func (m *Metadata) ProjectURL(labels ...string) string {
	for _, entry := range m.ProjectURLs {
		label, u, ok := strings.Cut(entry, ",")
		if !ok {
			continue
		}
		l := normalizeLabel(label)
		for _, want := range labels {
			if l == want {
				return strings.TrimSpace(u)
			}
		}
	}
	return ""
}

// ProjectURLMap returns the Project-URL entries as the JSON API's
// project_urls: label to URL, the first of each label.
func (m *Metadata) ProjectURLMap() map[string]string {
	out := map[string]string{}
	for _, entry := range m.ProjectURLs {
		label, u, ok := strings.Cut(entry, ",")
		if !ok {
			continue
		}
		label = strings.TrimSpace(label)
		if _, dup := out[label]; !dup && label != "" {
			out[label] = strings.TrimSpace(u)
		}
	}
	return out
}

func normalizeLabel(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if strings.ContainsRune(" \t\n-_.,:;!?'\"()[]{}/\\|", r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// HomePageURL is the version's home page: Home-page, else the Project-URL
// labelled "Homepage" (setuptools and hatch write the latter since
// Home-page was deprecated).
func (m *Metadata) HomePageURL() string {
	if m.HomePage != "" && !strings.EqualFold(m.HomePage, "UNKNOWN") {
		return m.HomePage
	}
	return m.ProjectURL("homepage", "home")
}

// Licenses returns the version's licenses for DescribePackageVersion: the
// SPDX License-Expression (PEP 639) if there is one; else the License
// field when it is a name (one line: many projects paste the whole license
// text there, which is no name); else the license classifiers ("License
// :: OSI Approved :: MIT License" is "MIT License").
func (m *Metadata) Licenses() []artifact.License {
	if m.LicenseExpression != "" {
		return []artifact.License{{Name: m.LicenseExpression}}
	}
	if l := strings.TrimSpace(m.License); l != "" && !strings.Contains(l, "\n") && len(l) <= 255 && !strings.EqualFold(l, "UNKNOWN") {
		return []artifact.License{{Name: l}}
	}
	var out []artifact.License
	seen := map[string]bool{}
	for _, c := range m.Classifiers {
		rest, ok := strings.CutPrefix(c, "License ::")
		if !ok {
			continue
		}
		parts := strings.Split(rest, "::")
		name := strings.TrimSpace(parts[len(parts)-1])
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, artifact.License{Name: name})
		}
	}
	return out
}

// DependencyType is the dependencyType of a PyPI dependency, as the
// CodeArtifact model documents it for the format.
const DependencyType = "Requires-Dist"

// Dependencies returns the Requires-Dist entries as dependencies: the
// normalised name of the project depended on, and as versionRequirement
// the specifier, followed by "; " and the environment marker when the
// requirement has one (so conditional and extra-only requirements remain
// recognisable). Entries that do not parse are left out.
func (m *Metadata) Dependencies() []artifact.Dependency {
	var out []artifact.Dependency
	for _, s := range m.RequiresDist {
		req, err := ParseRequirement(s)
		if err != nil {
			continue
		}
		d := artifact.Dependency{Package: NormalizeName(req.Name), DependencyType: DependencyType, VersionRange: req.Specifier}
		if req.Marker != "" {
			d.VersionRange = strings.TrimSpace(d.VersionRange + "; " + req.Marker)
		}
		out = append(out, d)
	}
	return out
}

// Requirement is a parsed PEP 508 dependency specification.
type Requirement struct {
	Name   string
	Extras []string
	// Specifier is the version specifier without spaces (">=1.0,<2"), or
	// "@ URL" for a direct reference; "" for any version.
	Specifier string
	Marker    string // the environment marker, as written
}

// ParseRequirement parses a Requires-Dist value such as
// `requests[socks] (>=2.0, <3) ; python_version < "3.8"`.
//
// Spec: https://packaging.python.org/en/latest/specifications/dependency-specifiers/
func ParseRequirement(s string) (Requirement, error) {
	var r Requirement
	s = strings.TrimSpace(s)
	if spec, marker, ok := strings.Cut(s, ";"); ok {
		s, r.Marker = strings.TrimSpace(spec), strings.TrimSpace(marker)
	}
	i := 0
	for i < len(s) && (isAlnum(s[i]) || (i > 0 && (s[i] == '.' || s[i] == '_' || s[i] == '-'))) {
		i++
	}
	r.Name = strings.TrimRight(s[:i], "._-")
	if r.Name == "" {
		return r, errkind.Validationf("Invalid requirement %q: no project name", s)
	}
	rest := strings.TrimSpace(s[len(r.Name):])
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return r, errkind.Validationf("Invalid requirement %q: unclosed extras", s)
		}
		for _, e := range strings.Split(rest[1:end], ",") {
			if e = strings.TrimSpace(e); e != "" {
				r.Extras = append(r.Extras, e)
			}
		}
		rest = strings.TrimSpace(rest[end+1:])
	}
	switch {
	case strings.HasPrefix(rest, "@"):
		r.Specifier = "@ " + strings.TrimSpace(rest[1:])
	case strings.HasPrefix(rest, "("):
		if !strings.HasSuffix(rest, ")") {
			return r, errkind.Validationf("Invalid requirement %q: unclosed parenthesis", s)
		}
		rest = rest[1 : len(rest)-1]
		fallthrough
	default:
		r.Specifier = strings.Join(strings.Fields(rest), "")
		for _, c := range r.Specifier {
			if !strings.ContainsRune("<>=!~,.*+-_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", c) {
				return r, errkind.Validationf("Invalid requirement %q: not a version specifier", s)
			}
		}
	}
	return r, nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// Meta returns the format-neutral metadata of a version with this core
// metadata (DescribePackageVersion, the readme and the dependencies);
// Extra is the caller's.
func (m *Metadata) Meta() artifact.Meta {
	return artifact.Meta{
		DisplayName:          m.Name,
		Summary:              m.Summary,
		HomePage:             m.HomePageURL(),
		SourceCodeRepository: m.ProjectURL("source", "sourcecode", "repository", "code", "github"),
		Licenses:             m.Licenses(),
		Dependencies:         m.Dependencies(),
		Readme:               m.Description,
	}
}

// Check checks that the metadata names a project and a PEP 440 version.
func (m *Metadata) Check() error {
	if err := ValidateName(m.Name); err != nil {
		return errkind.Validationf("The core metadata's Name is not valid: %s", errkind.As(err).Message)
	}
	if _, err := NormalizeVersion(m.Version); err != nil {
		return errkind.Validationf("The core metadata's Version is not valid: %s", errkind.As(err).Message)
	}
	return nil
}
