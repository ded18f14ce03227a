// Package tools knows how each package manager is pointed at a repository
// endpoint: which files `arca login` edits and how, which environment
// variables `arca env` and `arca exec` set, and which programs must be
// installed.
//
// Every writer is pure: the current bytes of a file in, the new bytes out.
// A writer changes only the settings it owns and keeps everything else in
// the file (other settings, comments, blank lines, order). Reading and
// writing the files is the caller's job (package fileedit).
package tools

import (
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
)

// Target is what a tool is configured with.
type Target struct {
	// Endpoint is the repository endpoint, ending in "/".
	Endpoint   string
	Domain     string
	Owner      string
	Repository string
	// Token is the authorization token; tools configured with a
	// credential helper do not get one.
	Token string
	// Namespace is the npm scope or swift scope, without "@".
	Namespace string
	// Helper is the command that prints a current token (arca credential
	// with the flags that select this domain).
	Helper []string
	// Mirror routes all of the tool's requests to the repository (Maven
	// mirror of "*", Gradle repositories, cargo's source replacement).
	Mirror bool
	// RegistryName names the registry in cargo's configuration; the
	// repository's name made valid when empty.
	RegistryName string
	// Sources are the sources the installed tool uses now, as its
	// SourcesCommand lists them (gem's built-in default when ~/.gemrc
	// names none): login keeps them after the repository.
	Sources []string
}

// Env is where the user's files are.
type Env struct {
	Home string
	// ConfigDir is os.UserConfigDir(), for files arca itself owns
	// (credential helper scripts).
	ConfigDir string
	// Dir is the current directory, for project files (a poetry
	// project's pyproject.toml); "" for none.
	Dir    string
	Getenv func(string) string
}

func (e Env) getenv(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

// xdgConfig is $XDG_CONFIG_HOME, else ~/.config.
func (e Env) xdgConfig() string {
	if d := e.getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return d
	}
	return filepath.Join(e.Home, ".config")
}

// File is one file a tool's login edits.
type File struct {
	Path string
	// Secret files hold a token: they are written with mode 0600.
	Secret bool
	// Mode of a new file (0600 when Secret, 0644 when zero).
	Mode fs.FileMode
	Edit func(old []byte) ([]byte, error)
	// Notes says what the edit kept or replaced of the user's own
	// settings (other sources, a previous index), one line each; nil
	// when there is nothing to say.
	Notes func(old, new []byte) []string
}

// Var is one environment variable for arca env and arca exec.
type Var struct {
	Name  string
	Value string
	// Secret values are the token or contain it.
	Secret bool
}

// ShellSafe reports whether a shell can export the variable by name.
func (v Var) ShellSafe() bool {
	if v.Name == "" || v.Name[0] >= '0' && v.Name[0] <= '9' {
		return false
	}
	for _, c := range v.Name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Tool is one package manager.
type Tool struct {
	Name string
	// Format is the repository format the tool talks to.
	Format string
	// Programs are the executables of the tool; one on PATH is enough.
	Programs []string
	// Helper tools get their tokens from arca on demand: login writes no
	// token.
	Helper bool
	// Namespace tells whether --namespace applies.
	Namespace bool
	// Files returns the files login edits.
	Files func(env Env, t Target) ([]File, error)
	// Vars returns the environment for env and exec, besides
	// CODEARTIFACT_AUTH_TOKEN; nil for NPMUserConfig tools.
	Vars func(t Target) []Var
	// NPMUserConfig tools (npm, pnpm, yarn 1) take their environment as
	// an npm user config (NPM_CONFIG_USERCONFIG) that arca env and exec
	// generate, holding no token but a reference to
	// CODEARTIFACT_AUTH_TOKEN: npm's per-registry settings have names a
	// shell cannot export, pnpm 11 and later ignore npm_config_
	// variables, and yarn 1 needs always-auth.
	NPMUserConfig bool
	// SourcesCommand lists the sources the installed tool uses now, one
	// URL a line (others are ignored), for Target.Sources; nil for tools
	// whose files say it all.
	SourcesCommand []string
	// Commands are the commands that would make the same change (those
	// `aws codeartifact login` runs, for its tools), shown by --dry-run;
	// nil when there are none.
	Commands func(t Target) []string
}

// All returns every tool.
func All() []*Tool {
	return []*Tool{
		npmTool(), pnpmTool(), yarnTool(), yarnClassicTool(), yarnBerryTool(),
		pipTool(), twineTool(), uvTool(), poetryTool(),
		mavenTool(), gradleTool(),
		cargoTool(),
		nugetTool(), dotnetTool(),
		swiftTool(),
		gemTool(), bundlerTool(),
	}
}

// Lookup returns the tool named name.
func Lookup(name string) (*Tool, error) {
	for _, t := range All() {
		if t.Name == name {
			return t, nil
		}
	}
	return nil, fmt.Errorf("unknown tool %q; known tools: %s", name, strings.Join(Names(), ", "))
}

// Names returns the tools' names, sorted.
func Names() []string {
	var out []string
	for _, t := range All() {
		out = append(out, t.Name)
	}
	sort.Strings(out)
	return out
}

// hostOf returns the host[:port] of an endpoint.
func hostOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	return u.Host
}

// hostnameOf returns the host name of an endpoint, without the port.
func hostnameOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// withUserinfo returns endpoint with user:password in it.
func withUserinfo(endpoint, user, password string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return endpoint
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

// sameEndpoint reports whether two URLs name the same endpoint, ignoring
// credentials in them and a trailing slash.
func sameEndpoint(a, b string) bool {
	norm := func(s string) string {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil {
			return s
		}
		u.User = nil
		return strings.TrimSuffix(strings.ToLower(u.Scheme)+"://"+strings.ToLower(u.Host)+u.EscapedPath(), "/")
	}
	return norm(a) == norm(b)
}

// RedactURL removes a password from a URL, for messages.
func RedactURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "REDACTED")
	}
	return u.String()
}

// ParseSources returns the URLs of a SourcesCommand's output.
func ParseSources(out string) []string {
	var srcs []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if u, err := url.Parse(l); err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "file") && u.Host != "" {
			srcs = append(srcs, l)
		}
	}
	return srcs
}

// shellJoin quotes args for a POSIX shell.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = ShellQuote(a)
	}
	return strings.Join(q, " ")
}

// ShellQuote quotes s for a POSIX shell when it needs quoting.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
