package pypi

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"testing"

	pep440 "github.com/aquasecurity/go-pep440-version"
)

// checkSameOrder fails when compareReleases takes a and b and orders them
// otherwise than the PEP 440 library.
func checkSameOrder(t *testing.T, a, b string) {
	t.Helper()
	c, ok := compareReleases(a, b)
	va, ea := pep440.Parse(a)
	vb, eb := pep440.Parse(b)
	if !ok || ea != nil || eb != nil {
		return
	}
	if want := cmp.Compare(va.Compare(vb), 0); cmp.Compare(c, 0) != want {
		t.Fatalf("compareReleases(%q, %q) = %d, PEP 440 says %d", a, b, c, want)
	}
}

// TestCompareReleasesIsPEP440s checks that plain releases compare as the
// PEP 440 library compares them (lengths, trailing and leading zeros,
// numbers of every size), that every other version is left to the
// library, and that pages sort by it as before.
func TestCompareReleasesIsPEP440s(t *testing.T) {
	plain := []string{"0", "1", "1.0", "1.0.0", "1.0.0.0", "01.2", "1.02", "1.2", "1.2.0", "1.10", "1.9", "1.9.1", "2", "10", "9", "1.0.1", "1.0.10", "0.0.1", "18446744073709551615", "18446744073709551614.1", "100.0.0", "99.99.99"}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		v := fmt.Sprint(rng.IntN(3))
		for range rng.IntN(4) {
			v += fmt.Sprintf(".%d", []int{0, 1, 2, 9, 10, 11, 100}[rng.IntN(7)])
		}
		plain = append(plain, v)
	}
	for _, a := range plain {
		for _, b := range plain {
			if _, ok := compareReleases(a, b); !ok {
				t.Fatalf("compareReleases(%q, %q) leaves plain releases to the library", a, b)
			}
			checkSameOrder(t, a, b)
		}
	}
	for _, other := range []string{"1.0rc1", "1.0.post1", "1.0.dev1", "1!1.0", "1.0+local", "v1.0", " 1.0", "1..0", ".1", "1.", "", "1.0a1", "1_0"} {
		if _, ok := compareReleases(other, "1.0"); ok {
			t.Errorf("compareReleases(%q, \"1.0\") takes a version that is not a plain release", other)
		}
		if _, ok := compareReleases("1.0", other); ok {
			t.Errorf("compareReleases(\"1.0\", %q) takes a version that is not a plain release", other)
		}
	}
}

// FuzzCompareReleases checks compareReleases against the PEP 440 library
// on any two versions it takes.
func FuzzCompareReleases(f *testing.F) {
	for _, s := range [][2]string{{"1.0", "1"}, {"1.10", "1.9"}, {"01.2", "1.2.0"}, {"1.0rc1", "1.0"}, {"2.0.0.1", "2"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(checkSameOrder)
}

// FuzzParsedVersions checks parseVersion, which leaves plain releases to
// compareReleases without the library's parse, against the library: it
// refuses what the library refuses (numbers past uint64 too), and
// compareParsed orders any two versions (a plain release and another kind
// too) as the library does.
func FuzzParsedVersions(f *testing.F) {
	for _, s := range [][2]string{{"1.0", "1.0rc1"}, {"2!1.0", "3.1"}, {"18446744073709551616", "1"}, {"0001.2", "1.2.post1"}, {"99999999999999999999.1", "1.0+local"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		pa, ea := parseVersion(a)
		pb, eb := parseVersion(b)
		va, wa := pep440.Parse(a)
		vb, wb := pep440.Parse(b)
		if (ea != nil) != (wa != nil) || (eb != nil) != (wb != nil) {
			t.Fatalf("parseVersion(%q), (%q): errors %v, %v; the library's %v, %v", a, b, ea, eb, wa, wb)
		}
		if ea != nil || eb != nil {
			return
		}
		if got, want := cmp.Compare(compareParsed(pa, pb), 0), cmp.Compare(va.Compare(vb), 0); got != want {
			t.Fatalf("compareParsed(%q, %q) = %d, PEP 440 says %d", a, b, got, want)
		}
	})
}

// BenchmarkSortVersions sorts 5,000 plain releases from scratch, as the
// first rebuild of a project's pages does.
func BenchmarkSortVersions(b *testing.B) {
	vs := make([]string, 5000)
	for i := range vs {
		vs[i] = fmt.Sprintf("1.%d.%d", i/1000, i%1000)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for b.Loop() {
		rng.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
		SortVersions(vs, func(v string) string { return v })
	}
}
