package pypi_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"golang.org/x/crypto/blake2b"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/pypi"
)

// twineFields are the form fields twine 4.0.2 sends, in its order
// (docs/CLIENTS.md §4.5), before the content part.
var twineFields = []string{
	"name", "version", "filetype", "pyversion", "metadata_version", "summary", "home_page", "author",
	"author_email", "maintainer", "maintainer_email", "license", "description", "keywords", "download_url",
	"comment", "sha256_digest", "requires_python", "description_content_type", "md5_digest",
	"blake2_256_digest", ":action", "protocol_version",
}

// twineBody builds an upload body exactly as twine 4 (requests-toolbelt's
// MultipartEncoder) writes it: every field, empty ones as empty strings,
// then the file. values overrides fields; extra adds repeated fields
// (classifiers, requires_dist) after the others, as twine does for lists.
func twineBody(filename string, data []byte, values map[string]string, extra ...[2]string) (contentType string, body []byte) {
	boundary := "a4b3c1e29f0d4c53a6b1b7e1c0d2f3e4"
	sha := sha256.Sum256(data)
	md := md5.Sum(data)
	b2 := blake2b.Sum256(data)
	v := map[string]string{
		"filetype": "bdist_wheel", "pyversion": "py3", "metadata_version": "2.1",
		"sha256_digest": hex.EncodeToString(sha[:]), "md5_digest": hex.EncodeToString(md[:]),
		"blake2_256_digest": hex.EncodeToString(b2[:]), ":action": "file_upload", "protocol_version": "1",
	}
	for k, x := range values {
		v[k] = x
	}
	var b bytes.Buffer
	for _, f := range twineFields {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", boundary, f, v[f])
	}
	for _, kv := range extra {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", boundary, kv[0], kv[1])
	}
	fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"content\"; filename=\"%s\"\r\nContent-Type: application/octet-stream\r\n\r\n", boundary, filename)
	b.Write(data)
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return "multipart/form-data; boundary=" + boundary, b.Bytes()
}

