package npm

import (
	"slices"
	"strings"
	"testing"
)

func FuzzSplitPath(f *testing.F) {
	for _, p := range []string{"", "a", "a/", "left-pad/-/left-pad-1.0.0.tgz", "@s%2fa/-/a-1.0.0.tgz", "@s/a/1.0.0", "a/b/c/d/e/f", "///"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		var buf [4]string
		if got, want := splitPath(p, &buf), strings.SplitN(p, "/", 4); !slices.Equal(got, want) {
			t.Fatalf("splitPath(%q) = %q, strings.SplitN %q", p, got, want)
		}
	})
}
