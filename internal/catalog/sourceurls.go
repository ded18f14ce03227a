package catalog

import (
	"context"
	"slices"
	"sync"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

// The source URLs a version declares (Formats.SourceURLs: Swift's
// repositoryURLs) are kept in the store (store.SourceURLs) by
// updatePackage, the one path every version write takes: created,
// changed and copied versions get theirs in the transaction that writes
// them; deleted ones lose them with their rows; status is read at lookup.

// sourceURLs returns the source URLs of format f's versions, or nil when
// the format has none indexed.
func (c *Catalog) sourceURLs(f artifact.Format) func(artifact.Meta) []string {
	if c.conns == nil {
		return nil
	}
	return c.conns.SourceURLs(f)
}

// indexSourceURLs records the source URLs of every version the
// transaction created or whose declared URLs it changed.
func (t *tracker) indexSourceURLs(ctx context.Context, repo store.Repository, urls func(artifact.Meta) []string) error {
	for _, id := range t.order {
		if t.gone[id] {
			continue
		}
		after, err := t.current(ctx, id)
		if err != nil {
			return err
		}
		now := urls(after.Meta)
		if before := t.before[id]; before != nil && slices.Equal(urls(before.Meta), now) {
			continue
		}
		if err := t.SetSourceURLs(ctx, repo.ID, after.PackageID, id, now); err != nil {
			return err
		}
	}
	return nil
}

// MaxSourceURLPackages bounds the packages PackagesWithSourceURL returns.
const MaxSourceURLPackages = 10_000

// PackagesWithSourceURL returns, by namespace and name, the packages of
// format f in repo with a listed (Published) version declaring url, as
// the format normalises it. Versions published before the index existed
// are indexed on the first call (BackfillSourceURLs).
func (c *Catalog) PackagesWithSourceURL(ctx context.Context, repo store.Repository, f artifact.Format, url string) ([]artifact.PackageRef, error) {
	if err := c.BackfillSourceURLs(ctx, f); err != nil {
		return nil, err
	}
	return c.st.PackagesWithSourceURL(ctx, repo.ID, f, url, artifact.Published, MaxSourceURLPackages)
}

// backfillPage is how many versions one transaction of a backfill indexes.
const backfillPage = 500

// backfills remembers the formats whose backfill this process saw done.
type backfills struct {
	mu   sync.Mutex
	done map[artifact.Format]bool
}

// BackfillSourceURLs indexes the source URLs of every version of format
// f that the store holds from before the index (migration 00015 leaves
// "source_urls/FORMAT" pending), once: pages of versions, each in one
// transaction that reads the versions and writes their URLs, so that a
// version changed meanwhile is indexed by whichever write comes last.
// Servers sharing the store may run it together: every write replaces a
// version's URLs with the same ones.
func (c *Catalog) BackfillSourceURLs(ctx context.Context, f artifact.Format) error {
	c.backfills.mu.Lock()
	defer c.backfills.mu.Unlock()
	if c.backfills.done[f] {
		return nil
	}
	name := "source_urls/" + string(f)
	pending, err := c.st.PendingBackfill(ctx, name)
	if err != nil {
		return err
	}
	urls := c.sourceURLs(f)
	if pending && urls != nil {
		for after, next := int64(0), int64(0); ; after = next {
			err := c.st.Update(ctx, func(q store.Queries) error {
				vs, err := q.FormatVersions(ctx, f, after, backfillPage)
				if err != nil {
					return err
				}
				next = after
				for _, v := range vs {
					if err := q.SetSourceURLs(ctx, v.RepositoryID, v.PackageID, v.ID, urls(v.Meta)); err != nil {
						return err
					}
					next = v.ID
				}
				return nil
			})
			if err != nil {
				return err
			}
			if next == after {
				break
			}
		}
		if err := c.st.FinishBackfill(ctx, name); err != nil {
			return err
		}
	}
	if c.backfills.done == nil {
		c.backfills.done = map[artifact.Format]bool{}
	}
	c.backfills.done[f] = true
	return nil
}
