package pypi

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"path"
	"strings"
	"time"
)

// Reading the project pages of another package index (the public index
// behind public:pypi), in either form of the simple API.
//
// Spec: https://packaging.python.org/en/latest/specifications/simple-repository-api/

// IndexFile is a file listed on a project page of a package index.
type IndexFile struct {
	Filename string
	URL      string // absolute, without the fragment
	// Hashes are the digests the page declares, by lower-case algorithm
	// name ("sha256", "md5", ...), as lower-case hex.
	Hashes         map[string]string
	RequiresPython string
	// MetadataSHA256 is the SHA-256 of the file's core metadata when the
	// index serves it as "{url}.metadata" (PEP 658/714); HasMetadata says
	// it serves one, with or without a hash.
	MetadataSHA256 string
	HasMetadata    bool
	Yanked         bool
	Size           int64 // -1 when the page does not say
	UploadTime     time.Time
}

// hashNames are the algorithms hashes are read for.
var hashNames = map[string]bool{"md5": true, "sha1": true, "sha224": true, "sha256": true, "sha384": true, "sha512": true}

// ParseIndexJSON reads a PEP 691 project page. Relative file URLs are
// resolved against base (the page's URL).
func ParseIndexJSON(data []byte, base *url.URL) ([]IndexFile, error) {
	var doc struct {
		Meta struct {
			APIVersion string `json:"api-version"`
		} `json:"meta"`
		Files []struct {
			Filename       string            `json:"filename"`
			URL            string            `json:"url"`
			Hashes         map[string]string `json:"hashes"`
			RequiresPython *string           `json:"requires-python"`
			Yanked         json.RawMessage   `json:"yanked"`
			CoreMetadata   json.RawMessage   `json:"core-metadata"`
			DistInfoMeta   json.RawMessage   `json:"dist-info-metadata"`
			Size           *int64            `json:"size"`
			UploadTime     *string           `json:"upload-time"`
		} `json:"files"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not a PEP 691 project page: %w", err)
	}
	if major, _, _ := strings.Cut(doc.Meta.APIVersion, "."); major != "1" {
		return nil, fmt.Errorf("simple API version %q is not 1.x", doc.Meta.APIVersion)
	}
	out := make([]IndexFile, 0, len(doc.Files))
	for _, f := range doc.Files {
		file := IndexFile{Filename: f.Filename, Hashes: map[string]string{}, Size: -1}
		u, err := base.Parse(f.URL)
		if err != nil || f.Filename == "" {
			continue
		}
		u.Fragment, u.RawFragment = "", ""
		file.URL = u.String()
		for alg, h := range f.Hashes {
			addHash(file.Hashes, alg, h)
		}
		if f.RequiresPython != nil {
			file.RequiresPython = *f.RequiresPython
		}
		// "yanked" is false, true or the reason.
		s := strings.TrimSpace(string(f.Yanked))
		file.Yanked = s != "" && s != "false" && s != "null"
		// "core-metadata" (PEP 714), or the older "dist-info-metadata":
		// false, true, or the hashes of the metadata file.
		meta := f.CoreMetadata
		if len(meta) == 0 || string(meta) == "null" {
			meta = f.DistInfoMeta
		}
		var hashes map[string]string
		switch strings.TrimSpace(string(meta)) {
		case "", "null", "false":
		case "true":
			file.HasMetadata = true
		default:
			if json.Unmarshal(meta, &hashes) == nil {
				file.HasMetadata = true
				m := map[string]string{}
				for alg, h := range hashes {
					addHash(m, alg, h)
				}
				file.MetadataSHA256 = m["sha256"]
			}
		}
		if f.Size != nil {
			file.Size = *f.Size
		}
		if f.UploadTime != nil {
			if t, err := time.Parse(time.RFC3339Nano, *f.UploadTime); err == nil {
				file.UploadTime = t.UTC()
			}
		}
		out = append(out, file)
	}
	return out, nil
}

func addHash(m map[string]string, alg, h string) {
	alg, h = strings.ToLower(alg), strings.ToLower(strings.TrimSpace(h))
	if !hashNames[alg] {
		return
	}
	if _, err := hex.DecodeString(h); err != nil || h == "" {
		return
	}
	m[alg] = h
}

// ParseIndexHTML reads a PEP 503 project page: every anchor is a file, its
// text (or the last segment of its URL) the file name, "#sha256=..." on the
// URL its hash, data-requires-python and data-yanked its attributes. A
// <base href> changes what relative URLs are resolved against. The page
// need not be well-formed HTML: anchors are found by a lenient tokenizer.
func ParseIndexHTML(data []byte, base *url.URL) ([]IndexFile, error) {
	s := string(data)
	var out []IndexFile
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			break
		}
		i += lt
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		name, attrs, next := tag(s, i+1)
		i = next
		switch name {
		case "base":
			if h, ok := attrs["href"]; ok {
				if u, err := base.Parse(h); err == nil {
					base = u
				}
			}
		case "a":
			end := indexCloseA(s[i:])
			text := ""
			if end >= 0 {
				text = strings.TrimSpace(html.UnescapeString(stripTags(s[i : i+end])))
			}
			href, ok := attrs["href"]
			if !ok {
				continue
			}
			if f, ok := indexLink(base, href, text, attrs); ok {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// indexLink makes a file of an anchor.
func indexLink(base *url.URL, href, text string, attrs map[string]string) (IndexFile, bool) {
	u, err := base.Parse(href)
	if err != nil {
		return IndexFile{}, false
	}
	f := IndexFile{Hashes: map[string]string{}, Size: -1, RequiresPython: attrs["data-requires-python"]}
	if alg, h, ok := strings.Cut(u.Fragment, "="); ok {
		addHash(f.Hashes, alg, h)
	}
	u.Fragment, u.RawFragment = "", ""
	f.URL = u.String()
	_, f.Yanked = attrs["data-yanked"]
	meta, ok := attrs["data-core-metadata"]
	if !ok {
		meta, ok = attrs["data-dist-info-metadata"]
	}
	if ok && meta != "false" {
		f.HasMetadata = true
		if alg, h, ok := strings.Cut(meta, "="); ok {
			m := map[string]string{}
			addHash(m, alg, h)
			f.MetadataSHA256 = m["sha256"]
		}
	}
	f.Filename = text
	if f.Filename == "" || strings.ContainsAny(f.Filename, "/\\") {
		f.Filename = path.Base(u.Path)
	}
	if f.Filename == "" || f.Filename == "/" || f.Filename == "." {
		return IndexFile{}, false
	}
	return f, true
}

// tag reads a start tag after its "<" at i: its lower-case name, its
// attributes (lower-case names, unescaped values) and where it ends.
func tag(s string, i int) (name string, attrs map[string]string, next int) {
	j := i
	for j < len(s) && isTagNameByte(s[j]) {
		j++
	}
	name = strings.ToLower(s[i:j])
	if name != "a" && name != "base" {
		end := strings.IndexByte(s[j:], '>')
		if end < 0 {
			return "", nil, len(s)
		}
		return name, nil, j + end + 1
	}
	attrs = map[string]string{}
	for j < len(s) {
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r' || s[j] == '\f' || s[j] == '/') {
			j++
		}
		if j >= len(s) || s[j] == '>' {
			break
		}
		k := j
		for j < len(s) && !strings.ContainsRune(" \t\n\r\f/>=", rune(s[j])) {
			j++
		}
		key := strings.ToLower(s[k:j])
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
			j++
		}
		value := ""
		if j < len(s) && s[j] == '=' {
			j++
			for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
				j++
			}
			if j < len(s) && (s[j] == '"' || s[j] == '\'') {
				q := s[j]
				end := strings.IndexByte(s[j+1:], q)
				if end < 0 {
					return name, attrs, len(s)
				}
				value = s[j+1 : j+1+end]
				j += end + 2
			} else {
				v := j
				for j < len(s) && !strings.ContainsRune(" \t\n\r\f>", rune(s[j])) {
					j++
				}
				value = s[v:j]
			}
		}
		if _, dup := attrs[key]; !dup && key != "" {
			attrs[key] = html.UnescapeString(value)
		}
	}
	if j < len(s) {
		j++ // the ">"
	}
	return name, attrs, j
}

// indexCloseA returns the index of the first "</a" in s, in any case
// (strings.ToLower would change the length of invalid UTF-8).
func indexCloseA(s string) int {
	for i := 0; i+3 <= len(s); i++ {
		if s[i] == '<' && s[i+1] == '/' && (s[i+2] == 'a' || s[i+2] == 'A') {
			return i
		}
	}
	return -1
}

func isTagNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// stripTags drops the tags inside an anchor's text.
func stripTags(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	in := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '<':
			in = true
		case s[i] == '>' && in:
			in = false
		case !in:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
