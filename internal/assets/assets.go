// Package assets moves asset bytes between clients and the blob store:
// Store writes an upload to the blob store while computing every digest
// CodeArtifact reports (MD5, SHA-1, SHA-256, SHA-512), checking those the
// client declared; Serve sends stored bytes back, from memory when the blob
// store holds them there (blobcache) and with sendfile otherwise, with
// ETags and range support (Stream: the same path for the control plane's
// GetPackageVersionAsset, without redirect or ETag).
//
// A stored asset is invisible until its metadata commits (the caller's
// transaction). If that fails, the bytes are not deleted here, which could
// destroy another asset's identical bytes (the store deduplicates): the
// server settles each request's uploads when it ends (blob.Guard.Settle),
// deleting the blobs nothing references, and sweeps what is left.
package assets

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/respond"
)

// MaxSize is the User Guide's asset size quota: 1 GB.
const MaxSize = 1 << 30

// Expect holds digests a client declared for an upload (lowercase hex);
// empty ones are not checked.
type Expect struct {
	SHA256 string
	SHA1   string
	SHA512 string
	MD5    string
	Size   int64 // -1 or 0 for unknown
}

// Store reads r to its end into the blob store as the asset name. It fails
// with a Validation error when a declared digest or size does not match
// the bytes, and with QuotaExceeded beyond limit bytes (MaxSize if 0); in
// both cases nothing is stored.
func Store(ctx context.Context, blobs blob.Store, name string, r io.Reader, want Expect, limit int64) (artifact.Asset, error) {
	if limit <= 0 {
		limit = MaxSize
	}
	w, err := blobs.Create(ctx)
	if err != nil {
		return artifact.Asset{}, err
	}
	defer w.Cancel(ctx)
	h := newHashes()
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(r, limit+1))
	if err != nil {
		var e *errkind.Error
		if errors.As(err, &e) {
			return artifact.Asset{}, err
		}
		return artifact.Asset{}, errkind.Wrap(errkind.Validation, err, "could not read asset %s", name)
	}
	if n > limit {
		return artifact.Asset{}, errkind.Quotaf("Asset %s is larger than %d bytes", name, limit)
	}
	a := h.asset(name, n)
	for _, c := range []struct{ what, got, want string }{
		{"SHA-256", a.SHA256, want.SHA256}, {"SHA-1", a.SHA1, want.SHA1},
		{"SHA-512", a.SHA512, want.SHA512}, {"MD5", a.MD5, want.MD5},
	} {
		if c.want != "" && c.want != c.got {
			return artifact.Asset{}, errkind.Validationf("The %s of asset %s is %s, not the declared %s", c.what, name, c.got, c.want)
		}
	}
	if want.Size > 0 && want.Size != n {
		return artifact.Asset{}, errkind.Validationf("Asset %s is %d bytes, not the declared %d", name, n, want.Size)
	}
	d, err := blob.ParseDigest(a.SHA256)
	if err != nil {
		return artifact.Asset{}, err
	}
	if _, err := w.Commit(ctx, d); err != nil {
		return artifact.Asset{}, err
	}
	return a, nil
}

type hashes struct {
	md5, sha1, sha256, sha512 hash.Hash
	all                       io.Writer
}

func newHashes() *hashes {
	h := &hashes{md5: md5.New(), sha1: sha1.New(), sha256: sha256.New(), sha512: sha512.New()}
	h.all = io.MultiWriter(h.md5, h.sha1, h.sha256, h.sha512)
	return h
}

func (h *hashes) Write(p []byte) (int, error) { return h.all.Write(p) }

func (h *hashes) asset(name string, size int64) artifact.Asset {
	sum := func(x hash.Hash) string { return hex.EncodeToString(x.Sum(nil)) }
	return artifact.Asset{Name: name, Size: size, MD5: sum(h.md5), SHA1: sum(h.sha1), SHA256: sum(h.sha256), SHA512: sum(h.sha512)}
}

// redirectTTL is how long a redirect to the blob store stays valid: long
// enough for a client that queues its downloads, short enough that a
// leaked URL soon stops working.
const redirectTTL = 15 * time.Minute

// Serve writes an asset's bytes as the response to r, with its SHA-256 as
// the ETag (so If-None-Match and Range work), from the blob store's file
// (sendfile) or, for a GET, through a redirect when the store offers one
// for this asset (an S3 store's presigned URL, for large assets).
func Serve(w http.ResponseWriter, r *http.Request, blobs blob.Store, a artifact.Asset, contentType string) error {
	d, err := blob.ParseDigest(a.SHA256)
	if err != nil {
		return err
	}
	// A presigned URL is signed for GET only, so HEAD is answered here.
	if r.Method == http.MethodGet {
		url, err := blob.RedirectURL(r.Context(), blobs, d, a.Size, redirectTTL)
		if err != nil {
			return err
		}
		if url != "" {
			// The URL expires: no client or proxy may keep the redirect.
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, url, http.StatusFound)
			return nil
		}
	}
	f, info, err := openToServe(r.Context(), blobs, d)
	if err != nil {
		return err
	}
	defer f.Close()
	if m, ok := f.(memoReader); ok {
		// A small blob in memory (blobcache): one write, no system call
		// to read it, and header values formatted once per cached blob.
		hv, _ := m.Memo().(*headerValues)
		if hv == nil {
			hv, _ = m.KeepMemo(newHeaderValues(a.SHA256, contentType, info.ModTime, len(m.Bytes()))).(*headerValues)
		}
		if hv != nil {
			hv.send(w, r, a.SHA256, contentType, m.Bytes())
			return nil
		}
	}
	h := w.Header()
	h["Etag"] = []string{etag(a.SHA256)}
	if contentType != "" {
		h["Content-Type"] = []string{contentType}
	}
	send(w, r, f, info.ModTime)
	return nil
}

