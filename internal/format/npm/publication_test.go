package npm

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/errkind"
)

// npmBody is what npm 11 sends for "npm publish --access public"
// (docs/CLIENTS.md §4.1), with data the base64 of "hello tarball".
const npmBody = `{"_id":"@myscope/hello","name":"@myscope/hello","description":"test","dist-tags":{"latest":"1.0.0"},
 "versions":{"1.0.0":{"name":"@myscope/hello","version":"1.0.0","description":"test","readme":"# hi","_id":"@myscope/hello@1.0.0",
   "_nodeVersion":"20.20.2","_npmVersion":"11.19.1",
   "dist":{"integrity":"sha512-AAAA","shasum":"e29e","tarball":"http://127.0.0.1:1/npm/my-repo/@myscope/hello/-/@myscope/hello-1.0.0.tgz"}}},
 "access":"public",
 "_attachments":{"@myscope/hello-1.0.0.tgz":{"content_type":"application/octet-stream","data":"aGVsbG8gdGFyYmFsbA==","length":13}}}`

// yarnBody is yarn 1's: a top-level readme, no access, the tarball URL on
// yarn's public registry host.
const yarnBody = `{"_id":"hello-unscoped","name":"hello-unscoped","description":"","dist-tags":{"latest":"2.0.0"},
 "versions":{"2.0.0":{"name":"hello-unscoped","version":"2.0.0","dist":{"shasum":"x","tarball":"http://registry.example/hello-unscoped/-/hello-unscoped-2.0.0.tgz"}}},
 "readme":"yarn readme","_attachments":{"hello-unscoped-2.0.0.tgz":{"content_type":"application/octet-stream","data":"aGk=","length":2}}}`

// collect is an AttachFunc that keeps what it is given.
type collect map[string][]byte

func (c collect) attach(p *Publish, file string, data io.Reader) error {
	b, err := io.ReadAll(data)
	c[file] = b
	return err
}

func TestParsePublish(t *testing.T) {
	got := collect{}
	p, err := ParsePublish(strings.NewReader(npmBody), DefaultLimits, got.attach)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "@myscope/hello" || p.Name != "@myscope/hello" || p.Users {
		t.Errorf("ids: %+v", p)
	}
	if !reflect.DeepEqual(p.DistTags, map[string]string{"latest": "1.0.0"}) {
		t.Errorf("dist-tags = %v", p.DistTags)
	}
	if len(p.Versions) != 1 || !json.Valid(p.Versions["1.0.0"]) {
		t.Errorf("versions = %v", p.Versions)
	}
	want := Attachment{ContentType: "application/octet-stream", Length: 13, Size: 13}
	if p.Attachments["@myscope/hello-1.0.0.tgz"] != want {
		t.Errorf("attachment = %+v, want %+v", p.Attachments, want)
	}
	if string(got["@myscope/hello-1.0.0.tgz"]) != "hello tarball" {
		t.Errorf("data = %q", got)
	}

	p, err = ParsePublish(strings.NewReader(yarnBody), DefaultLimits, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Readme != "yarn readme" || p.Attachments["hello-unscoped-2.0.0.tgz"].Size != 2 {
		t.Errorf("yarn body: %+v", p)
	}
}

func TestParsePublishData(t *testing.T) {
	// The data string, as a client could write it, and what it decodes to.
	for _, tc := range []struct {
		name, data, want string
	}{
		{"plain", `"aGVsbG8="`, "hello"},
		{"escaped slash", `"Pz8\/"`, "???"},
		{"unicode escapes", `"\u0061\u0047\u0056sbG8="`, "hello"},
		{"newlines", `"aGVs\nbG8="`, "hello"},
		{"empty", `""`, ""},
		{"binary", `"` + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0, 255, 34, 92}, 40000)) + `"`, string(bytes.Repeat([]byte{0, 255, 34, 92}, 40000))},
	} {
		body := `{"name":"x","_attachments":{"x-1.0.0.tgz":{"data":` + tc.data + `}}}`
		got := collect{}
		p, err := ParsePublish(strings.NewReader(body), DefaultLimits, got.attach)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if string(got["x-1.0.0.tgz"]) != tc.want || p.Attachments["x-1.0.0.tgz"].Size != int64(len(tc.want)) {
			t.Errorf("%s: data %q, want %q", tc.name, got["x-1.0.0.tgz"], tc.want)
		}
		if p.Attachments["x-1.0.0.tgz"].Length != -1 {
			t.Errorf("%s: length without a length member = %d", tc.name, p.Attachments["x-1.0.0.tgz"].Length)
		}
	}
}

