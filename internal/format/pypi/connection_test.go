package pypi_test

// The index client against a fake index that counts requests
// (upstreamtest.PyPI): pages in both forms, ingestion and verified file
// fetches. The cache, collapsed fetches, failure memory, stale-if-error
// and bounded waits are package upstream's, tested there.

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/pypi"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

func project(name string) artifact.PackageRef {
	return artifact.PackageRef{Format: artifact.PyPI, Name: pypi.NormalizeName(name)}
}

type fixture struct {
	idx   *upstreamtest.PyPI
	reg   *pypi.Connection
	clock *upstreamtest.Clock
	blobs *fsblob.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	idx := upstreamtest.NewPyPI(t)
	blobs, err := fsblob.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{idx: idx, blobs: blobs, clock: upstreamtest.NewClock()}
	f.reg = pypi.NewConnection(upstream.Config{URL: idx.IndexURL, Blobs: blobs, Now: f.clock.Now})
	return f
}

func (f *fixture) blobCount(t *testing.T) int {
	n := 0
	f.blobs.Walk(t.Context(), func(blob.Info) error { n++; return nil })
	return n
}

func versions(r *resolve.Remote) string {
	var vs []string
	for v := range r.Versions {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b string) int { return pypi.Rules{}.CompareVersions(a, b) })
	return strings.Join(vs, " ")
}

func TestPackageFromIndex(t *testing.T) {
	for _, html := range []bool{false, true} {
		f := newFixture(t)
		f.idx.SetHTMLOnly(html)
		f.idx.Publish("Tiny_Lib", upstreamtest.PyPIDist{Version: "1.0", RequiresPython: ">=3.8"})
		f.idx.Publish("Tiny_Lib", upstreamtest.PyPIDist{Version: "2.0.0-RC1", NoSdist: true})
		remote, err := f.reg.Package(t.Context(), project("tiny.lib"))
		if err != nil {
			t.Fatal(err)
		}
		if got := versions(remote); got != "1.0 2.0.0rc1" {
			t.Errorf("html=%v: versions %s", html, got)
		}
		v := remote.Versions["1.0"]
		extra := pypi.ParseExtra(v.Meta.Extra)
		wheel := "Tiny_Lib-1.0-py3-none-any.whl"
		w := extra.Files[wheel]
		if len(extra.Files) != 2 || w.SHA256 == "" || w.RequiresPython != ">=3.8" || w.PackageType != "bdist_wheel" || w.MetadataSHA256 == "" {
			t.Errorf("html=%v: files %+v", html, extra.Files)
		}
		rel := v.Source.(pypi.RemoteRelease)
		if u := rel.Files[wheel].URL; u != f.idx.URL+"/files/"+wheel {
			t.Errorf("html=%v: URL %s", html, u)
		}
		if h := f.idx.Header(f.idx.PagePath("tiny-lib")); h.Get("Accept") != pypi.Accept || h.Get("User-Agent") != pypi.UserAgent {
			t.Errorf("request headers %v", h)
		}
		if !html && (w.Size == 0 || w.UploadTime.IsZero()) {
			t.Errorf("PEP 700 size and upload time: %+v", w)
		}
	}
}

