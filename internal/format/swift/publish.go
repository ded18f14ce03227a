package swift

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
)

// signatureFormat is the one signature format SE-0292 defines, sent in
// X-Swift-Package-Signature-Format with a signed publish.
const signatureFormat = "cms-1.0.0"

// maxSignature bounds a signature part.
const maxSignature = 64 << 10

// publish is 4.6: PUT /{scope}/{name}/{version}, a multipart/form-data
// body with the parts source-archive (required), source-archive-signature,
// metadata and metadata-signature. It answers 201 Created with the
// release's URL in Location: Arca publishes synchronously. A version the
// repository has is 409, before the body is read.
func (f *Format) publish(c *call) error {
	if err := Negotiate(c.r.Header.Get("Accept"), mediaJSON); err != nil {
		return err
	}
	if err := ValidateVersion(c.version); err != nil {
		return err
	}
	if err := f.authorize(c); err != nil {
		return err
	}
	ctx, repo, ref := c.ctx(), c.req.Repository, c.name.Ref()
	if _, err := f.d.Catalog.Version(ctx, repo, ref, c.version); err == nil {
		return errkind.Conflictf("Release %s of %s already exists in repository %s", c.version, c.name, repo.Name).OnResource("package-version", c.version)
	} else if !errors.Is(err, errkind.ErrNotFound) {
		return err
	}
	if err := f.d.Resolver.CheckPublish(ctx, repo, ref, c.version); err != nil {
		return err
	}
	mt, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return &format.Refusal{Status: http.StatusUnsupportedMediaType, Message: "A publish request is multipart/form-data with a source-archive part"}
	}
	sigFormat := c.r.Header.Get("X-Swift-Package-Signature-Format")

	var (
		archive     *received
		sig         []byte
		metadata    []byte
		metadataSig []byte
		seen        = map[string]bool{}
	)
	defer func() {
		if archive != nil {
			archive.close()
		}
	}()
	mr, err := c.r.MultipartReader()
	if err != nil {
		return errkind.Validationf("The publish request is not valid multipart/form-data: %v", err)
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return errkind.Validationf("The publish request is not valid multipart/form-data: %v", err)
		}
		name := part.FormName()
		if seen[name] {
			return errkind.Validationf("The publish request has the part %q twice", name)
		}
		seen[name] = true
		switch name {
		case "source-archive":
			if archive, err = spool(part); err != nil {
				return err
			}
		case "source-archive-signature":
			if sig, err = readPart(part, name, maxSignature); err != nil {
				return err
			}
		case "metadata":
			if metadata, err = readPart(part, name, MaxMetadata); err != nil {
				return err
			}
		case "metadata-signature":
			if metadataSig, err = readPart(part, name, maxSignature); err != nil {
				return err
			}
		default:
			return errkind.Validationf("The publish request has an unknown part %q: the parts are source-archive, source-archive-signature, metadata and metadata-signature", name)
		}
	}
	if archive == nil {
		return errkind.Validationf("The publish request has no source-archive part")
	}
	if (len(sig) > 0 || len(metadataSig) > 0) && sigFormat != signatureFormat {
		return errkind.Validationf("A signed release names its signature format %s in X-Swift-Package-Signature-Format", signatureFormat)
	}
	if len(metadataSig) > 0 && len(sig) == 0 {
		return errkind.Validationf("The publish request signs its metadata but not its source archive")
	}
	// A signature must be a signature of what it signs (signature.go);
	// whether its signer is trusted is the client's policy.
	if len(sig) > 0 {
		if _, err := archive.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if _, err := VerifyCMS(sig, archive); err != nil {
			return errkind.Wrap(errkind.Validation, err, "source-archive-signature: %s", errkind.As(err).Message)
		}
		if _, err := archive.Seek(0, io.SeekStart); err != nil {
			return err
		}
	}
	if len(metadataSig) > 0 {
		if _, err := VerifyCMS(metadataSig, bytes.NewReader(metadata)); err != nil {
			return errkind.Wrap(errkind.Validation, err, "metadata-signature: %s", errkind.As(err).Message)
		}
	}
	meta, err := ParseMetadata(metadata)
	if err != nil {
		return err
	}
	parsed, err := ParseArchive(archive, archive.Size(), DefaultLimits)
	if err != nil {
		return err
	}
	if _, err := archive.Seek(0, io.SeekStart); err != nil {
		return err
	}
	zip, err := assets.Store(ctx, f.d.Blobs, ArchiveAsset(c.name, c.version), archive, assets.Expect{}, assets.MaxSize)
	if err != nil {
		return err
	}
	stored := []artifact.Asset{zip}
	for file, body := range parsed.Manifests {
		a, err := assets.Store(ctx, f.d.Blobs, file, bytes.NewReader(body), assets.Expect{}, 0)
		if err != nil {
			return err
		}
		stored = append(stored, a)
	}
	if len(sig) > 0 {
		a, err := assets.Store(ctx, f.d.Blobs, signatureAsset, bytes.NewReader(sig), assets.Expect{}, 0)
		if err != nil {
			return err
		}
		stored = append(stored, a)
	}
	if _, err := f.d.Resolver.Publish(ctx, repo, catalog.Publication{
		Ref: ref, Version: c.version, Meta: meta.Meta(), Assets: stored,
	}); err != nil {
		return err
	}
	f.notePublish(c)
	c.w.Header().Set("Location", c.releaseURL(c.version))
	return format.WriteJSON(c.w, http.StatusCreated, map[string]string{"message": "Published " + c.name.String() + " " + c.version})
}

// inMemory is the size up to which a source archive is held in memory
// rather than in a temporary file: most are smaller, and a file costs a
// publish its creation, writes, reads and removal. The request's body is
// within the server's buffer budget already.
const inMemory = 1 << 20

// received is a source archive as the request sent it (a zip is read from
// its end, so it is kept whole before it is read): in memory, or in a
// temporary file when larger than inMemory.
type received struct {
	*io.SectionReader
	file *os.File // nil in memory
}

// close removes the temporary file, if any.
func (a *received) close() {
	if a.file != nil {
		a.file.Close()
		os.Remove(a.file.Name())
	}
}

// spool keeps the source archive, at most assets.MaxSize bytes: in
// memory up to inMemory, in a temporary file beyond.
func spool(r io.Reader) (*received, error) {
	var head bytes.Buffer
	if _, err := head.ReadFrom(io.LimitReader(r, inMemory+1)); err != nil {
		return nil, errkind.Validationf("The source archive could not be read: %v", err)
	}
	if head.Len() <= inMemory {
		b := head.Bytes()
		return &received{SectionReader: io.NewSectionReader(bytes.NewReader(b), 0, int64(len(b)))}, nil
	}
	f, err := os.CreateTemp("", "arca-swift-*.zip")
	if err != nil {
		return nil, err
	}
	n, err := io.Copy(f, io.LimitReader(io.MultiReader(&head, r), assets.MaxSize+1))
	if err == nil && n > assets.MaxSize {
		err = errkind.New(errkind.QuotaExceeded, "The source archive is larger than the largest asset accepted")
	}
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		if errkind.KindOf(err) == errkind.QuotaExceeded {
			return nil, err
		}
		return nil, errkind.Validationf("The source archive could not be read: %v", err)
	}
	return &received{SectionReader: io.NewSectionReader(f, 0, n), file: f}, nil
}

func readPart(r io.Reader, name string, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, errkind.Validationf("The %s part could not be read: %v", name, err)
	}
	if int64(len(b)) > limit {
		return nil, errkind.Validationf("The %s part is larger than %d bytes", name, limit)
	}
	return b, nil
}
