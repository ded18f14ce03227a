package catalog

import (
	"cmp"
	"context"
	"slices"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

// Recorder is told of package version changes (package events implements
// it: the outbox of CodeArtifact's package version events).
type Recorder interface {
	// RecordChange runs inside the transaction that makes the change, on
	// its queries: what it writes commits or rolls back with the change.
	RecordChange(ctx context.Context, q store.Queries, c VersionChange) error
	// Committed is called after a transaction with recorded changes
	// commits.
	Committed()
}

// VersionChange is one package version's change within a transaction.
type VersionChange struct {
	Repository store.Repository
	Ref        artifact.PackageRef
	// Before is the version as it was, nil when it was created; After is
	// the version as it is now, nil when it was deleted.
	Before, After *store.Version
}

// SetRecorder makes r the recorder of package version changes.
func (c *Catalog) SetRecorder(r Recorder) { c.recorder = r }

// tracker passes queries through to the transaction and notes, before the
// first write to each version, what the version was: every path that
// writes versions (publish, retain, copy, status, dispose, delete, split)
// is seen without each having to report its own changes.
type tracker struct {
	store.Queries
	order  []int64
	before map[int64]*store.Version // nil: created in this transaction
	gone   map[int64]bool
	after  map[int64]*store.Version // read once fn is done (current)
}

func newTracker(q store.Queries) *tracker {
	return &tracker{Queries: q, before: map[int64]*store.Version{}, gone: map[int64]bool{}, after: map[int64]*store.Version{}}
}

// current returns a version as the transaction left it, read once: it is
// asked only after every write.
func (t *tracker) current(ctx context.Context, id int64) (*store.Version, error) {
	if v, ok := t.after[id]; ok {
		return v, nil
	}
	v, err := t.Queries.GetVersionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	t.after[id] = &v
	return &v, nil
}

// note records a version as it is before a write, once.
func (t *tracker) note(ctx context.Context, id int64) error {
	if _, ok := t.before[id]; ok {
		return nil
	}
	v, err := t.Queries.GetVersionByID(ctx, id)
	if err != nil {
		return err
	}
	t.before[id] = &v
	t.order = append(t.order, id)
	return nil
}

func (t *tracker) CreateVersion(ctx context.Context, domainID int64, v *store.Version) error {
	if err := t.Queries.CreateVersion(ctx, domainID, v); err != nil {
		return err
	}
	if _, ok := t.before[v.ID]; !ok {
		t.before[v.ID] = nil
		t.order = append(t.order, v.ID)
	}
	return nil
}

func (t *tracker) UpdateVersion(ctx context.Context, v store.Version) error {
	if err := t.note(ctx, v.ID); err != nil {
		return err
	}
	return t.Queries.UpdateVersion(ctx, v)
}

func (t *tracker) AddAsset(ctx context.Context, domainID, versionID int64, a artifact.Asset) error {
	if err := t.note(ctx, versionID); err != nil {
		return err
	}
	return t.Queries.AddAsset(ctx, domainID, versionID, a)
}

func (t *tracker) RemoveAssets(ctx context.Context, versionID int64) error {
	if err := t.note(ctx, versionID); err != nil {
		return err
	}
	return t.Queries.RemoveAssets(ctx, versionID)
}

func (t *tracker) DeleteVersion(ctx context.Context, versionID int64) error {
	if err := t.note(ctx, versionID); err != nil {
		return err
	}
	t.gone[versionID] = true
	return t.Queries.DeleteVersion(ctx, versionID)
}

func (t *tracker) DeletePackage(ctx context.Context, packageID int64) error {
	vs, err := t.Queries.ListVersions(ctx, packageID, true)
	if err != nil {
		return err
	}
	slices.SortFunc(vs, func(a, b store.Version) int { return cmp.Compare(a.ID, b.ID) })
	for i := range vs {
		if _, ok := t.before[vs[i].ID]; !ok {
			t.before[vs[i].ID] = &vs[i]
			t.order = append(t.order, vs[i].ID)
		}
		t.gone[vs[i].ID] = true
	}
	return t.Queries.DeletePackage(ctx, packageID)
}

// record hands every version the transaction changed to r, in the order
// they were first written, and reports whether it handed any.
func (t *tracker) record(ctx context.Context, r Recorder, repo store.Repository, ref artifact.PackageRef) (bool, error) {
	did := false
	for _, id := range t.order {
		before := t.before[id]
		var after *store.Version
		if !t.gone[id] {
			var err error
			if after, err = t.current(ctx, id); err != nil {
				return did, err
			}
		}
		if before == nil && after == nil || before != nil && after != nil && sameState(*before, *after) {
			continue
		}
		if err := r.RecordChange(ctx, t.Queries, VersionChange{Repository: repo, Ref: ref, Before: before, After: after}); err != nil {
			return did, err
		}
		did = true
	}
	return did, nil
}

// sameState reports whether a write left a version as it was.
func sameState(a, b store.Version) bool {
	if a.Status != b.Status || a.Revision != b.Revision || len(a.Assets) != len(b.Assets) {
		return false
	}
	for i := range a.Assets {
		if a.Assets[i] != b.Assets[i] {
			return false
		}
	}
	return true
}
