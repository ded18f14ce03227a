package nuget_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/format/nuget"
	"github.com/arcahq/arca/internal/format/nuget/nugettest"
)

// TestListsExtendedMatchScratch pushes versions out of order with reads
// of the flat container's list and both registration indexes after each
// (the server extends the order it kept from the previous read), unlists
// one between (which starts over), and checks each document against the
// versions pushed, ordered here from scratch: every version in the flat
// list (as its bytes would be marshalled), SemVer 1.0.0 ones alone in
// registrations, the unlisted one shown so.
func TestListsExtendedMatchScratch(t *testing.T) {
	e := newEnv(t)
	ep := e.repo("my-repo")
	var versions []string
	for i := range 34 {
		versions = append(versions, fmt.Sprintf("1.%d.%d", i%5, i), fmt.Sprintf("0.%d.0-beta%d", i, i%3), fmt.Sprintf("3.%d.0-RC.%d", i, i%4))
	}
	rand.New(rand.NewPCG(15, 2)).Shuffle(len(versions), func(i, j int) { versions[i], versions[j] = versions[j], versions[i] })
	sorted := func(vs []string) []string {
		out := slices.Clone(vs)
		slices.SortFunc(out, func(a, b string) int {
			pa, _ := nuget.ParseVersion(a)
			pb, _ := nuget.ParseVersion(b)
			return nuget.Compare(pa, pb)
		})
		return out
	}
	unlisted := ""
	check := func(what string, pushed []string) {
		t.Helper()
		var keys []string
		for _, v := range sorted(pushed) {
			keys = append(keys, strings.ToLower(v))
		}
		want, _ := json.Marshal(map[string][]string{"versions": keys})
		if r := e.get(ep + "v3/package/ext.lib/index.json"); r.status != http.StatusOK || string(r.body) != string(want)+"\n" {
			t.Fatalf("%s: flat container list %d %s\nwant %s", what, r.status, r.body, want)
		}
		for _, kind := range []string{"registrations", "registrations2"} {
			var doc struct {
				Items []struct {
					Items []struct {
						CatalogEntry struct {
							Version string `json:"version"`
							Listed  bool   `json:"listed"`
						} `json:"catalogEntry"`
					} `json:"items"`
				} `json:"items"`
			}
			if err := json.Unmarshal(e.get(ep+"v3/"+kind+"/ext.lib/index.json").body, &doc); err != nil {
				t.Fatalf("%s: %s: %v", what, kind, err)
			}
			var got, wantVersions []string
			for _, p := range doc.Items {
				for _, l := range p.Items {
					got = append(got, l.CatalogEntry.Version)
					if l.CatalogEntry.Listed != (l.CatalogEntry.Version != unlisted) {
						t.Errorf("%s: %s shows %s listed %v", what, kind, l.CatalogEntry.Version, l.CatalogEntry.Listed)
					}
				}
			}
			for _, v := range sorted(pushed) {
				if kind == "registrations2" || !strings.Contains(v, "RC.") {
					wantVersions = append(wantVersions, v)
				}
			}
			if !slices.Equal(got, wantVersions) {
				t.Fatalf("%s: %s lists %v\nwant %v", what, kind, got, wantVersions)
			}
		}
	}
	for i, v := range versions {
		e.mustPush(ep, nugettest.Spec{ID: "Ext.Lib", Version: v, Description: "A fixture."})
		if i == len(versions)/2 {
			unlisted = versions[5]
			if r := e.do(http.MethodDelete, ep+"v2/package/Ext.Lib/"+unlisted, nil); r.status != http.StatusNoContent {
				t.Fatalf("unlist %s: %d", unlisted, r.status)
			}
		}
		check(fmt.Sprintf("after %d pushes", i+1), versions[:i+1])
	}
}
