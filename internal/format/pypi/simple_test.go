package pypi

import (
	"bytes"
	"html"
	"testing"
	"time"
)

// The reference renderings of a file's entries, as the pages wrote them
// before they were appended by hand: encoding/json for the JSON page,
// html.EscapeString for the HTML page.

// link is a file's entry in a project page.
type link struct {
	Dist
	url string
}

// jsonFile is a file of a PEP 691 project page.
type jsonFile struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Hashes         map[string]string `json:"hashes"`
	RequiresPython string            `json:"requires-python,omitempty"`
	CoreMetadata   any               `json:"core-metadata"`
	DistInfoMeta   any               `json:"dist-info-metadata"`
	Size           int64             `json:"size"`
	UploadTime     string            `json:"upload-time,omitempty"`
	Yanked         bool              `json:"yanked"`
}

func (l link) jsonFile() jsonFile {
	f := jsonFile{
		Filename: l.Filename, URL: l.url, Hashes: map[string]string{},
		RequiresPython: l.RequiresPython, CoreMetadata: false, DistInfoMeta: false, Size: l.Size,
	}
	if l.SHA256 != "" {
		f.Hashes["sha256"] = l.SHA256
	}
	if l.MetadataSHA256 != "" {
		f.CoreMetadata = map[string]string{"sha256": l.MetadataSHA256}
		f.DistInfoMeta = f.CoreMetadata
	}
	if !l.UploadTime.IsZero() {
		f.UploadTime = l.UploadTime.UTC().Format("2006-01-02T15:04:05.000000Z")
	}
	return f
}

func (l link) html() []byte {
	var b bytes.Buffer
	b.WriteString(`    <a href="`)
	b.WriteString(html.EscapeString(l.url))
	if l.SHA256 != "" {
		b.WriteString("#sha256=" + l.SHA256)
	}
	b.WriteByte('"')
	if l.RequiresPython != "" {
		b.WriteString(` data-requires-python="` + html.EscapeString(l.RequiresPython) + `"`)
	}
	if l.MetadataSHA256 != "" {
		b.WriteString(` data-dist-info-metadata="sha256=` + l.MetadataSHA256 + `" data-core-metadata="sha256=` + l.MetadataSHA256 + `"`)
	}
	b.WriteString(">" + html.EscapeString(l.Filename) + "</a><br />\n")
	return b.Bytes()
}

// A file's entries of the two project pages, appended by hand, are the
// bytes of the reference renderings, whatever the strings hold (quotes,
// HTML characters, control characters, invalid UTF-8, U+2028) and
// whichever optional attributes are set.
func FuzzPageEntries(f *testing.F) {
	f.Add("hello_ca-1.0.0-py3-none-any.whl", "1.0.0", sha, ">=3.8,<4", sha, int64(10), int64(1704067200123456789))
	f.Add("hello_ca-1.0.0.tar.gz", "1.0.0", sha, "", "", int64(0), int64(0))
	f.Add(`a"b<c>&'d\e.whl`, "1.0+local", "", ">=3.8 & <4 \"x\"", "", int64(-1), int64(-62135596800))
	f.Add("ctl\x01\n\t\u2028\xff.tar.gz", "2!1.0.post1", "ab", "<\x7f>", "cd", int64(1<<62), int64(1))
	f.Fuzz(func(t *testing.T, filename, version, sha256, requiresPython, metadataSHA256 string, size, unixNano int64) {
		d := Dist{Filename: filename, SHA256: sha256, Size: size, File: File{RequiresPython: requiresPython, MetadataSHA256: metadataSHA256}}
		if unixNano != 0 {
			d.UploadTime = time.Unix(0, unixNano).In(time.FixedZone("x", 3600))
		}
		l := link{Dist: d, url: pageToFiles + FilePath("p", version, filename)}
		if got, want := appendJSONFile([]byte("x"), l.url, d), append([]byte("x"), bytes.TrimSuffix(marshal(l.jsonFile()), []byte("\n"))...); !bytes.Equal(got, want) {
			t.Fatalf("JSON entry:\n%s\nwant\n%s", got, want)
		}
		if got, want := appendHTML([]byte("x"), l.url, d), append([]byte("x"), l.html()...); !bytes.Equal(got, want) {
			t.Fatalf("HTML entry:\n%s\nwant\n%s", got, want)
		}
	})
}
