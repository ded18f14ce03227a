package pypi

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/arcahq/arca/internal/errkind"
)

// The legacy upload API, as twine (and uv, poetry, flit, hatch) upload to
// PyPI: a POST of multipart/form-data to the repository URL with
// ":action" file_upload, the core metadata as form fields, the digests of
// the file, and the file itself as the "content" part.
//
// Spec: the Warehouse documentation (PyPI's own server), "Upload API", and
// docs/CLIENTS.md §4.5 for the fields twine 4 sends, in order.

// MaxFormBytes bounds the form fields of an upload together (the long
// description is one of them): every part's header bytes (field names
// included) and every non-file value count against it. MaxFormParts
// bounds the number of parts.
// MaxPartHeader bounds each part's header, checked as the bytes arrive:
// mime/multipart reads a header whole before anything can count it.
const (
	MaxFormBytes  = 32 << 20
	MaxFormParts  = 10000
	MaxPartHeader = 64 << 10
)

// Upload is a parsed upload request; the file went to the ContentFunc.
type Upload struct {
	// Fields are the form fields in the order sent; repeated fields
	// (classifiers, requires_dist, project_urls) have several values.
	Fields map[string][]string
	// Filename is the file name of the "content" part; HasContent says
	// the body had one.
	Filename   string
	HasContent bool
}

// Get returns the first value of a form field, "" when absent.
func (u *Upload) Get(name string) string {
	if v := u.Fields[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// ContentFunc receives the file of an upload while the body is read,
// with the fields sent before it (twine sends them all first). An error
// stops the parse and is returned as is. Reading data to its end is
// optional.
type ContentFunc func(u *Upload, filename string, data io.Reader) error

// FieldFunc is told of each form field once its value is kept, before the
// next part is read. An error stops the parse and is returned as is.
type FieldFunc func(u *Upload, name string) error

// ParseUpload reads an upload request body of the given Content-Type,
// streaming the "content" part to content and keeping the other fields,
// each told to field (when not nil) as it arrives.
// Other file parts (gpg_signature, attestations) are read and dropped:
// Arca serves no signatures.
func ParseUpload(contentType string, body io.Reader, field FieldFunc, content ContentFunc) (*Upload, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		return nil, errkind.Validationf("An upload is a multipart/form-data POST (as twine sends), not %q", contentType)
	}
	mr := multipart.NewReader(&boundedHeaders{r: body, delim: []byte("\n--" + params["boundary"]), matched: 1}, params["boundary"])
	u := &Upload{Fields: map[string][]string{}}
	budget := int64(MaxFormBytes)
	tooLarge := errkind.Quotaf("The form fields of the upload are larger than %d bytes", MaxFormBytes)
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errkind.Wrap(errkind.Validation, err, "Invalid multipart body: %v", err)
		}
		if parts >= MaxFormParts {
			return nil, errkind.Quotaf("The upload has more than %d form parts", MaxFormParts)
		}
		// The header (and so the field name) counts against the budget:
		// names are kept as map keys.
		for k, vs := range part.Header {
			for _, v := range vs {
				budget -= int64(len(k) + len(v))
			}
		}
		if budget < 0 {
			return nil, tooLarge
		}
		name, filename := formNames(part)
		switch {
		case name == "content" && filename != "":
			if u.HasContent {
				return nil, errkind.Validationf("An upload carries one file in its content field")
			}
			// The name as sent: Part.FileName would keep only its last
			// path element, turning "../../x.whl" into "x.whl".
			if err := checkFilename(filename); err != nil {
				return nil, err
			}
			u.HasContent, u.Filename = true, filename
			if content != nil {
				if err := content(u, u.Filename, &partReader{part}); err != nil {
					return nil, err
				}
			}
		case filename != "" || name == "":
			// A signature or attestation file, or an unnamed part.
		default:
			b, err := io.ReadAll(io.LimitReader(part, budget+1))
			if err != nil {
				return nil, errkind.Wrap(errkind.Validation, err, "Invalid multipart body: %v", err)
			}
			budget -= int64(len(b))
			if budget < 0 {
				return nil, tooLarge
			}
			u.Fields[name] = append(u.Fields[name], strings.ToValidUTF8(string(b), "\uFFFD"))
			if field != nil {
				if err := field(u, name); err != nil {
					return nil, err
				}
			}
		}
		if _, err := io.Copy(io.Discard, part); err != nil {
			return nil, errkind.Wrap(errkind.Validation, err, "Invalid multipart body: %v", err)
		}
		part.Close()
	}
	return u, nil
}

