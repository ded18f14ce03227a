package catalog_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// recorder keeps the changes it is told of, or fails.
type recorder struct {
	changes   []catalog.VersionChange
	fail      error
	committed int
}

func (r *recorder) RecordChange(_ context.Context, _ store.Queries, c catalog.VersionChange) error {
	if r.fail != nil {
		return r.fail
	}
	r.changes = append(r.changes, c)
	return nil
}

func (r *recorder) Committed() { r.committed++ }

// The recorder runs inside the change's transaction: when it fails, the
// change does not happen; when it succeeds, it saw the version before and
// after, and is told of the commit.
func TestRecorderIsPartOfTheTransaction(t *testing.T) {
	ctx := context.Background()
	cat, r := setup(t)
	rec := &recorder{fail: errors.New("outbox unavailable")}
	cat.SetRecorder(rec)
	pub := catalog.Publication{Ref: pkg, Version: "1.0.0", Assets: []artifact.Asset{{Name: "a.tgz", Size: 1, SHA256: strings.Repeat("ab", 32)}}}
	if _, err := cat.Publish(ctx, r, pub); err == nil {
		t.Fatal("publish succeeded with a failing recorder")
	}
	if _, err := cat.VersionFromStore(ctx, r, pkg, "1.0.0"); !errors.Is(err, errkind.ErrNotFound) {
		t.Fatalf("the version exists after its event failed: %v", err)
	}
	rec.fail = nil
	if _, err := cat.Publish(ctx, r, pub); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.UpdateStatus(ctx, r, catalog.Batch{Ref: pkg, Versions: []string{"1.0.0"}}, artifact.Archived); err != nil {
		t.Fatal(err)
	}
	if len(rec.changes) != 2 || rec.committed != 2 {
		t.Fatalf("%d changes, %d commits", len(rec.changes), rec.committed)
	}
	if c := rec.changes[0]; c.Before != nil || c.After == nil || c.After.Status != artifact.Published || c.Repository.ID != r.ID || c.Ref != pkg {
		t.Errorf("publish: %+v", c)
	}
	if c := rec.changes[1]; c.Before == nil || c.After == nil || c.Before.Status != artifact.Published || c.After.Status != artifact.Archived {
		t.Errorf("status change: %+v", c)
	}
	// A tag change touches no version: nothing to record.
	if err := cat.SetTag(ctx, r, pkg, "beta", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	if len(rec.changes) != 2 || rec.committed != 2 {
		t.Errorf("a tag change recorded %d changes, %d commits", len(rec.changes), rec.committed)
	}
}