func TestIngestAndFetch(t *testing.T) {
	f := newFixture(t)
	d := upstreamtest.PyPIDist{Name: "Tiny_Lib", Version: "1.0", Summary: "Tiny", RequiresDist: []string{"six>=1"}, License: "BSD"}
	f.idx.Publish("tiny-lib", d)
	ctx, ref := t.Context(), project("tiny-lib")
	remote, err := f.reg.Package(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.reg.Ingest(ctx, ref, remote.Versions["1.0"])
	if err != nil {
		t.Fatal(err)
	}
	wheel, sdist := upstreamtest.PyPIWheelName(d), upstreamtest.PyPISdistName(d)
	if len(v.Assets) != 0 || v.Meta.Summary != "Tiny" || v.Meta.DisplayName != "Tiny_Lib" || len(v.Meta.Dependencies) != 1 ||
		v.Meta.Licenses[0].Name != "BSD" || !strings.Contains(v.Meta.Readme, "fake index") || v.Meta.PublishedAt.IsZero() {
		t.Errorf("ingested %+v", v)
	}
	if e := pypi.ParseExtra(v.Meta.Extra); e.Metadata == nil || e.Metadata.Name != "Tiny_Lib" || len(e.Files) != 2 {
		t.Errorf("extra %+v", e)
	}
	if f.idx.MetadataRequests(wheel) != 1 || f.idx.Downloads(wheel)+f.idx.Downloads(sdist) != 0 {
		t.Errorf("ingest fetched files: metadata %d, wheel %d, sdist %d", f.idx.MetadataRequests(wheel), f.idx.Downloads(wheel), f.idx.Downloads(sdist))
	}
	for _, name := range []string{wheel, sdist} {
		a, err := f.reg.FetchAsset(ctx, ref, "1.0", name)
		if err != nil || a.SHA256 == "" || a.Size != int64(len(f.idx.File(name))) || a.Name != name {
			t.Errorf("fetch %s: %+v %v", name, a, err)
		}
	}
	if _, err := f.reg.FetchAsset(ctx, ref, "1.0", "tiny_lib-1.0.zip"); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("a file the page does not list: %v", err)
	}
	if _, err := f.reg.FetchAsset(ctx, ref, "9.9", wheel); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("a version the page does not list: %v", err)
	}
}

func TestIngestWithoutMetadataFiles(t *testing.T) {
	f := newFixture(t)
	f.idx.SetNoMetadata(true)
	d := upstreamtest.PyPIDist{Name: "tiny-lib", Version: "1.0", Summary: "From the wheel"}
	f.idx.Publish("tiny-lib", d)
	ctx, ref := t.Context(), project("tiny-lib")
	remote, _ := f.reg.Package(ctx, ref)
	v, err := f.reg.Ingest(ctx, ref, remote.Versions["1.0"])
	if err != nil {
		t.Fatal(err)
	}
	// The pure-Python wheel is fetched (and kept) to read the metadata.
	if len(v.Assets) != 1 || v.Assets[0].Name != upstreamtest.PyPIWheelName(d) || v.Meta.Summary != "From the wheel" {
		t.Errorf("ingested %+v", v)
	}
	// Its METADATA is served now; the sdist's is not.
	e := pypi.ParseExtra(v.Meta.Extra)
	if e.Files[upstreamtest.PyPIWheelName(d)].MetadataSHA256 == "" || e.Files[upstreamtest.PyPISdistName(d)].MetadataSHA256 != "" {
		t.Errorf("metadata files: %+v", e.Files)
	}
}

func TestFetchRefusesBadBytes(t *testing.T) {
	f := newFixture(t)
	d := upstreamtest.PyPIDist{Name: "lib", Version: "1.0"}
	f.idx.Publish("lib", d)
	ctx, ref := t.Context(), project("lib")
	f.reg.Package(ctx, ref)
	before := f.blobCount(t)
	f.idx.Corrupt(upstreamtest.PyPISdistName(d))
	_, err := f.reg.FetchAsset(ctx, ref, "1.0", upstreamtest.PyPISdistName(d))
	if !errors.Is(err, errkind.ErrValidation) || !strings.Contains(errkind.As(err).Message, "not kept") {
		t.Errorf("corrupted file: %v", err)
	}
	if f.blobCount(t) != before {
		t.Error("the corrupted bytes were stored")
	}
	f.idx.Down()
	if _, err := f.reg.FetchAsset(ctx, ref, "1.0", upstreamtest.PyPIWheelName(d)); !errors.Is(err, errkind.ErrUnavailable) {
		t.Errorf("index down: %v", err)
	}
}

func TestMessagesRedactTheURL(t *testing.T) {
	f := newFixture(t)
	reg := pypi.NewConnection(upstream.Config{URL: strings.Replace(f.idx.IndexURL, "http://", "http://user:s3cret@", 1), Blobs: f.blobs})
	f.idx.SetStatus(500)
	_, err := reg.Package(t.Context(), project("x"))
	if err == nil || strings.Contains(err.Error(), "s3cret") || strings.Contains(errkind.As(err).Message, "s3cret") {
		t.Errorf("message %v", err)
	}
}
