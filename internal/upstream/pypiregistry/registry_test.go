package pypiregistry_test

// The index client against a fake index that counts requests
// (upstreamtest.PyPI): pages in both forms, the cache, collapsed fetches,
// failure memory, stale-if-error, bounded waits, ingestion and verified
// file fetches.

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format/pypi"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/upstream/pypiregistry"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// clock is a settable clock for the client's cache.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func project(name string) artifact.PackageRef {
	return artifact.PackageRef{Format: artifact.PyPI, Name: pypi.NormalizeName(name)}
}

type fixture struct {
	idx   *upstreamtest.PyPI
	reg   *pypiregistry.Registry
	clock *clock
	blobs *fsblob.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	idx := upstreamtest.NewPyPI(t)
	blobs, err := fsblob.New(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{idx: idx, blobs: blobs, clock: &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}}
	f.reg = pypiregistry.New(pypiregistry.Config{URL: idx.IndexURL, Blobs: blobs, Now: f.clock.Now})
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
	slices.SortFunc(vs, func(a, b string) int { return artifact.CompareVersions(artifact.PyPI, a, b) })
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
		rel := v.Source.(pypiregistry.Release)
		if u := rel.Files[wheel].URL; u != f.idx.URL+"/files/"+wheel {
			t.Errorf("html=%v: URL %s", html, u)
		}
		if h := f.idx.Header(f.idx.PagePath("tiny-lib")); h.Get("Accept") != pypiregistry.Accept || h.Get("User-Agent") != pypiregistry.UserAgent {
			t.Errorf("request headers %v", h)
		}
		if !html && (w.Size == 0 || w.UploadTime.IsZero()) {
			t.Errorf("PEP 700 size and upload time: %+v", w)
		}
	}
}

func TestNotFoundIsCached(t *testing.T) {
	f := newFixture(t)
	for range 3 {
		if _, err := f.reg.Package(t.Context(), project("nothing-here")); !errors.Is(err, errkind.ErrNotFound) {
			t.Fatalf("unknown project: %v", err)
		}
	}
	if n := f.idx.Pages("nothing-here"); n != 1 {
		t.Errorf("%d requests for an unknown project", n)
	}
}

func TestCacheTTLAndRevalidation(t *testing.T) {
	f := newFixture(t)
	f.idx.AddProject("lib", 1)
	ctx := t.Context()
	f.reg.Package(ctx, project("lib"))
	f.reg.Package(ctx, project("lib"))
	if n := f.idx.Pages("lib"); n != 1 {
		t.Fatalf("within the TTL: %d requests", n)
	}
	f.clock.Advance(pypiregistry.DefaultTTL + time.Second)
	r, err := f.reg.Package(ctx, project("lib"))
	if err != nil || versions(r) != "1.0.0" {
		t.Fatal(r, err)
	}
	if n := f.idx.Pages("lib"); n != 2 || f.idx.Header(f.idx.PagePath("lib")).Get("If-None-Match") == "" {
		t.Errorf("after the TTL: %d requests, revalidation headers %v", n, f.idx.Header(f.idx.PagePath("lib")))
	}
	f.idx.Publish("lib", upstreamtest.PyPIDist{Version: "1.1"})
	f.clock.Advance(pypiregistry.DefaultTTL + time.Second)
	if r, _ := f.reg.Package(ctx, project("lib")); versions(r) != "1.0.0 1.1" {
		t.Errorf("a new version after the TTL: %s", versions(r))
	}
}

func TestConcurrentFetchesCollapse(t *testing.T) {
	f := newFixture(t)
	f.idx.AddProject("lib", 2)
	f.idx.SetDelay(100 * time.Millisecond)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := f.reg.Package(t.Context(), project("lib")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := f.idx.Pages("lib"); n != 1 {
		t.Errorf("20 concurrent misses sent %d requests", n)
	}
}

func TestFailureMemoryAndStaleIfError(t *testing.T) {
	f := newFixture(t)
	f.idx.AddProject("lib", 1)
	ctx := t.Context()
	if _, err := f.reg.Package(ctx, project("lib")); err != nil {
		t.Fatal(err)
	}
	f.idx.Down()
	f.clock.Advance(pypiregistry.DefaultTTL + time.Second)
	// Past the TTL, the index down: the last page is served.
	if r, err := f.reg.Package(ctx, project("lib")); err != nil || versions(r) != "1.0.0" {
		t.Fatalf("stale-if-error: %v", err)
	}
	// A project never fetched: Unavailable, then answered from memory.
	_, err := f.reg.Package(ctx, project("other"))
	if !errors.Is(err, errkind.ErrUnavailable) || !strings.Contains(errkind.As(err).Message, "connection refused") {
		t.Errorf("index down: %v", err)
	}
	before := f.idx.Total()
	f.idx.Up()
	_, err = f.reg.Package(ctx, project("other"))
	if !errors.Is(err, errkind.ErrUnavailable) || f.idx.Total() != before || !strings.Contains(errkind.As(err).Message, "tries again") {
		t.Errorf("remembered failure: %v, %d requests", err, f.idx.Total()-before)
	}
	f.clock.Advance(pypiregistry.DefaultFailureTTL + time.Second)
	if _, err := f.reg.Package(ctx, project("other")); !errors.Is(err, errkind.ErrNotFound) {
		t.Errorf("after the failure TTL: %v", err)
	}
	// Errors from the index itself.
	f.idx.SetStatus(503)
	if _, err := f.reg.Package(ctx, project("third")); !errors.Is(err, errkind.ErrUnavailable) || !strings.Contains(errkind.As(err).Message, "503") {
		t.Errorf("503: %v", err)
	}
}

func TestSlowIndexIsBounded(t *testing.T) {
	f := newFixture(t)
	f.idx.AddProject("lib", 1)
	f.idx.SetDelay(20 * time.Second)
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.reg.Package(ctx, project("lib"))
	if !errors.Is(err, errkind.ErrUnavailable) || time.Since(start) > 2*time.Second {
		t.Errorf("slow index: %v after %v", err, time.Since(start))
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
	reg := pypiregistry.New(pypiregistry.Config{URL: strings.Replace(f.idx.IndexURL, "http://", "http://user:s3cret@", 1), Blobs: f.blobs})
	f.idx.SetStatus(500)
	_, err := reg.Package(t.Context(), project("x"))
	if err == nil || strings.Contains(err.Error(), "s3cret") || strings.Contains(errkind.As(err).Message, "s3cret") {
		t.Errorf("message %v", err)
	}
}
