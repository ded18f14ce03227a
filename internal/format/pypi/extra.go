package pypi

import (
	"encoding/json"
	"time"
)

// Extra is the PyPI part of a version's metadata (artifact.Meta.Extra):
// the core metadata of the version's first file, without the description
// (the JSON API's "info"; the description is Meta.Readme), and what the
// simple API and the JSON API say about each file. Assets added to a
// version later add their File here (catalog.Publication.MergeMeta); the
// version's metadata stays that of its first file, as on PyPI.
type Extra struct {
	Metadata *Metadata       `json:"metadata,omitempty"`
	Files    map[string]File `json:"files,omitempty"`
}

// File is what is known of one distribution file besides its asset.
type File struct {
	PackageType   string `json:"packagetype"`
	PythonVersion string `json:"python_version"`
	// RequiresPython is the file's own Requires-Python (files of one
	// version may differ), served as data-requires-python.
	RequiresPython string `json:"requires_python,omitempty"`
	// MetadataSHA256 is the SHA-256 of a wheel's METADATA, which is served
	// as "{file}.metadata" (PEP 658); "" when there is none to serve.
	MetadataSHA256 string    `json:"metadata_sha256,omitempty"`
	UploadTime     time.Time `json:"upload_time"`
	// SHA256 and Size describe a file of a public index that was not
	// ingested yet (stored files have their asset).
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
}

// ParseExtra reads a version's Extra. Anything unreadable (a version
// published through another API) reads as empty: the simple API then
// serves its files without the optional attributes.
func ParseExtra(raw json.RawMessage) Extra {
	var e Extra
	if len(raw) > 0 {
		if json.Unmarshal(raw, &e) != nil {
			e = Extra{}
		}
	}
	return e
}

// ParseFiles reads the files of a version's Extra (nil when unreadable)
// without decoding its core metadata: the pages need the files of every
// version, the metadata of one (a metadata member ParseExtra cannot read
// does not hide the files here).
func ParseFiles(raw json.RawMessage) map[string]File {
	var e struct {
		Files map[string]File `json:"files"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &e) != nil {
		return nil
	}
	return e.Files
}

// JSON encodes e for artifact.Meta.Extra.
func (e Extra) JSON() json.RawMessage {
	b, err := json.Marshal(e)
	if err != nil {
		panic(err) // only strings, times and numbers
	}
	return b
}

// WithFile returns the Extra raw with the entry of file added; an entry
// already there is kept (the same file uploaded again is the same file).
// The version's core metadata is set from md when it has none.
func WithFile(raw json.RawMessage, file string, f File, md *Metadata) json.RawMessage {
	e := ParseExtra(raw)
	if e.Files == nil {
		e.Files = map[string]File{}
	}
	if _, ok := e.Files[file]; !ok {
		e.Files[file] = f
	}
	if e.Metadata == nil {
		e.Metadata = md
	}
	return e.JSON()
}
