package s3blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/errkind"
)

// DefaultMultipartThreshold is the size from which Commit uploads a blob
// in parts rather than with one PutObject, and DefaultPartSize the size of
// each part but the last. One PutObject may carry 5 GiB, but a part that
// fails is retried alone; parts are read from the spool file, never held
// in memory.
const (
	DefaultMultipartThreshold = 64 << 20
	DefaultPartSize           = 16 << 20
)

// Config says where a Store keeps its blobs.
type Config struct {
	// Bucket must exist; Prefix (no leading or trailing slash, may be
	// empty) is prepended to every key, so that several installations or
	// tests can share a bucket.
	Bucket, Prefix string
	// Endpoint is the object store's base URL (http://host:port); empty
	// means AWS S3 itself. With an endpoint, buckets are addressed in the
	// path (http://host:port/bucket/key), which every S3-compatible server
	// understands.
	Endpoint string
	// Region signs requests; empty takes the SDK's (AWS_REGION, the
	// profile), and us-east-1 if that is empty too.
	Region string
	// RedirectMin is the size from which RedirectURL hands out presigned
	// URLs; 0 or less turns redirects off.
	RedirectMin int64
	// SpoolDir holds uploads while they are written; empty is
	// os.TempDir().
	SpoolDir string
	// MultipartThreshold and PartSize override the defaults above (tests
	// make them small); S3 requires parts of at least 5 MiB.
	MultipartThreshold, PartSize int64
}

// spoolPattern names spool files; staleAge is how old one must be before
// New removes it: only files abandoned by a crash are that old, since a
// Writer touches its file on every Write.
const (
	spoolPattern = "arca-upload-*"
	staleAge     = time.Hour
)

// removeStaleSpool removes spool files in dir ("" is os.TempDir())
// last modified before cutoff.
func removeStaleSpool(dir string, cutoff time.Time) error {
	if dir == "" {
		dir = os.TempDir()
	}
	names, err := filepath.Glob(filepath.Join(dir, spoolPattern))
	if err != nil {
		return fmt.Errorf("s3blob: list spool files: %w", err)
	}
	for _, n := range names {
		if fi, err := os.Lstat(n); err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(cutoff) {
			os.Remove(n) // another process may have removed it first
		}
	}
	return nil
}

// Store is a blob.Store in an S3 bucket. It is safe for concurrent use, by
// any number of processes sharing the bucket.
type Store struct {
	client  *s3.Client
	presign *s3.PresignClient
	cfg     Config
	root    string // Prefix + "sha256/", the start of every blob key
}

var (
	_ blob.Store      = (*Store)(nil)
	_ blob.Redirector = (*Store)(nil)
)

// New builds a Store from cfg with the credentials of the process's
// default AWS chain (environment, shared config and credentials files,
// web identity, container or instance role) and checks that the bucket
// can be reached.
func New(ctx context.Context, cfg Config) (*Store, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	ac, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3blob: AWS configuration: %w", err)
	}
	if ac.Region == "" {
		ac.Region = "us-east-1"
	}
	s := NewFromConfig(ac, cfg)
	if err := removeStaleSpool(cfg.SpoolDir, time.Now().Add(-staleAge)); err != nil {
		return nil, err
	}
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &cfg.Bucket}); err != nil {
		return nil, fmt.Errorf("s3blob: bucket %q at %s: %w", cfg.Bucket, endpointName(cfg.Endpoint), err)
	}
	return s, nil
}

func endpointName(e string) string {
	if e == "" {
		return "AWS S3"
	}
	return e
}

// NewFromConfig builds a Store on an AWS configuration the caller loaded
// (tests pass static credentials); it sends nothing.
func NewFromConfig(ac aws.Config, cfg Config) *Store {
	cfg.Prefix = strings.Trim(cfg.Prefix, "/")
	if cfg.MultipartThreshold <= 0 {
		cfg.MultipartThreshold = DefaultMultipartThreshold
	}
	if cfg.PartSize <= 0 {
		cfg.PartSize = DefaultPartSize
	}
	client := s3.NewFromConfig(ac, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
			o.UsePathStyle = true
		}
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	root := "sha256/"
	if cfg.Prefix != "" {
		root = cfg.Prefix + "/" + root
	}
	return &Store{client: client, presign: s3.NewPresignClient(client), cfg: cfg, root: root}
}

// key returns the object key of d: PREFIX/sha256/ab/cd/abcd….
func (s *Store) key(d blob.Digest) *string {
	h := d.String()
	return aws.String(s.root + h[0:2] + "/" + h[2:4] + "/" + h)
}