// Stream writes an asset's bytes as the response to r, honouring Range,
// on the same path as Serve's (from memory when the blob cache holds them,
// with sendfile otherwise) but with no redirect and no validators: the
// caller sets every header (the control plane's GetPackageVersionAsset).
func Stream(w http.ResponseWriter, r *http.Request, blobs blob.Store, a artifact.Asset) error {
	d, err := blob.ParseDigest(a.SHA256)
	if err != nil {
		return err
	}
	f, _, err := openToServe(r.Context(), blobs, d)
	if err != nil {
		return err
	}
	defer f.Close()
	send(w, r, f, time.Time{})
	return nil
}

// openToServe opens blob d for a download: through the blob cache's
// OpenToServe when there is one, which keeps small blobs clients fetch.
func openToServe(ctx context.Context, blobs blob.Store, d blob.Digest) (io.ReadSeekCloser, blob.Info, error) {
	if c, ok := blobs.(interface {
		OpenToServe(context.Context, blob.Digest) (io.ReadSeekCloser, blob.Info, error)
	}); ok {
		return c.OpenToServe(ctx, d)
	}
	return blobs.Open(ctx, d)
}

// send sends f, with modtime (when not zero) as Last-Modified.
func send(w http.ResponseWriter, r *http.Request, f io.ReadSeeker, modtime time.Time) {
	if m, ok := f.(interface{ Bytes() []byte }); ok {
		// A small blob in memory (blobcache): one write, no system call
		// to read it.
		respond.Bytes(w, r, modtime, m.Bytes())
		return
	}
	http.ServeContent(w, r, "", modtime, f)
}

func etag(sha256 string) string { return `"` + sha256 + `"` }

// memoReader is a blob in memory that keeps a value for its callers
// (blobcache.Reader).
type memoReader interface {
	Bytes() []byte
	Memo() any
	KeepMemo(v any) any
}

// headerValues are what a blob in memory is sent with, formatted once
// and kept with it: its ETag, Content-Type, Content-Length and
// Last-Modified.
type headerValues struct {
	sha256, contentType string // what etag and ctype were made from
	etag, ctype         []string
	fields              *respond.Fields
}

func newHeaderValues(sha256, contentType string, modtime time.Time, size int) *headerValues {
	hv := &headerValues{sha256: sha256, contentType: contentType, etag: []string{etag(sha256)}, fields: respond.NewFields(modtime, size)}
	if contentType != "" {
		hv.ctype = []string{contentType}
	}
	return hv
}

// send answers r with body, the blob's bytes, as the asset whose SHA-256
// is sha256 (the same digest; any other spelling of it gets its own ETag
// value) and as contentType.
func (hv *headerValues) send(w http.ResponseWriter, r *http.Request, sha256, contentType string, body []byte) {
	h := w.Header()
	if sha256 == hv.sha256 {
		h["Etag"] = hv.etag
	} else {
		h["Etag"] = []string{etag(sha256)}
	}
	switch {
	case contentType == "":
	case contentType == hv.contentType:
		h["Content-Type"] = hv.ctype
	default:
		h["Content-Type"] = []string{contentType}
	}
	hv.fields.Bytes(w, r, body)
}

// Open returns an asset's bytes for streaming (the control plane's
// GetPackageVersionAsset).
func Open(ctx context.Context, blobs blob.Store, a artifact.Asset) (io.ReadSeekCloser, error) {
	d, err := blob.ParseDigest(a.SHA256)
	if err != nil {
		return nil, err
	}
	f, _, err := blobs.Open(ctx, d)
	return f, err
}

// ReaderAt returns r as an io.ReaderAt (archive readers need one): r
// itself when it is one, as the blob stores' files are, else a reader that
// seeks before each read.
func ReaderAt(r io.ReadSeeker) io.ReaderAt {
	if ra, ok := r.(io.ReaderAt); ok {
		return ra
	}
	return &seekReaderAt{r: r}
}

// seekReaderAt reads at offsets of a ReadSeeker, one read at a time.
type seekReaderAt struct {
	mu sync.Mutex
	r  io.ReadSeeker
}

func (s *seekReaderAt) ReadAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.ReadFull(s.r, p)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}
