package pypi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/blake2b"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
)

// upload is twine upload: one distribution file per request, added to its
// version (created by the first file). The file streams to the blob store
// while its digests are computed; the sha256_digest, md5_digest and
// blake2_256_digest fields are checked against the bytes. Then the
// file's core metadata is read from the stored file and must name the
// project and version of the form. The same file name with other bytes is
// refused with 409 (as the User Guide says of every format; twine's
// --skip-existing skips a file refused so); the same bytes again succeed
// and change nothing (idempotent, as in CodeArtifact and on PyPI itself),
// the body saying so (twine --verbose shows it).
func (f *Format) upload(c *call) error {
	ctx := c.ctx()
	var stored *artifact.Asset
	var name, version string
	var fn Filename
	blake, _ := blake2b.New256(nil)
	// The caller's permission is checked as soon as the name field
	// arrives (twine sends it before the description and the file), so
	// nothing more of a refused upload is read.
	authorized := func(u *Upload, field string) error {
		if field != "name" || ValidateName(u.Get("name")) != nil {
			return nil // checkUpload reports it
		}
		return f.authorize(c, NormalizeName(u.Get("name")), actionPublish)
	}
	u, err := ParseUpload(c.r.Header.Get("Content-Type"), c.r.Body, authorized, func(u *Upload, filename string, data io.Reader) error {
		var err error
		if name, version, fn, err = f.checkUpload(c, u, filename); err != nil {
			return err
		}
		a, err := assets.Store(ctx, f.d.Blobs, filename, io.TeeReader(data, blake), declared(u), assets.MaxSize)
		if err != nil {
			return err
		}
		stored = &a
		return nil
	})
	if err != nil {
		return err
	}
	if !u.HasContent || stored == nil {
		if action := u.Get(":action"); action != "" && action != "file_upload" {
			return errkind.Validationf("The upload API action %q is not supported; only file_upload is", action)
		}
		return errkind.Validationf("The upload has no file: send it as the content field, as twine does")
	}
	// Digests sent after the file are checked now.
	if want := declared(u); (want.SHA256 != "" && want.SHA256 != stored.SHA256) || (want.MD5 != "" && want.MD5 != stored.MD5) {
		return errkind.Validationf("The digests of %s do not match the sha256_digest and md5_digest fields", stored.Name)
	}
	if want := strings.ToLower(strings.TrimSpace(u.Get("blake2_256_digest"))); want != "" && want != hex.EncodeToString(blake.Sum(nil)) {
		return errkind.Validationf("The BLAKE2b-256 digest of %s does not match the blake2_256_digest field", stored.Name)
	}
	raw, md, err := f.storedMetadata(c, u, name, version, fn, *stored)
	if err != nil {
		return err
	}
	file := File{
		PackageType: fn.PackageType(), PythonVersion: fn.PythonVersion(),
		RequiresPython: md.RequiresPython, UploadTime: f.now().UTC().Truncate(time.Microsecond),
	}
	if fn.Kind == Wheel && raw != nil {
		sum := sha256.Sum256(raw)
		file.MetadataSHA256 = hex.EncodeToString(sum[:])
	}
	meta := md.Meta()
	meta.Extra = WithFile(nil, stored.Name, file, md)
	// again: the version already has this file, with these bytes (other
	// bytes are a Conflict before MergeMeta runs).
	again := false
	_, err = f.d.Resolver.Publish(ctx, c.req.Repository, catalog.Publication{
		Ref: Ref(name), Version: version, Meta: meta, Assets: []artifact.Asset{*stored},
		AddAssets: catalog.AddAlways,
		// A later file keeps the version's metadata (the first file's,
		// as on PyPI) and adds its own entry.
		MergeMeta: func(old artifact.Meta) (artifact.Meta, error) {
			_, again = ParseFiles(old.Extra)[stored.Name]
			old.Extra = WithFile(old.Extra, stored.Name, file, md)
			return old, nil
		},
	})
	if err != nil {
		return err
	}
	f.notePublish(c, Ref(name))
	if file.MetadataSHA256 != "" {
		// Recorded once, here: "{file}.metadata" never opens the wheel.
		if err := f.d.Catalog.SetDerived(ctx, c.req.Repository, *stored, raw); err != nil {
			f.d.Log.Warn("pypi: recording a wheel's METADATA", "file", stored.Name, "error", err)
		}
	}
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.w.WriteHeader(http.StatusOK)
	msg := "OK\n"
	if again {
		msg = "OK: " + stored.Name + " already exists in " + c.req.Repository.Name + " with the same content; nothing changed\n"
	}
	_, err = io.WriteString(c.w, msg)
	return err
}