// parseKey returns the digest a key names, if it follows the layout.
func (s *Store) parseKey(k string) (blob.Digest, bool) {
	rest, ok := strings.CutPrefix(k, s.root)
	if !ok || len(rest) != 2+1+2+1+64 || rest[2] != '/' || rest[5] != '/' {
		return blob.Digest{}, false
	}
	h := rest[6:]
	d, err := blob.ParseDigest(h)
	if err != nil || d.String() != h || rest[0:2] != h[0:2] || rest[3:5] != h[2:4] {
		return blob.Digest{}, false
	}
	return d, true
}

// isNotFound reports whether the object store answered 404.
func isNotFound(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == 404
}

func notFound(d blob.Digest, err error) error {
	return errkind.Wrap(errkind.NotFound, err, "blob %s not found", d)
}

// Create starts a blob in a spool file.
func (s *Store) Create(ctx context.Context) (blob.Writer, error) {
	sp, err := blob.NewSpool(ctx, s.cfg.SpoolDir, spoolPattern, "s3blob")
	if err != nil {
		return nil, err
	}
	return &writer{Spool: sp, s: s}, nil
}

// head describes the object of d.
func (s *Store) head(ctx context.Context, d blob.Digest) (blob.Info, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.cfg.Bucket, Key: s.key(d)})
	if err != nil {
		if isNotFound(err) {
			return blob.Info{}, notFound(d, err)
		}
		return blob.Info{}, fmt.Errorf("s3blob: stat %s: %w", d, err)
	}
	return blob.Info{Digest: d, Size: aws.ToInt64(out.ContentLength), ModTime: aws.ToTime(out.LastModified)}, nil
}

// Stat sends a HeadObject.
func (s *Store) Stat(ctx context.Context, d blob.Digest) (blob.Info, error) {
	return s.head(ctx, d)
}

// Open sends a HeadObject and returns a reader that fetches the bytes with
// ranged GETs, starting at the first Read.
func (s *Store) Open(ctx context.Context, d blob.Digest) (io.ReadSeekCloser, blob.Info, error) {
	info, err := s.head(ctx, d)
	if err != nil {
		return nil, blob.Info{}, err
	}
	return &reader{s: s, ctx: ctx, d: d, size: info.Size}, info, nil
}

// Delete sends a DeleteObject, which S3 answers alike for a missing key.
func (s *Store) Delete(ctx context.Context, d blob.Digest) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.cfg.Bucket, Key: s.key(d)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("s3blob: delete %s: %w", d, err)
	}
	return nil
}

