package pypi

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// ParseFiles reads the files ParseExtra reads, without the metadata; an
// Extra that is not JSON has none.
func TestParseFilesIsParseExtrasFiles(t *testing.T) {
	files := map[string]File{
		"a-1.0-py3-none-any.whl": {PackageType: "bdist_wheel", PythonVersion: "py3", RequiresPython: ">=3.8", MetadataSHA256: sha, UploadTime: time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)},
		"a-1.0.tar.gz":           {PackageType: "sdist", PythonVersion: "source", SHA256: sha, Size: 12},
	}
	raw := Extra{Metadata: &Metadata{Name: "a", Version: "1.0", Classifiers: []string{"x"}}, Files: files}.JSON()
	if got, want := ParseFiles(raw), ParseExtra(raw).Files; !reflect.DeepEqual(got, want) || len(got) != 2 {
		t.Fatalf("ParseFiles = %+v, ParseExtra's files %+v", got, want)
	}
	for _, raw := range []json.RawMessage{nil, json.RawMessage(`{`), json.RawMessage(`{"files":[]}`), json.RawMessage(`{"metadata":{}}`)} {
		if got := ParseFiles(raw); len(got) != 0 {
			t.Errorf("ParseFiles(%s) = %v, want none", raw, got)
		}
	}
}
