package maven

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/errkind"
)

// Bounds of what a server remembers of uploads in progress.
const (
	// UploadMemory is how long a checksum uploaded before its file, and the
	// digests of an uploaded metadata file, are remembered.
	UploadMemory = time.Hour
	// maxUploads bounds the remembered entries; the oldest go first.
	maxUploads = 10000
)

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
// It is memory only: after a restart, or on another replica, a checksum
// with nothing to check against is accepted unchecked.
type uploads struct {
	mu      sync.Mutex
	entries map[string]*upload
}

type upload struct {
	at       time.Time
	expected map[Checksum]string // checksums of a file not yet uploaded
	metadata *artifact.Asset     // digests of an uploaded metadata file
}

func newUploads() *uploads { return &uploads{entries: map[string]*upload{}} }

// entry returns key's entry, creating it, and drops stale ones (u.mu held).
func (u *uploads) entry(key string, now time.Time) *upload {
	e := u.entries[key]
	if e == nil || now.Sub(e.at) > UploadMemory {
		e = &upload{}
		u.entries[key] = e
	}
	e.at = now
	if len(u.entries) > maxUploads {
		var oldest string
		var at time.Time
		for k, x := range u.entries {
			if k != key && (oldest == "" || x.at.Before(at)) {
				oldest, at = k, x.at
			}
		}
		delete(u.entries, oldest)
	}
	return e
}

func (u *uploads) get(key string, now time.Time) *upload {
	e := u.entries[key]
	if e == nil || now.Sub(e.at) > UploadMemory {
		return nil
	}
	return e
}

// expect remembers a checksum of a file not uploaded yet.
func (u *uploads) expect(key string, c Checksum, sum string, now time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	e := u.entry(key, now)
	if e.expected == nil {
		e.expected = map[Checksum]string{}
	}
	e.expected[c] = sum
}

// expected returns the checksums remembered for a file about to be
// uploaded.
func (u *uploads) expected(key string, now time.Time) assets.Expect {
	u.mu.Lock()
	defer u.mu.Unlock()
	var x assets.Expect
	if e := u.get(key, now); e != nil {
		x.MD5, x.SHA1, x.SHA256, x.SHA512 = e.expected[MD5], e.expected[SHA1], e.expected[SHA256], e.expected[SHA512]
	}
	return x
}

// stored forgets the expected checksums of a file once it is stored.
func (u *uploads) stored(key string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if e := u.entries[key]; e != nil {
		e.expected = nil
		if e.metadata == nil {
			delete(u.entries, key)
		}
	}
}

// uploadedMetadata remembers the digests of a metadata file uploaded at key.
func (u *uploads) uploadedMetadata(key string, a artifact.Asset, now time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.entry(key, now).metadata = &a
}

// metadata returns the digests of the metadata file last uploaded at key.
func (u *uploads) metadata(key string, now time.Time) (artifact.Asset, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if e := u.get(key, now); e != nil && e.metadata != nil {
		return *e.metadata, true
	}
	return artifact.Asset{}, false
}

// digestsOf returns an asset describing b, with every digest.
func digestsOf(name string, b []byte) artifact.Asset {
	m, s1, s256, s512 := md5.Sum(b), sha1.Sum(b), sha256.Sum256(b), sha512.Sum512(b)
	return artifact.Asset{
		Name: name, Size: int64(len(b)),
		MD5: hex.EncodeToString(m[:]), SHA1: hex.EncodeToString(s1[:]),
		SHA256: hex.EncodeToString(s256[:]), SHA512: hex.EncodeToString(s512[:]),
	}
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
