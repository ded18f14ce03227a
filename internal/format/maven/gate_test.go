package maven_test

import (
	"context"
	"testing"
	"time"
)

// For the release-age gate: the metadata's lastUpdated bounds every
// version, and a version is dated by its POM's Last-Modified, asked once.
func TestPublishTimes(t *testing.T) {
	fake, repo, _, _ := setup(t)
	ctx := context.Background()
	old := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	young := time.Date(2026, 12, 6, 8, 30, 0, 0, time.UTC)
	fake.PublishAt(old, "org.example", "lib", "1.0")
	fake.PublishAt(young, "org.example", "lib", "1.1")
	remote, err := repo.Package(ctx, lib)
	if err != nil {
		t.Fatal(err)
	}
	if !remote.PublishedBy.Equal(young) {
		t.Errorf("PublishedBy %v, want the metadata's lastUpdated %v", remote.PublishedBy, young)
	}
	for v, want := range map[string]time.Time{"1.0": old, "1.1": young} {
		got, err := repo.PublishTime(ctx, lib, v)
		if err != nil || !got.Equal(want) {
			t.Errorf("PublishTime %s = %v, %v; want %v", v, got, err, want)
		}
	}
	pom := "/org/example/lib/1.1/lib-1.1.pom"
	before := fake.Requests(pom)
	if _, err := repo.PublishTime(ctx, lib, "1.1"); err != nil || fake.Requests(pom) != before {
		t.Errorf("a second PublishTime asked the repository again (%d requests, %v)", fake.Requests(pom)-before, err)
	}
	// A repository that does not date its files: zero, no error.
	fake.Publish("org.example", "plain", "1.0")
	plain := lib
	plain.Name = "plain"
	if got, err := repo.PublishTime(ctx, plain, "1.0"); err != nil || !got.IsZero() {
		t.Errorf("PublishTime of an undated POM = %v, %v", got, err)
	}
}
