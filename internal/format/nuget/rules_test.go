package nuget

import (
	"testing"
)

func TestNormalizeVersion(t *testing.T) {
	cases := []struct{ in, want string }{
		// The User Guide's examples ("NuGet package name, version, and
		// asset name normalization"), with NuGet's three-number minimum.
		{"1.00", "1.0.0"},
		{"1.01.1", "1.1.1"},
		{"1.00.0.1", "1.0.0.1"},
		{"1.0.0.0", "1.0.0"},
		{"1.0.01.0", "1.0.1"},
		{"1.0.7+r3456", "1.0.7"},
		{"12.0.03.0", "12.0.3"},
		{"1", "1.0.0"},
		{"1.2.3.4", "1.2.3.4"},
		{"1.0.0-Beta", "1.0.0-beta"},
		{"1.0.0-beta.1+build.5", "1.0.0-beta.1"},
		{"01.002.0003-rc-1", "1.2.3-rc-1"},
		{"2147483647.0.0", "2147483647.0.0"},
	}
	for _, c := range cases {
		got, ok := NormalizeVersion(c.in)
		if !ok || got != c.want {
			t.Errorf("NormalizeVersion(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
	v, _ := ParseVersion("1.0.0-Beta.1+Build")
	if v.String() != "1.0.0-Beta.1" || v.Metadata != "Build" {
		t.Errorf("String() = %q, metadata %q; the label keeps its case and metadata is kept apart", v.String(), v.Metadata)
	}
}

func TestParseVersionRefuses(t *testing.T) {
	for _, s := range []string{
		"", "a", "1.", ".1", "1..2", "1.2.3.4.5", "1.0-", "1.0+", "1.0-beta..1", "1.0-beta_1",
		"1.0-01", "1.0.0-beta.01", "-1.0", "1.0.0 ", " 1.0", "1.0+a+b", "2147483648.0.0",
		"99999999999999999999999.0", "1.0.0-ß", "v1.0.0",
	} {
		if v, err := ParseVersion(s); err == nil {
			t.Errorf("ParseVersion(%q) = %+v, want an error", s, v)
		}
	}
	// Leading zeros are fine in build metadata and in alphanumeric labels.
	for _, s := range []string{"1.0.0+001", "1.0.0-0a", "1.0.0-0", "1.0.0-rc.0"} {
		if _, err := ParseVersion(s); err != nil {
			t.Errorf("ParseVersion(%q): %v", s, err)
		}
	}
}

func TestCompare(t *testing.T) {
	// Each version sorts before the next.
	ordered := []string{
		"0.9.9", "1.0.0-0", "1.0.0-1", "1.0.0-2", "1.0.0-10", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
		"1.0.0-BETA", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.0.1-alpha", "1.0.0.1", "1.0.0.2",
		"1.0.1", "1.2.0", "1.10.0", "2.0.0",
	}
	for i := range ordered {
		for j := range ordered {
			a, _ := ParseVersion(ordered[i])
			b, _ := ParseVersion(ordered[j])
			want := sign(i - j)
			if got := Compare(a, b); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	equal := [][2]string{{"1.0.0-Beta", "1.0.0-beta"}, {"1.0.0+a", "1.0.0+b"}, {"1.0", "1.0.0.0"}, {"01.0.0", "1.0.0"}}
	for _, p := range equal {
		a, _ := ParseVersion(p[0])
		b, _ := ParseVersion(p[1])
		if Compare(a, b) != 0 || a.Key() != b.Key() {
			t.Errorf("%s and %s differ (%s, %s); NuGet considers them the same version", p[0], p[1], a.Key(), b.Key())
		}
	}
	if CompareStrings("junk", "1.0.0") >= 0 || CompareStrings("1.0.0", "junk") <= 0 {
		t.Error("unparsable versions sort before parsable ones")
	}
}

func TestSemVer2(t *testing.T) {
	cases := map[string]bool{
		"1.0.0": false, "1.0.0-beta": false, "1.0.0-beta1": false, "1.0.0.1-rc": false,
		"1.0.0-beta.1": true, "1.0.0+build": true, "1.0.0-rc+1": true,
	}
	for s, want := range cases {
		v, err := ParseVersion(s)
		if err != nil || v.IsSemVer2() != want {
			t.Errorf("IsSemVer2(%q) = %v (%v), want %v", s, v.IsSemVer2(), err, want)
		}
	}
	ranges := map[string]bool{
		"[1.0.0, )": false, "1.0.0": false, "[1.0.0-beta.1, 2.0.0)": true, "(, 2.0.0+x]": true, "": false, "[1.0.0]": false,
	}
	for r, want := range ranges {
		if RangeIsSemVer2(r) != want {
			t.Errorf("RangeIsSemVer2(%q) = %v, want %v", r, !want, want)
		}
	}
}

func TestValidateID(t *testing.T) {
	for _, id := range []string{"Newtonsoft.Json", "hello.ca", "A", "x_y-z.1", "Microsoft.AspNetCore.App-Ref"} {
		if err := ValidateID(id); err != nil {
			t.Errorf("ValidateID(%q): %v", id, err)
		}
	}
	long := make([]byte, MaxIDLength+1)
	for i := range long {
		long[i] = 'a'
	}
	for _, id := range []string{"", ".a", "a.", "a..b", "a.-b", "a b", "a/b", "../x", "a\\b", "ü", string(long), "-a"} {
		if err := ValidateID(id); err == nil {
			t.Errorf("ValidateID(%q) succeeded, want an error", id)
		}
	}
	if NormalizeID("Newtonsoft.JSON") != "newtonsoft.json" || Ref("Hello.CA").Name != "hello.ca" {
		t.Error("ids are stored lower-cased")
	}
}