func TestParseUpload(t *testing.T) {
	data := []byte("wheel bytes\r\n--not a boundary\r\n")
	ct, body := twineBody("hello_ca-1.0.0-py3-none-any.whl", data,
		map[string]string{"name": "Hello_CA", "version": "1.0.0", "summary": "Hi", "description": "# Hello\r\n\r\nworld"},
		[2]string{"classifiers", "A :: B"}, [2]string{"classifiers", "C :: D"}, [2]string{"requires_dist", "requests>=2"})
	var got []byte
	var before map[string][]string
	u, err := pypi.ParseUpload(ct, bytes.NewReader(body), nil, func(u *pypi.Upload, filename string, r io.Reader) error {
		if filename != "hello_ca-1.0.0-py3-none-any.whl" {
			t.Errorf("file name %q", filename)
		}
		before = u.Fields
		got, _ = io.ReadAll(r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) || !u.HasContent || u.Filename != "hello_ca-1.0.0-py3-none-any.whl" {
		t.Errorf("content %q, upload %+v", got, u)
	}
	if before["name"][0] != "Hello_CA" || before[":action"][0] != "file_upload" {
		t.Errorf("the fields before the content: %v", before)
	}
	if u.Get("comment") != "" || u.Get("description") != "# Hello\r\n\r\nworld" || len(u.Fields["classifiers"]) != 2 {
		t.Errorf("fields %v", u.Fields)
	}
	md := u.FormMetadata()
	if md.Name != "Hello_CA" || md.Summary != "Hi" || len(md.Classifiers) != 2 || md.RequiresDist[0] != "requests>=2" {
		t.Errorf("form metadata %+v", md)
	}

	// The callback's error comes back as is.
	stop := errkind.Conflictf("stop")
	if _, err := pypi.ParseUpload(ct, bytes.NewReader(body), nil, func(*pypi.Upload, string, io.Reader) error { return stop }); err != stop {
		t.Errorf("callback error: %v", err)
	}
	for name, c := range map[string]struct{ ct, body string }{
		"not multipart":  {"application/json", "{}"},
		"no boundary":    {"multipart/form-data", ""},
		"truncated":      {ct, string(body[:len(body)/2])},
		"two files":      {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"content\"; filename=\"a\"\r\n\r\n1\r\n--x\r\nContent-Disposition: form-data; name=\"content\"; filename=\"b\"\r\n\r\n2\r\n--x--\r\n"},
		"oversized form": {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n" + strings.Repeat("x", pypi.MaxFormBytes+1) + "\r\n--x--\r\n"},
		// Field names count against the form's budget: 5 parts with
		// 8 MiB names and empty values.
		"oversized names": {"multipart/form-data; boundary=x", strings.Repeat("--x\r\nContent-Disposition: form-data; name=\""+strings.Repeat("n", 8<<20)+"\"\r\n\r\n\r\n", 5) + "--x--\r\n"},
		"too many parts":  {"multipart/form-data; boundary=x", strings.Repeat("--x\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n\r\n", pypi.MaxFormParts+1) + "--x--\r\n"},
		"path file name":  {"multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"content\"; filename=\"../../x.whl\"\r\n\r\n1\r\n--x--\r\n"},
	} {
		_, err := pypi.ParseUpload(c.ct, strings.NewReader(c.body), nil, nil)
		if err == nil || errkind.KindOf(err) == errkind.Internal {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A field's callback runs before the next part is read: an upload the
// caller may not make is stopped at its name field, before its long
// description is read.
func TestParseUploadFieldFirst(t *testing.T) {
	ct, body := twineBody("a-1.0-py3-none-any.whl", []byte("x"), map[string]string{"name": "a", "version": "1.0", "description": strings.Repeat("d", 1<<20)})
	r := bytes.NewReader(body)
	stop := errkind.Deniedf("no")
	var seen []string
	_, err := pypi.ParseUpload(ct, r, func(u *pypi.Upload, name string) error {
		seen = append(seen, name)
		if name == "name" {
			return stop
		}
		return nil
	}, func(*pypi.Upload, string, io.Reader) error { t.Error("the content was read"); return nil })
	if err != stop || seen[len(seen)-1] != "name" {
		t.Fatalf("err %v, fields seen %v", err, seen)
	}
	if read := int64(len(body)) - int64(r.Len()); read > 64<<10 {
		t.Errorf("%d bytes of the body read before the name field stopped it", read)
	}
}

func FuzzParseUpload(f *testing.F) {
	ct, body := twineBody("x-1-py3-none-any.whl", []byte("data"), map[string]string{"name": "x", "version": "1"})
	f.Add(body)
	f.Add([]byte("--a4b3c1e29f0d4c53a6b1b7e1c0d2f3e4--\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		u, err := pypi.ParseUpload(ct, bytes.NewReader(body), nil, func(u *pypi.Upload, _ string, r io.Reader) error {
			_, err := io.Copy(io.Discard, r)
			return err
		})
		if err != nil {
			var e *errkind.Error
			if !errors.As(err, &e) || e.Kind == errkind.Internal {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		_ = u.FormMetadata()
	})
}

// endlessName is a form whose first part's field name never ends.
type endlessName struct{ started bool }

func (e *endlessName) Read(p []byte) (int, error) {
	if !e.started {
		e.started = true
		return copy(p, "--b\r\nContent-Disposition: form-data; name=\""), nil
	}
	for i := range p {
		p[i] = 'n'
	}
	return len(p), nil
}

// A part's header is refused once it passes MaxPartHeader, as it arrives:
// a field name that never ends costs that much, not the process.
func TestParseUploadBoundsPartHeaders(t *testing.T) {
	_, err := pypi.ParseUpload("multipart/form-data; boundary=b", &endlessName{}, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "header larger than 65536 bytes") {
		t.Fatalf("an endless field name: %v", err)
	}
	name := strings.Repeat("n", pypi.MaxPartHeader-100)
	body := "--b\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\nv\r\n--b--\r\n"
	u, err := pypi.ParseUpload("multipart/form-data; boundary=b", strings.NewReader(body), nil, nil)
	if err != nil || u.Get(name) != "v" {
		t.Fatalf("a header just under the bound: %v", err)
	}
}