func TestParsePublishErrors(t *testing.T) {
	small := Limits{Metadata: 200, Attachment: 8}
	for _, tc := range []struct {
		name   string
		body   string
		limits Limits
		kind   errkind.Kind
		says   string
	}{
		{"empty", ``, DefaultLimits, errkind.Validation, "end of JSON"},
		{"array", `[]`, DefaultLimits, errkind.Validation, "expected"},
		{"truncated", `{"name":"x"`, DefaultLimits, errkind.Validation, "end of JSON"},
		{"trailing data", `{"name":"x"} {}`, DefaultLimits, errkind.Validation, "after the JSON object"},
		{"duplicate key", `{"name":"x","name":"y"}`, DefaultLimits, errkind.Validation, "duplicate"},
		{"name not a string", `{"name":5}`, DefaultLimits, errkind.Validation, "name"},
		{"dist-tags not strings", `{"dist-tags":{"latest":1}}`, DefaultLimits, errkind.Validation, "dist-tags"},
		{"invalid literal", `{"access":nul}`, DefaultLimits, errkind.Validation, "access"},
		{"unpaired brackets", `{"versions":{"1.0.0":{]}}`, DefaultLimits, errkind.Validation, "versions"},
		{"attachments not an object", `{"_attachments":[]}`, DefaultLimits, errkind.Validation, "not an object"},
		{"attachment not an object", `{"_attachments":{"f":"x"}}`, DefaultLimits, errkind.Validation, "not an object"},
		{"data not a string", `{"_attachments":{"f":{"data":5}}}`, DefaultLimits, errkind.Validation, "not a string"},
		{"two data", `{"_attachments":{"f":{"data":"","data":""}}}`, DefaultLimits, errkind.Validation, "duplicate"},
		{"bad base64", `{"_attachments":{"f":{"data":"a$b="}}}`, DefaultLimits, errkind.Validation, "illegal base64"},
		{"unterminated data", `{"_attachments":{"f":{"data":"aGVsbG8=`, DefaultLimits, errkind.Validation, "unexpected EOF"},
		{"control character in data", "{\"_attachments\":{\"f\":{\"data\":\"aG\x01VsbG8=\"}}}", DefaultLimits, errkind.Validation, "control character"},
		{"bad escape in data", `{"_attachments":{"f":{"data":"\q"}}}`, DefaultLimits, errkind.Validation, "invalid escape"},
		{"length not a number", `{"_attachments":{"f":{"data":"","length":"2"}}}`, DefaultLimits, errkind.Validation, "length"},
		{"metadata over limit", `{"readme":"` + strings.Repeat("x", 300) + `"}`, small, errkind.QuotaExceeded, "larger than the limit"},
		{"attachment over limit", `{"_attachments":{"f":{"data":"` + base64.StdEncoding.EncodeToString(make([]byte, 9)) + `"}}}`, small, errkind.QuotaExceeded, "larger than 8 bytes"},
		{"newlines over limit", `{"_attachments":{"f":{"data":"` + strings.Repeat(`\n`, 5000) + `"}}}`, small, errkind.QuotaExceeded, "larger than the limit"},
	} {
		_, err := ParsePublish(strings.NewReader(tc.body), tc.limits, collect{}.attach)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if errkind.KindOf(err) != tc.kind || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v (%v), want %v saying %q", tc.name, err, errkind.KindOf(err), tc.kind, tc.says)
		}
	}
}

