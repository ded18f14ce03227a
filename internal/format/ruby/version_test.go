package ruby

import "testing"

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0.0", 0},
		{"1.0", "1.0.1", -1},
		{"1.10", "1.9", 1},
		{"1.0.a", "1.0", -1},
		{"1.0.pre", "1.0.pre.1", -1},
		{"1.0-rc1", "1.0.pre.rc1", 0},
		{"1.0.b1", "1.0.a2", 1},
		{"1.0.a", "1.0.0.1", -1},
		{"2.0.0.rc1", "2.0.0", -1},
		{"1.a", "1.0.a", 0},
		{"0010", "9", 1},
		{"99999999999999999999", "99999999999999999998", 1},
		{"not a version", "0.1", -1},
	} {
		a, ea := ParseVersion(tc.a)
		b, eb := ParseVersion(tc.b)
		got := 0
		if ea == nil && eb == nil {
			got = a.Compare(b)
		} else {
			got = (Rules{}).CompareVersions(tc.a, tc.b)
		}
		if got != tc.want {
			t.Errorf("compare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		// The catalog's order is total: versions Gem::Version holds equal
		// order by their strings.
		rules := (Rules{}).CompareVersions(tc.a, tc.b)
		if tc.want != 0 && rules != tc.want || tc.want == 0 && rules >= 0 != (tc.a >= tc.b) {
			t.Errorf("CompareVersions(%q, %q) = %d", tc.a, tc.b, rules)
		}
	}
}

func TestParseVersion(t *testing.T) {
	for v, pre := range map[string]bool{"1": false, "1.2.3": false, "1.0.rc1": true, "1.0-beta": true, "2.0.0.pre": true} {
		got, err := ParseVersion(v)
		if err != nil {
			t.Errorf("ParseVersion(%q): %v", v, err)
			continue
		}
		if got.Prerelease() != pre {
			t.Errorf("%q prerelease = %v, want %v", v, got.Prerelease(), pre)
		}
	}
	for _, v := range []string{"", "a", "1..2", ".1", "1.0 ", "1/2", "1.0-", "../1"} {
		if _, err := ParseVersion(v); err == nil {
			t.Errorf("ParseVersion(%q) accepted", v)
		}
	}
}
