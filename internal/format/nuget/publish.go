package nuget

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/assets"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
)

// Permissions of the writes: a push publishes; unlisting and relisting
// change a version's status, as UpdatePackageVersionsStatus does.
const (
	actionPublish = "codeartifact:PublishPackageVersion"
	actionStatus  = "codeartifact:UpdatePackageVersionsStatus"
)

// push is nuget push: PUT {PackagePublish}/ with the .nupkg as the one
// part of a multipart/form-data body (NuGet quotes the boundary and sends
// the body chunked). The package streams to the blob store, then its
// .nuspec is read once and must name a valid id and version; the version
// must be new to the repository and not reachable upstream. 201 on
// success, 409 for an existing version, 400 for a bad package; on any
// failure nothing is recorded.
func (f *Format) push(c *call) error {
	ctx := c.ctx()
	mediaType, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mediaType, "multipart/") || params["boundary"] == "" {
		return errkind.Validationf("Push the package as multipart/form-data, as nuget push and dotnet nuget push do")
	}
	mr := multipart.NewReader(c.r.Body, params["boundary"])
	var stored *artifact.Asset
	for stored == nil {
		part, err := mr.NextPart()
		if err == io.EOF {
			return errkind.Validationf("The push request has no package in its body")
		}
		if err != nil {
			return errkind.Validationf("The push request's body is not valid multipart/form-data: %v", err)
		}
		if part.FileName() == "" && part.FormName() != "package" {
			continue
		}
		a, err := assets.Store(ctx, f.d.Blobs, "package.nupkg", part, assets.Expect{}, assets.MaxSize)
		if err != nil {
			return err
		}
		stored = &a
	}
	contents, err := f.readStored(c, *stored)
	if err != nil {
		return err
	}
	n := contents.Nuspec
	v, _ := ParseVersion(n.Version) // ParseNuspec checked it
	ref, key := Ref(n.ID), v.Key()
	if err := f.d.AuthorizeWrite(ctx, c.req, string(artifact.NuGet), "", ref.Name, actionPublish); err != nil {
		return err
	}
	meta, err := MetaOf(contents)
	if err != nil {
		return err
	}
	stored.Name = AssetName(n.ID, v)
	_, err = f.d.Resolver.Publish(ctx, c.req.Repository, catalog.Publication{
		Ref: ref, Version: key, Meta: meta, Assets: []artifact.Asset{*stored},
	})
	if err != nil {
		return err
	}
	f.notePublish(c, ref)
	c.w.WriteHeader(http.StatusCreated)
	return nil
}

// readStored reads a stored .nupkg's manifest and readme.
func (f *Format) readStored(c *call, a artifact.Asset) (*Contents, error) {
	rc, err := assets.Open(c.ctx(), f.d.Blobs, a)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return ReadPackage(assets.ReaderAt(rc), a.Size)
}

// listing is nuget delete (DELETE {PackagePublish}/{id}/{version}), which
// CodeArtifact answers by unlisting the version (status Unlisted: still
// downloadable, no longer listed), and its reverse (POST to the same URL)
// which relists it (status Published). Only Published and Unlisted
// versions of this repository change this way; the control plane's
// UpdatePackageVersionsStatus handles the others.
func (f *Format) listing(c *call) error {
	if ValidateID(c.rt.id) != nil {
		return errkind.NotFoundf("Package %q not found", c.rt.id)
	}
	key, ok := NormalizeVersion(c.rt.version)
	if !ok {
		return errkind.NotFoundf("Version %q of %s not found", c.rt.version, c.rt.id)
	}
	ref := Ref(c.rt.id)
	if err := f.d.AuthorizeWrite(c.ctx(), c.req, string(artifact.NuGet), "", ref.Name, actionStatus); err != nil {
		return err
	}
	target := artifact.Unlisted
	if c.r.Method == http.MethodPost {
		target = artifact.Published
	}
	v, err := f.d.Catalog.Version(c.ctx(), c.req.Repository, ref, key)
	if err != nil {
		return err
	}
	if !v.Status.Downloadable() {
		return errkind.Conflictf("Version %s of %s is %s; only Published and Unlisted versions are listed or unlisted with NuGet. Use aws codeartifact update-package-versions-status", key, ref.Name, v.Status)
	}
	if v.Status != target {
		res, err := f.d.Catalog.UpdateStatus(c.ctx(), c.req.Repository, catalog.Batch{Ref: ref, Versions: []string{key}, Expected: v.Status}, target)
		if err != nil {
			return err
		}
		if e, failed := res.Failed[key]; failed {
			return errkind.Conflictf("Version %s of %s did not change: %s", key, ref.Name, e.Message)
		}
		f.notePublish(c, ref)
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}
