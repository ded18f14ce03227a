package config

import (
	"strings"
	"testing"
)

func TestParseBlobs(t *testing.T) {
	for _, c := range []struct {
		in   string
		want *S3Blobs
	}{
		{"", nil},
		{"s3://arca-blobs", &S3Blobs{Bucket: "arca-blobs"}},
		{"s3://arca-blobs/team/arca/?region=eu-west-1", &S3Blobs{Bucket: "arca-blobs", Prefix: "team/arca", Region: "eu-west-1"}},
		{"s3://b.example/p?endpoint=http://127.0.0.1:9000/&region=garage&redirect=1MiB",
			&S3Blobs{Bucket: "b.example", Prefix: "p", Endpoint: "http://127.0.0.1:9000", Region: "garage", RedirectMin: 1 << 20}},
	} {
		got, err := ParseBlobs(c.in)
		if err != nil || (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
			t.Errorf("ParseBlobs(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

func TestParseBlobsRejects(t *testing.T) {
	for in, why := range map[string]string{
		"/var/lib/blobs":                      "not s3://",
		"file:///var/lib/blobs":               "not s3://",
		"s3:bucket":                           "not s3://",
		"s3://":                               "bucket",
		"s3://Bucket":                         "bucket",
		"s3://ab":                             "bucket",
		"s3://key:secret@bucket":              "user",
		"s3://bucket:9000":                    "port",
		"s3://bucket/a/../b":                  "prefix",
		"s3://bucket/a%20b":                   "prefix",
		"s3://bucket?endpoint=localhost:9000": "endpoint",
		"s3://bucket?endpoint=http://h/?x=1":  "endpoint",
		"s3://bucket?region=Mars":             "region",
		"s3://bucket?redirect=0":              "redirect",
		"s3://bucket?redirect=big":            "redirect",
		"s3://bucket?redirects=1M":            "unknown parameter",
		"s3://bucket?region=a&region=b":       "2 times",
		"s3://bucket?endpoint=http://h#x":     "fragment",
	} {
		_, err := ParseBlobs(in)
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("ParseBlobs(%q) = %v, want an error about %s", in, err, why)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("ParseBlobs(%q): the error %q shows the password", in, err)
		}
	}
}

func TestBlobsSetting(t *testing.T) {
	c := Defaults()
	if err := c.FromEnv(env(map[string]string{EnvBlobs: "s3://from-env?endpoint=http://127.0.0.1:1"})); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.S3 == nil || c.S3.Bucket != "from-env" {
		t.Errorf("S3 = %+v after %s", c.S3, EnvBlobs)
	}
	c = Defaults()
	c.Set("blobs", "s3://NO")
	if err := c.Validate(); err == nil {
		t.Error("Validate accepted a bad blobs URL")
	}
}
