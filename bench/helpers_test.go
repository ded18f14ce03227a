package bench

import (
	"context"
	"encoding/base64"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/format"
	"github.com/arcahq/arca/internal/format/npm"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/sqlite"
)

func basic(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// npmDomain returns a catalog with npm's rules on a new SQLite store,
// with domain d and its repository r.
func npmDomain(b *testing.B) (*catalog.Catalog, catalog.DomainRef, store.Repository) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cat := catalog.New(st, "us-east-1", time.Now, format.NewRegistry(npm.Rules{}))
	d := catalog.DomainRef{Owner: "111122223333", Name: "d"}
	if _, err := cat.CreateDomain(ctx, d, "", nil); err != nil {
		b.Fatal(err)
	}
	repo, err := cat.CreateRepository(ctx, catalog.RepositoryRef{DomainRef: d, Name: "r"}, d.Owner, "", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	return cat, d, repo
}