// Walk lists PREFIX/sha256/ a page (up to 1,000 keys) at a time.
func (s *Store) Walk(ctx context.Context, fn func(blob.Info) error) error {
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.cfg.Bucket, Prefix: aws.String(s.root)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("s3blob: walk: %w", err)
		}
		for _, o := range page.Contents {
			d, ok := s.parseKey(aws.ToString(o.Key))
			if !ok {
				continue
			}
			if err := fn(blob.Info{Digest: d, Size: aws.ToInt64(o.Size), ModTime: aws.ToTime(o.LastModified)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// RedirectURL presigns a GET of d's object when redirects are on and the
// blob is at least RedirectMin bytes.
func (s *Store) RedirectURL(ctx context.Context, d blob.Digest, size int64, ttl time.Duration) (string, error) {
	if s.cfg.RedirectMin <= 0 || size < s.cfg.RedirectMin {
		return "", nil
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &s.cfg.Bucket, Key: s.key(d)}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("s3blob: presign %s: %w", d, err)
	}
	return req.URL, nil
}

// reader reads an object through ranged GETs. Seek only moves the offset;
// the next Read opens a GET from there.
type reader struct {
	s    *Store
	ctx  context.Context // from Open
	d    blob.Digest
	size int64
	off  int64
	body io.ReadCloser // the GET in progress, from off; nil after a Seek
}

func (r *reader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	if r.body == nil {
		out, err := r.s.client.GetObject(r.ctx, &s3.GetObjectInput{
			Bucket: &r.s.cfg.Bucket, Key: r.s.key(r.d),
			Range: aws.String(fmt.Sprintf("bytes=%d-", r.off)),
		})
		if err != nil {
			if isNotFound(err) {
				return 0, notFound(r.d, err)
			}
			return 0, fmt.Errorf("s3blob: read %s: %w", r.d, err)
		}
		r.body = out.Body
	}
	n, err := r.body.Read(p)
	r.off += int64(n)
	if err == io.EOF && r.off < r.size {
		err = fmt.Errorf("s3blob: read %s: %w", r.d, io.ErrUnexpectedEOF)
	}
	return n, err
}

func (r *reader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.off + offset
	case io.SeekEnd:
		abs = r.size + offset
	default:
		return 0, fmt.Errorf("s3blob: seek: invalid whence %d", whence)
	}
	if abs < 0 {
		return 0, fmt.Errorf("s3blob: seek: negative position %d", abs)
	}
	if abs != r.off {
		r.closeBody()
		r.off = abs
	}
	return abs, nil
}

func (r *reader) closeBody() {
	if r.body != nil {
		r.body.Close()
		r.body = nil
	}
}

func (r *reader) Close() error {
	r.closeBody()
	return nil
}

// writer is the blob.Writer of a Store: a spool file plus a running hash
// (blob.Spool).
type writer struct {
	*blob.Spool
	s *Store
}

// Commit refreshes an existing copy of the bytes or uploads the spool
// file, then removes it.
func (w *writer) Commit(ctx context.Context, expected blob.Digest) (blob.Info, error) {
	if err := w.Seal(ctx, expected); err != nil {
		return blob.Info{}, err
	}
	defer w.Discard()
	got, size := expected, w.Size()
	if info, ok := w.s.refresh(ctx, got, size); ok {
		return info, nil
	}
	// The last check before the upload: a done ctx publishes nothing (the
	// SDK would also stop, but only once the request is under way).
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("s3blob: commit: %w", err)
	}
	var err error
	if size >= w.s.cfg.MultipartThreshold {
		err = w.s.putMultipart(ctx, got, w.File, size)
	} else {
		_, err = w.s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: &w.s.cfg.Bucket, Key: w.s.key(got),
			Body: io.NewSectionReader(w.File, 0, size), ContentLength: aws.Int64(size),
			ContentType: aws.String("application/octet-stream"),
		})
	}
	if err != nil {
		return blob.Info{}, fmt.Errorf("s3blob: commit %s: %w", got, err)
	}
	return blob.Info{Digest: got, Size: size, ModTime: time.Now()}, nil
}

// refresh reports whether d is stored with size bytes, after copying the
// object onto itself so that its LastModified is renewed. If the object is
// missing, of another size (damaged), cannot be copied, or the copy did not
// renew LastModified (versitygw's posix backend keeps it), the caller
// uploads the bytes instead, which always does.
func (s *Store) refresh(ctx context.Context, d blob.Digest, size int64) (blob.Info, bool) {
	info, err := s.head(ctx, d)
	if err != nil || info.Size != size {
		return blob.Info{}, false
	}
	key := s.key(d)
	out, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: &s.cfg.Bucket, Key: key,
		CopySource:        aws.String(s.cfg.Bucket + "/" + *key),
		MetadataDirective: types.MetadataDirectiveReplace,
		ContentType:       aws.String("application/octet-stream"),
	})
	if err != nil || out.CopyObjectResult == nil || out.CopyObjectResult.LastModified == nil ||
		!out.CopyObjectResult.LastModified.After(info.ModTime) {
		return blob.Info{}, false
	}
	info.ModTime = *out.CopyObjectResult.LastModified
	return info, true
}

// putMultipart uploads size bytes of f as d's object in parts of PartSize.
// The object appears only when CompleteMultipartUpload returns; on any
// failure the upload is aborted, so that its parts do not linger.
func (s *Store) putMultipart(ctx context.Context, d blob.Digest, f *os.File, size int64) (err error) {
	key := s.key(d)
	up, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: &s.cfg.Bucket, Key: key, ContentType: aws.String("application/octet-stream"),
	})
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			// Aborted even when ctx is done: parts cost storage until then.
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			s.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: &s.cfg.Bucket, Key: key, UploadId: up.UploadId})
		}
	}()
	var parts []types.CompletedPart
	for n, off := int32(1), int64(0); off < size; n, off = n+1, off+s.cfg.PartSize {
		length := min(s.cfg.PartSize, size-off)
		out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{
			Bucket: &s.cfg.Bucket, Key: key, UploadId: up.UploadId, PartNumber: aws.Int32(n),
			Body: io.NewSectionReader(f, off, length), ContentLength: aws.Int64(length),
		})
		if err != nil {
			return err
		}
		parts = append(parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(n)})
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &s.cfg.Bucket, Key: key, UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	return err
}