// formNames returns a part's form field name and file name from its
// Content-Disposition, as sent ("" when absent or unparsable).
func formNames(p *multipart.Part) (name, filename string) {
	d, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil || d != "form-data" {
		return "", ""
	}
	return params["name"], params["filename"]
}

// partReader turns a broken multipart body into a Validation error
// (assets.Store takes other read errors for a client's bad upload too,
// but a message naming the body helps).
type partReader struct{ p *multipart.Part }

func (r *partReader) Read(b []byte) (int, error) {
	n, err := r.p.Read(b)
	var e *errkind.Error
	if err != nil && err != io.EOF && !errors.As(err, &e) {
		err = errkind.Wrap(errkind.Validation, err, "The file of the upload could not be read: %v", err)
	}
	return n, err
}

// FormMetadata returns the core metadata the form fields carry (the
// upload API names them after core metadata fields, in snake case), for a
// distribution that has no metadata file of its own.
func (u *Upload) FormMetadata() *Metadata {
	m := &Metadata{
		MetadataVersion: u.Get("metadata_version"), Name: u.Get("name"), Version: u.Get("version"),
		Summary: u.Get("summary"), Description: u.Get("description"),
		DescriptionContentType: u.Get("description_content_type"), Keywords: u.Get("keywords"),
		HomePage: u.Get("home_page"), DownloadURL: u.Get("download_url"),
		Author: u.Get("author"), AuthorEmail: u.Get("author_email"),
		Maintainer: u.Get("maintainer"), MaintainerEmail: u.Get("maintainer_email"),
		License: u.Get("license"), LicenseExpression: u.Get("license_expression"),
		LicenseFiles: u.Fields["license_file"], Classifiers: u.Fields["classifiers"],
		RequiresDist: u.Fields["requires_dist"], RequiresPython: u.Get("requires_python"),
		RequiresExternal: u.Fields["requires_external"], ProjectURLs: u.Fields["project_urls"],
		ProvidesExtra: u.Fields["provides_extra"], Platforms: u.Fields["platform"], Dynamic: u.Fields["dynamic"],
	}
	return m
}

// boundedHeaders fails a multipart body as soon as a part's header (the
// bytes from a delimiter line to the blank line that ends the header)
// passes MaxPartHeader. It follows the delimiter "\n--boundary" byte by
// byte: the delimiter starts with the only '\n' it holds, so a mismatch
// restarts the match at 0, or at 1 on a '\n'. (The body's start counts as
// just after a '\n'.)
type boundedHeaders struct {
	r       io.Reader
	delim   []byte
	matched int  // bytes of delim just read
	header  bool // between a delimiter and the blank line after it
	size    int  // header bytes so far
	tail    [2]byte
	err     error
}

func (b *boundedHeaders) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	for _, c := range p[:n] {
		if b.header {
			b.size++
			// The header ends with an empty line: "\n\n" or "\n\r\n".
			if c == '\n' && (b.tail[1] == '\n' || (b.tail[1] == '\r' && b.tail[0] == '\n')) {
				b.header = false
			}
			b.tail[0], b.tail[1] = b.tail[1], c
			if b.size > MaxPartHeader {
				b.err = errkind.Quotaf("A part of the upload has a header larger than %d bytes", MaxPartHeader)
				return 0, b.err
			}
		}
		switch {
		case c == b.delim[b.matched]:
			if b.matched++; b.matched == len(b.delim) {
				b.header, b.size, b.tail, b.matched = true, 0, [2]byte{}, 0
			}
		case c == '\n':
			b.matched = 1
		default:
			b.matched = 0
		}
	}
	return n, err
}