func TestParsePublishCallbackError(t *testing.T) {
	mine := errkind.Conflictf("You cannot publish over the previously published versions: 1.0.0.")
	plain := errors.New("disk on fire")
	for _, want := range []error{mine, plain} {
		_, err := ParsePublish(strings.NewReader(npmBody), DefaultLimits, func(p *Publish, file string, data io.Reader) error {
			if len(p.Versions) != 1 {
				t.Errorf("versions not parsed before the attachment: %v", p.Versions)
			}
			return want
		})
		if err != want {
			t.Errorf("callback error came back as %v (%T), want it unchanged", err, err)
		}
	}
	// A callback that reads part of the data: the rest is skipped.
	p, err := ParsePublish(strings.NewReader(npmBody), DefaultLimits, func(p *Publish, file string, data io.Reader) error {
		_, err := data.Read(make([]byte, 2))
		return err
	})
	if err != nil || p.Attachments["@myscope/hello-1.0.0.tgz"].Size != 13 {
		t.Errorf("partial read: %v, %+v", err, p)
	}
}

// reference decodes a publish body with encoding/json, member names
// matched exactly, the way ParsePublish promises to agree with.
func reference(body []byte) (*Publish, map[string][]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, nil, err
	}
	p := &Publish{}
	for k, raw := range top {
		if k == "_attachments" {
			continue
		}
		if err := p.set(k, raw); err != nil {
			return nil, nil, err
		}
	}
	data := map[string][]byte{}
	var atts map[string]map[string]json.RawMessage
	if raw, ok := top["_attachments"]; ok {
		if err := json.Unmarshal(raw, &atts); err != nil {
			return nil, nil, err
		}
	}
	if atts != nil {
		p.Attachments = map[string]Attachment{}
	}
	for file, members := range atts {
		a := Attachment{Length: -1}
		if raw, ok := members["content_type"]; ok {
			if err := json.Unmarshal(raw, &a.ContentType); err != nil {
				return nil, nil, err
			}
		}
		if raw, ok := members["length"]; ok {
			if err := json.Unmarshal(raw, &a.Length); err != nil {
				return nil, nil, err
			}
		}
		if raw, ok := members["data"]; ok {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, nil, err
			}
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, nil, err
			}
			data[file], a.Size = b, int64(len(b))
		}
		p.Attachments[file] = a
	}
	return p, data, nil
}

func FuzzParsePublish(f *testing.F) {
	for _, seed := range []string{
		npmBody, yarnBody,
		`{"name":"hello-pnpm","access":null,"versions":{"1.0.0":{}},"_attachments":{"a":{"data":"aGk=","length":2}}}`,
		`{"name":"x","_attachments":{"f":{"data":"\u0061\u0047\u0056sbG8=\n","k":[1,{"a":"}"}]}}}`,
		`{"_attachments":null,"users":{"aws":true}}`,
		`{"_attachments":{"f":{"data":"Pz8\/"}}, "x": "\ud83d\ude00"}`,
		`  {"a":-1.5e3,"b":true,"c":[null,false]}  `,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got := collect{}
		p, err := ParsePublish(bytes.NewReader(body), Limits{Metadata: 1 << 16, Attachment: 1 << 16}, got.attach)
		if err != nil {
			if errkind.KindOf(err) == errkind.Internal {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		// What ParsePublish accepts, encoding/json accepts and reads the same.
		want, data, err := reference(body)
		if err != nil {
			t.Fatalf("ParsePublish accepted what encoding/json refuses (%v): %q", err, body)
		}
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("ParsePublish = %+v, encoding/json = %+v for %q", p, want, body)
		}
		for file, b := range data {
			if !bytes.Equal(got[file], b) {
				t.Fatalf("attachment %q = %q, encoding/json = %q for %q", file, got[file], b, body)
			}
		}
	})
}
