package maven

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// UploadMemory is how long a checksum uploaded before its file, and the
// digests of an uploaded metadata file, are remembered.
const UploadMemory = time.Hour

// uploads remembers, per repository path, what checksum uploads are
// checked against when the catalog cannot tell:
//
//   - checksums that arrived before their file (a client uploading out of
//     order), checked when the file arrives;
//   - the digests of the last maven-metadata.xml uploaded at a path, which
//     its .sha1 and .md5 uploads are checked against: metadata is served
//     as generated from the catalog, not as uploaded, so the stored
//     digests do not tell.
//
// It is kept in the metadata store (catalog.RememberChecksums), so a
// deploy whose files reach different servers is checked as on one, and
// a restart forgets nothing.
type uploads struct {
	cat checksumMemory
	now func() time.Time
}

// checksumMemory is what uploads need of the catalog.
type checksumMemory interface {
	RememberChecksums(ctx context.Context, repo store.Repository, path, kind string, sums map[string]string, at time.Time) error
	RememberedChecksums(ctx context.Context, repo store.Repository, path, kind string, since time.Time) (map[string]string, error)
	ForgetChecksums(ctx context.Context, repo store.Repository, path, kind string) error
}

// uploadPath names the path of p that checksums of p are remembered
// under: p's own, without a checksum extension.
func uploadPath(p Path) string {
	p.Checksum = ""
	return p.String()
}

// expect remembers a checksum of a file not uploaded yet.
func (u *uploads) expect(ctx context.Context, repo store.Repository, p Path, c Checksum, sum string) error {
	return u.cat.RememberChecksums(ctx, repo, uploadPath(p), store.ChecksumsExpected, map[string]string{string(c): sum}, u.now())
}

// expected returns the checksums remembered for a file about to be
// uploaded.
func (u *uploads) expected(ctx context.Context, repo store.Repository, p Path) (assets.Expect, error) {
	m, err := u.cat.RememberedChecksums(ctx, repo, uploadPath(p), store.ChecksumsExpected, u.now().Add(-UploadMemory))
	return assets.Expect{MD5: m[string(MD5)], SHA1: m[string(SHA1)], SHA256: m[string(SHA256)], SHA512: m[string(SHA512)]}, err
}

// stored forgets the expected checksums of a file once it is stored.
func (u *uploads) stored(ctx context.Context, repo store.Repository, p Path) error {
	return u.cat.ForgetChecksums(ctx, repo, uploadPath(p), store.ChecksumsExpected)
}

// uploadedMetadata remembers the digests of a metadata file uploaded at p.
func (u *uploads) uploadedMetadata(ctx context.Context, repo store.Repository, p Path, a artifact.Asset) error {
	sums := map[string]string{}
	for _, c := range Checksums {
		sums[string(c)] = c.Of(a)
	}
	return u.cat.RememberChecksums(ctx, repo, uploadPath(p), store.ChecksumsUploaded, sums, u.now())
}

// metadata returns the digests of the metadata file last uploaded at p.
func (u *uploads) metadata(ctx context.Context, repo store.Repository, p Path) (artifact.Asset, bool, error) {
	m, err := u.cat.RememberedChecksums(ctx, repo, uploadPath(p), store.ChecksumsUploaded, u.now().Add(-UploadMemory))
	if err != nil || len(m) == 0 {
		return artifact.Asset{}, false, err
	}
	return artifact.Asset{MD5: m[string(MD5)], SHA1: m[string(SHA1)], SHA256: m[string(SHA256)], SHA512: m[string(SHA512)]}, true, nil
}

// digestsOf returns an asset describing b, with every digest.
func digestsOf(name string, b []byte) artifact.Asset {
	return artifact.Asset{Name: name, Size: int64(len(b)), MD5: MD5.Sum(b), SHA1: SHA1.Sum(b), SHA256: SHA256.Sum(b), SHA512: SHA512.Sum(b)}
}

// Sum returns the hex digest of b by c.
func (c Checksum) Sum(b []byte) string {
	var h hash.Hash
	switch c {
	case MD5:
		h = md5.New()
	case SHA1:
		h = sha1.New()
	case SHA256:
		h = sha256.New()
	case SHA512:
		h = sha512.New()
	default:
		return ""
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// MaxChecksumSize bounds the body of a checksum upload.
const MaxChecksumSize = 1024

// ParseChecksum reads the body of a checksum file: the hex digest, alone
// (as Maven writes it) or followed by the file name (as sha1sum writes
// it), in any case. Errors are errkind.Validation.
func ParseChecksum(c Checksum, body []byte) (string, error) {
	for _, field := range strings.Fields(string(body)) {
		field = strings.ToLower(field)
		if len(field) != c.HexLen() {
			continue
		}
		if _, err := hex.DecodeString(field); err == nil {
			return field, nil
		}
	}
	return "", errkind.Validationf("The body is not a %s checksum: %d hex digits expected", strings.ToUpper(string(c)), c.HexLen())
}