// declared returns the digests an upload declares (hex, any case).
func declared(u *Upload) assets.Expect {
	return assets.Expect{
		SHA256: strings.ToLower(strings.TrimSpace(u.Get("sha256_digest"))),
		MD5:    strings.ToLower(strings.TrimSpace(u.Get("md5_digest"))),
	}
}

// checkUpload checks what an upload says about its file before any byte
// of it is stored: the action, the project and version, the caller's
// permission, and the file name. twine sends every field before the file.
func (f *Format) checkUpload(c *call, u *Upload, filename string) (name, version string, fn Filename, err error) {
	if action := u.Get(":action"); action != "file_upload" {
		if action == "" {
			return "", "", fn, errkind.Validationf("The upload has no :action field before its content (twine sends :action=file_upload)")
		}
		return "", "", fn, errkind.Validationf("The upload API action %q is not supported; only file_upload is", action)
	}
	if pv := u.Get("protocol_version"); pv != "" && pv != "1" {
		return "", "", fn, errkind.Validationf("Upload protocol version %q is not supported; only 1 is", pv)
	}
	display := u.Get("name")
	if err := ValidateName(display); err != nil {
		return "", "", fn, errkind.Validationf("The upload's name field: %s", errkind.As(err).Message)
	}
	name = NormalizeName(display)
	if version, err = NormalizeVersion(u.Get("version")); err != nil {
		return "", "", fn, errkind.Validationf("The upload's version field: %s", errkind.As(err).Message)
	}
	if err := f.authorize(c, name, actionPublish); err != nil {
		return "", "", fn, err
	}
	if fn, err = ParseFilename(filename, name); err != nil {
		return "", "", fn, err
	}
	if v, err := NormalizeVersion(fn.Version); err != nil || v != version {
		return "", "", fn, errkind.Validationf("The file %s is not of version %s", filename, version)
	}
	if ft := u.Get("filetype"); ft != "" && ft != fn.PackageType() {
		return "", "", fn, errkind.Validationf("The file %s is a %s, not the declared filetype %s", filename, fn.PackageType(), ft)
	}
	return name, version, fn, nil
}

// storedMetadata reads the core metadata of the stored file and checks
// that it is the upload's project and version. A source distribution
// without a PKG-INFO (or in an archive Arca cannot read) is described by
// the form's fields instead; a wheel without METADATA is no wheel.
func (f *Format) storedMetadata(c *call, u *Upload, name, version string, fn Filename, a artifact.Asset) ([]byte, *Metadata, error) {
	raw, err := FileMetadata(c.ctx(), f.d.Blobs, name, a)
	if errors.Is(err, ErrNoMetadata) && fn.Kind == Sdist {
		md := u.FormMetadata()
		return nil, md, md.Check()
	}
	if err != nil {
		if errkind.KindOf(err) == errkind.Internal {
			return nil, nil, err
		}
		return nil, nil, errkind.Validationf("%s: %s", a.Name, errkind.As(err).Message)
	}
	md, err := ParseFileMetadata(raw)
	if err != nil {
		return nil, nil, err
	}
	if err := md.Check(); err != nil {
		return nil, nil, errkind.Validationf("%s: %s", a.Name, errkind.As(err).Message)
	}
	if NormalizeName(md.Name) != name {
		return nil, nil, errkind.Validationf("The metadata of %s names project %s, not %s", a.Name, md.Name, name)
	}
	if v, _ := NormalizeVersion(md.Version); v != version {
		return nil, nil, errkind.Validationf("The metadata of %s is for version %s, not %s", a.Name, md.Version, version)
	}
	return raw, md, nil
}

// notePublish records that the request's client (its token) changed ref,
// so that its next read shows the change.
func (f *Format) notePublish(c *call, ref artifact.PackageRef) {
	f.writers.Wrote(c.req.Repository.DomainID, ref, c.req.Claims.ID)
}
