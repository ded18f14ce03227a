package cachesize

import "testing"

func TestShare(t *testing.T) {
	for _, tc := range []struct{ atDefault, budget, want int64 }{
		{32 << 20, 0, 32 << 20},
		{32 << 20, Default, 32 << 20},
		{32 << 20, Default / 2, 16 << 20},
		{32 << 20, Default * 4, 128 << 20},
		{8 << 20, Min, 128 << 10},
	} {
		if got := Share(tc.atDefault, tc.budget); got != tc.want {
			t.Errorf("Share(%d, %d) = %d, want %d", tc.atDefault, tc.budget, got, tc.want)
		}
	}
}
