package main

import (
	"runtime/debug"
	"testing"
)

func TestVersionLine(t *testing.T) {
	stamped := func(version string, vcs ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{Main: debug.Module{Path: "github.com/arcahq/arca", Version: version}}
		info.Settings = append(info.Settings, debug.BuildSetting{Key: "-compiler", Value: "gc"})
		for i := 0; i+1 < len(vcs); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: vcs[i], Value: vcs[i+1]})
		}
		return info
	}
	const rev = "702fa4d31924b976cac24638afbfe398752ac96d"
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"a clone", stamped("v0.0.0-20261207071852-702fa4d31924", "vcs", "git", "vcs.revision", rev, "vcs.time", "2026-12-07T07:18:52Z", "vcs.modified", "false"), true,
			"arca v0.0.0-20261207071852-702fa4d31924 commit " + rev + " 2026-12-07T07:18:52Z"},
		{"uncommitted changes", stamped("v0.0.0-20261207071852-702fa4d31924+dirty", "vcs.revision", rev, "vcs.time", "2026-12-07T07:18:52Z", "vcs.modified", "true"), true,
			"arca v0.0.0-20261207071852-702fa4d31924+dirty commit " + rev + " 2026-12-07T07:18:52Z (modified)"},
		{"a release", stamped("v1.2.0"), true, "arca v1.2.0"},
		{"no vcs stamp (-buildvcs=false, go run, a git worktree)", stamped("(devel)"), true, "arca (devel)"},
		{"no module version", stamped("", "vcs.revision", rev), true, "arca (devel) commit " + rev},
		{"no build info", nil, false, "arca (unknown version)"},
	} {
		if got := versionLine(tc.info, tc.ok); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
