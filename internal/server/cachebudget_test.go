package server

import (
	"testing"

	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/cachesize"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/format/cargo"
	"github.com/arcahq/arca/internal/format/maven"
	"github.com/arcahq/arca/internal/format/npm"
	"github.com/arcahq/arca/internal/format/nuget"
	"github.com/arcahq/arca/internal/format/pypi"
	"github.com/arcahq/arca/internal/format/rendered"
	"github.com/arcahq/arca/internal/format/ruby"
	"github.com/arcahq/arca/internal/format/swift"
	"github.com/arcahq/arca/internal/generation"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/token"
)

// TestCacheSharesFitTheBudget adds up every cache's share at the default
// budget (package cachesize lists them): --cache-bytes is the budget of
// all caches together, so their shares must not add up to more. A
// format's runs and version orders are carved out of its documents'
// and fragments' shares where the format says so (DocCacheBytes -
// RunCacheBytes), and are not counted twice.
func TestCacheSharesFitTheBudget(t *testing.T) {
	shares := map[string]int64{
		"catalog":  catalog.VersionCacheBytes + catalog.VersionListBytes + catalog.ResourceCacheBytes,
		"npm":      npm.DocCacheBytes + npm.PackageCacheBytes,
		"pypi":     pypi.PageCacheBytes + pypi.FragmentCacheBytes + pypi.OrderCacheBytes + pypi.ProjectCacheBytes,
		"maven":    maven.DocCacheBytes,
		"cargo":    cargo.IndexCacheBytes + cargo.LineCacheBytes + cargo.RunCacheBytes + cargo.SortedCacheBytes,
		"nuget":    nuget.DocCacheBytes + nuget.SortedCacheBytes + nuget.RunCacheBytes + nuget.BriefCacheBytes + nuget.EntryCacheBytes,
		"ruby":     ruby.GemsCacheBytes + ruby.VersionsCacheBytes + ruby.ExtraCacheBytes,
		"swift":    swift.ReleasesCacheBytes,
		"writers":  7 * rendered.WritersBytes,
		"counters": generation.Bytes,
		"identity": identity.CacheBytes,
		"authz":    authz.CacheBytes,
		"upstream": UpstreamCacheBytes,
		"blobs":    blobCacheSize,
		"views":    resolve.ViewCacheBytes,
		"tokens":   token.VerifiedBytes,
	}
	var total int64
	for name, b := range shares {
		t.Logf("%-9s %6.2f MiB", name, float64(b)/(1<<20))
		total += b
	}
	if total > cachesize.Default {
		t.Fatalf("the caches' shares add up to %.2f MiB, over the default budget of %d MiB", float64(total)/(1<<20), cachesize.Default>>20)
	}
}
