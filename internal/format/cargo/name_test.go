package cargo

import "testing"

func TestIndexPath(t *testing.T) {
	for name, want := range map[string]string{
		"a": "1/a", "AB": "2/ab", "abc": "3/a/abc", "Hello_CA-crate": "he/ll/hello_ca-crate",
	} {
		if got := IndexPath(name); got != want {
			t.Errorf("IndexPath(%q) = %q, want %q", name, got, want)
		}
		if got, ok := ParseIndexPath(want); !ok || IndexPath(got) != want {
			t.Errorf("ParseIndexPath(%q) = %q, %v", want, got, ok)
		}
	}
	for _, bad := range []string{"", "1/ab", "3/b/abc", "he/ll/Hello", "he/ll/../hello", "../x", "1/-", "ab/cd/abcd/x", "config.json"} {
		if n, ok := ParseIndexPath(bad); ok {
			t.Errorf("ParseIndexPath(%q) = %q, want no crate", bad, n)
		}
	}
}

func TestNames(t *testing.T) {
	if CollisionName("Foo_Bar") != CollisionName("foo-bar") || CollisionName("foo") == CollisionName("fo0") {
		t.Error("collision names")
	}
	for _, ok := range []string{"a", "serde_json", "Foo-Bar9"} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "9a", "-a", "a b", "a/b", "é", string(make([]byte, 65))} {
		if ValidateName(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if WithoutBuild("1.0.0+a") != WithoutBuild("1.0.0+b") || WithoutBuild("1.0.0-a") == "1.0.0" {
		t.Error("build metadata")
	}
	if ValidateVersion("1.0") == nil || ValidateVersion("1.0.0-rc.1+b") != nil {
		t.Error("versions")
	}
}
