package cargo_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/format/cargo"
	"github.com/arcahq/arca/internal/resolve"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/store/sqlite"
)

// TestIndexExtendedMatchesScratch publishes versions out of order with a
// read of the index file after each (the server extends what it kept
// from the previous read), yanks one between (which starts over), and
// checks each served file against one rendered from scratch over the
// same store: the same bytes, gzipped or not, and the same
// Last-Modified. The lines are long enough that the file is sent as
// parts (rendered.Assemble).
func TestIndexExtendedMatchesScratch(t *testing.T) {
	s := servertest.NewScenario(t, "my-domain")
	endpoint := s.Repository("my-repo", types.PackageFormatCargo)
	var features []string
	for i := range 24 {
		features = append(features, fmt.Sprintf(`"a-feature-with-a-rather-long-name-%02d":[]`, i))
	}
	publish := func(version string) {
		t.Helper()
		dir := "ext-lib-" + version
		crate := cargo.CrateOf(t, map[string]string{dir + "/Cargo.toml": "[package]\n", dir + "/src/lib.rs": ""})
		meta := `{"name":"ext-lib","vers":"` + version + `","deps":[],"features":{` + strings.Join(features, ",") + `},"authors":[],"links":null}`
		s.Call(http.MethodPut, endpoint+"api/v1/crates/new", s.Token, cargo.FrameOf(meta, crate)).Expect(t, "publish "+version, http.StatusOK, "")
	}
	scratch := func() ([]byte, time.Time) {
		t.Helper()
		st, err := sqlite.Open(t.Context(), filepath.Join(s.Data, "arca.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		cat := catalog.New(st, servertest.Region, time.Now, nil)
		repo, err := cat.Repository(t.Context(), catalog.RepositoryRef{DomainRef: catalog.DomainRef{Owner: servertest.AccountID, Name: "my-domain"}, Name: "my-repo"})
		if err != nil {
			t.Fatal(err)
		}
		view, err := resolve.New(st, cat, nil, time.Minute, slog.New(slog.DiscardHandler)).
			Package(t.Context(), repo, artifact.PackageRef{Format: artifact.Cargo, Name: "ext-lib"})
		if err != nil {
			t.Fatal(err)
		}
		body, modified, err := cargo.RenderIndex(view, "ext-lib")
		if err != nil {
			t.Fatal(err)
		}
		return body, modified
	}
	check := func(what string) {
		t.Helper()
		want, modified := scratch()
		for _, enc := range []string{"gzip", "identity"} {
			r := s.Call(http.MethodGet, endpoint+"ex/t-/ext-lib", s.Token, nil, "Accept-Encoding", enc)
			r.Expect(t, what, http.StatusOK, "")
			if !bytes.Equal(r.Body, want) {
				t.Fatalf("%s (%s): the served index file (%d bytes) is not the one rendered from scratch (%d bytes)", what, enc, len(r.Body), len(want))
			}
			if got := r.Header.Get("Last-Modified"); got != modified.UTC().Format(http.TimeFormat) {
				t.Errorf("%s: Last-Modified %s, from scratch %s", what, got, modified.UTC().Format(http.TimeFormat))
			}
		}
	}
	var versions []string
	for i := range 60 {
		versions = append(versions, fmt.Sprintf("1.%d.%d", i%7, i), fmt.Sprintf("0.%d.0-rc.%d", i, i%3))
	}
	rand.New(rand.NewPCG(15, 1)).Shuffle(len(versions), func(i, j int) { versions[i], versions[j] = versions[j], versions[i] })
	for i, v := range versions {
		publish(v)
		if i == len(versions)/2 {
			s.Call(http.MethodDelete, endpoint+"api/v1/crates/ext-lib/"+versions[3]+"/yank", s.Token, nil).Expect(t, "yank", http.StatusOK, `{"ok":true}`)
		}
		check(fmt.Sprintf("after %d publishes", i+1))
	}
	if r := s.Call(http.MethodGet, endpoint+"ex/t-/ext-lib", s.Token, nil); len(r.Body) < 64<<10 || !strings.Contains(string(r.Body), `"vers":"`+versions[3]+`"`) {
		t.Fatalf("the file has %d bytes (parts from 64 KiB) or lacks the yanked version", len(r.Body))
	}
}
