package maven

import (
	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/format/rendered"
)

// DocCacheBytes bounds the memory of generated metadata files.
const DocCacheBytes = 14 << 20

// OrderCacheBytes bounds the memory of artifacts' version orders (about
// 100 bytes a version); with DocCacheBytes, Maven's 16 MiB share.
const OrderCacheBytes = 2 << 20

// docKey names a generated metadata file: the repository, and the path of
// the file without a checksum extension.
type docKey struct {
	repository int64
	path       string
}

// document is a generated metadata file, ready to send, with its
// digests (served for its checksum files).
type document struct {
	*rendered.Doc
	digests artifact.Asset
}

func newDocument(body []byte) document {
	return document{rendered.NewDoc(body, "text/xml"), digestsOf(MetadataFile, body)}
}

func (d document) size() int64 { return d.Size() + 512 }
