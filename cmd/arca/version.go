package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// versionLine says which build of arca this is, from what the Go toolchain
// stamped into the binary: the module version ("(devel)" for a build from
// a checkout), and, when it was built in a git checkout, the commit, the
// commit's time and "(modified)" when the tree had uncommitted changes.
// Go stamps the commit with `go build` (not `go run`) in a clone whose
// .git is a directory, unless -buildvcs=false.
func versionLine(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "arca (unknown version)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	vcs := map[string]string{}
	for _, s := range info.Settings {
		if name, found := strings.CutPrefix(s.Key, "vcs."); found {
			vcs[name] = s.Value
		}
	}
	line := "arca " + version
	if rev := vcs["revision"]; rev != "" {
		line += " commit " + rev
		if t := vcs["time"]; t != "" {
			line += " " + t
		}
		if vcs["modified"] == "true" {
			line += " (modified)"
		}
	}
	return line
}

// buildVersion is the running binary's versionLine.
func buildVersion() string { return versionLine(debug.ReadBuildInfo()) }

// versionCommand is `arca version`, which prints what `arca --version` does.
func versionCommand(out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the commit arca was built from",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(out, buildVersion())
			return err
		},
	}
}
