package ruby

import "testing"

// The expected bytes are Ruby 3.1's Marshal.dump of the same values.
func TestMarshal(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{&UserMarshal{"Gem::Version", []any{"1.0"}}, "\x04\bU:\x11Gem::Version[\x06I\"\b1.0\x06:\x06ET"},
		{&UserMarshal{"Gem::Requirement", []any{[]any{[]any{">=", &UserMarshal{"Gem::Version", []any{"1"}}}}}},
			"\x04\bU:\x15Gem::Requirement[\x06[\x06[\aI\"\a>=\x06:\x06ETU:\x11Gem::Version[\x06I\"\x061\x06;\x06T"},
		{[]any{"a", Symbol("b"), Symbol("b"), 300, -3, true, nil, &Hash{[][2]any{{"k", "v"}}}},
			"\x04\b[\rI\"\x06a\x06:\x06ET:\x06b;\x06i\x02,\x01i\xF8T0{\x06I\"\x06k\x06;\x00TI\"\x06v\x06;\x00T"},
		{[]any{122, 123, -123, -124, 256, -256}, "\x04\b[\vi\x7fi\x01{i\x80i\xff\x84i\x02\x00\x01i\xff\x00"},
	} {
		if got := string(Marshal(tc.v)); got != tc.want {
			t.Errorf("Marshal(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
