package maven

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/arcahq/arca/internal/artifact"
)

// Publish times, for the release-age gate: maven-metadata.xml dates only
// the artifact (lastUpdated, when the metadata last changed: no version
// it lists was published after it), so Package gives that as the
// Remote's PublishedBy bound, and PublishTime dates one version by the
// Last-Modified of its POM, which a repository serves as the time the
// file was deployed. The gate asks only when the bound is too recent to
// let a version through, and a version's time never changes, so each is
// asked once.

// lastUpdated is the metadata's lastUpdated, zero when absent or not a
// time.
func lastUpdated(m *Metadata) time.Time {
	t, err := time.Parse(LastUpdatedLayout, m.Versioning.LastUpdated)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// publishTimes remembers the versions dated so far, by POM path.
type publishTimes struct {
	mu sync.Mutex
	m  map[string]time.Time
}

// maxPublishTimes bounds the memory; past it, it starts over.
const maxPublishTimes = 100_000

// PublishTime returns when a version was deployed: the Last-Modified of
// its POM, zero when the repository does not say.
func (r *Connection) PublishTime(ctx context.Context, ref artifact.PackageRef, version string) (time.Time, error) {
	if err := checkRef(ref); err != nil {
		return time.Time{}, err
	}
	if !ValidSegment(version) {
		return time.Time{}, nil
	}
	path := Dir(ref, version) + "/" + ref.Name + "-" + version + ".pom"
	r.times.mu.Lock()
	t, ok := r.times.m[path]
	r.times.mu.Unlock()
	if ok {
		return t, nil
	}
	req := r.request(path)
	req.What = "the POM of " + ref.String() + " " + version
	resp, err := r.client.Get(ctx, req)
	if err != nil {
		return time.Time{}, err
	}
	resp.Body.Close()
	if lm, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		t = lm.UTC()
	}
	r.times.mu.Lock()
	if r.times.m == nil || len(r.times.m) >= maxPublishTimes {
		r.times.m = map[string]time.Time{}
	}
	r.times.m[path] = t
	r.times.mu.Unlock()
	return t, nil
}
