package swift

import (
	"strings"
	"testing"
)

func TestParseName(t *testing.T) {
	for _, c := range []struct {
		scope, name string
		ok          bool
	}{
		{"mona", "LinkedList", true},
		{"a-b", "a_b-c", true},
		{strings.Repeat("a", 39), strings.Repeat("b", 100), true},
		{strings.Repeat("a", 40), "x", false},
		{"a", strings.Repeat("b", 101), false},
		{"-a", "x", false},
		{"a-", "x", false},
		{"a--b", "x", false},
		{"a_b", "x", false},
		{"a", "_x", false},
		{"a", "x__y", false},
		{"a", "x.y", false},
		{"", "x", false},
		{"a", "", false},
		{"ä", "x", false},
	} {
		_, err := ParseName(c.scope, c.name)
		if (err == nil) != c.ok {
			t.Errorf("ParseName(%q, %q) = %v, want ok %v", c.scope, c.name, err, c.ok)
		}
	}
	n, _ := ParseName("Mona", "LinkedList")
	if n.ID() != "mona.linkedlist" {
		t.Errorf("ID %q", n.ID())
	}
}

func TestValidateVersion(t *testing.T) {
	for v, ok := range map[string]bool{
		"1.0.0": true, "1.2.3-beta.1": true, "1.0.0+build.5": true, "1.0.0-rc.1+x": true, "0.0.0-0": true,
		"1.0": false, "v1.0.0": false, "01.0.0": false, "1.0.0-01": false, "1.0.0-": false, "1.0.0+": false,
		"1.0.0-a..b": false, "1.0.0/x": false, "": false,
	} {
		if err := ValidateVersion(v); (err == nil) != ok {
			t.Errorf("ValidateVersion(%q) = %v, want ok %v", v, err, ok)
		}
	}
}
