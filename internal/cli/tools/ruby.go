package tools

import (
	"net/url"
	"path/filepath"
	"strings"
)

// RubyGems and Bundler: the source with the token in its URL for gem
// installs, the token as the push key for the endpoint, and Bundler's
// credentials for the endpoint.

// rubySource is the endpoint with aws:TOKEN in it.
func rubySource(t Target) string { return withUserinfo(t.Endpoint, "aws", t.Token) }

// gemSources returns the entries of :sources: in a .gemrc; ok is false
// when there is no :sources:.
func gemSources(lines []string) (sources []string, ok bool, err error) {
	i, ok := yamlEntries(lines, 0, len(lines), 0)[":sources"]
	if !ok {
		return nil, false, nil
	}
	if !yamlSeqParent(lines[i]) {
		return nil, true, errNotBlock(".gemrc", ":sources")
	}
	end := yamlBlockEnd(lines, i)
	for _, l := range lines[i+1 : end] {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "- ") {
			sources = append(sources, strings.Trim(strings.TrimSpace(t[2:]), `"'`))
		}
	}
	return sources, true, nil
}

// keptSources are the sources GemRC keeps after the endpoint: those of
// the file, else the ones gem uses now (its built-in default), without
// the endpoint itself.
func keptSources(old []byte, t Target) ([]string, error) {
	sources, ok, err := gemSources(splitLines(old))
	if err != nil {
		return nil, err
	}
	if !ok {
		sources = t.Sources
	}
	var kept []string
	for _, s := range sources {
		if !sameEndpoint(s, t.Endpoint) {
			kept = append(kept, s)
		}
	}
	return kept, nil
}

// GemRC puts the endpoint first in :sources: of a .gemrc, dropping other
// entries for the same endpoint (with or without credentials) and keeping
// every other source after it: those the file lists, else the ones gem
// used before (t.Sources, its default), which a :sources: of the
// endpoint alone would drop.
func GemRC(old []byte, t Target) ([]byte, error) {
	lines := splitLines(old)
	kept, err := keptSources(old, t)
	if err != nil {
		return nil, err
	}
	block := []string{":sources:", "- " + rubySource(t)}
	for _, s := range kept {
		block = append(block, "- "+s)
	}
	if len(lines) == 0 {
		lines = []string{"---"}
	}
	return joinLines(yamlSetTop(lines, ":sources", block)), nil
}

// gemHost is the endpoint as gem's --host and RUBYGEMS_HOST name it:
// without its trailing "/", since gem appends "/api/v1/gems" to it (and
// looks the key up by the host exactly as given).
func gemHost(t Target) string { return strings.TrimSuffix(t.Endpoint, "/") }

// GemCredentials sets the push key for the endpoint in ~/.gem/credentials:
// `gem push --host <endpoint without its trailing "/">` sends it as its
// Authorization header.
func GemCredentials(old []byte, t Target) ([]byte, error) {
	lines := splitLines(old)
	if len(lines) == 0 {
		lines = []string{"---"}
	}
	host := gemHost(t)
	return joinLines(yamlSetTop(lines, host, []string{yamlString(host) + ": " + yamlString("Bearer "+t.Token)})), nil
}

func gemTool() *Tool {
	return &Tool{
		Name: "gem", Format: "ruby", Programs: []string{"gem"},
		SourcesCommand: []string{"gem", "sources", "--list"},
		Files: func(env Env, t Target) ([]File, error) {
			return []File{
				{Path: filepath.Join(env.Home, ".gemrc"), Secret: true, Edit: func(old []byte) ([]byte, error) {
					return GemRC(old, t)
				}, Notes: func(old, _ []byte) []string {
					kept, _ := keptSources(old, t)
					if len(kept) == 0 {
						return nil
					}
					r := make([]string, len(kept))
					for i, k := range kept {
						r[i] = RedactURL(k)
					}
					return []string{"kept the other gem sources, after the repository: " + strings.Join(r, ", ")}
				}},
				{Path: filepath.Join(env.Home, ".gem", "credentials"), Secret: true, Edit: func(old []byte) ([]byte, error) {
					return GemCredentials(old, t)
				}},
			}, nil
		},
		Vars: func(t Target) []Var {
			return []Var{
				{Name: "RUBYGEMS_HOST", Value: gemHost(t)},
				{Name: "GEM_HOST_API_KEY", Value: "Bearer " + t.Token, Secret: true},
			}
		},
	}
}

// bundlerKey is Bundler's setting name for a URI or a host: dots become
// "__", dashes "___", all upper case, after "BUNDLE_".
func bundlerKey(s string) string {
	s = strings.ReplaceAll(s, ".", "__")
	s = strings.ReplaceAll(s, "-", "___")
	return "BUNDLE_" + strings.ToUpper(s)
}

// bundlerConfigPath is Bundler's user configuration.
func bundlerConfigPath(env Env) string {
	if p := env.getenv("BUNDLE_USER_CONFIG"); p != "" {
		return p
	}
	if d := env.getenv("BUNDLE_USER_HOME"); d != "" {
		return filepath.Join(d, "config")
	}
	return filepath.Join(env.Home, ".bundle", "config")
}

// BundlerConfig sets the credentials for the endpoint (aws:TOKEN) in
// Bundler's configuration, under the key `bundle config set --global
// <endpoint> aws:TOKEN` writes.
func BundlerConfig(old []byte, t Target) ([]byte, error) {
	lines := splitLines(old)
	if len(lines) == 0 {
		lines = []string{"---"}
	}
	key := bundlerKey(t.Endpoint)
	return joinLines(yamlSetTop(lines, key, []string{key + ": " + yamlString("aws:"+t.Token)})), nil
}

func bundlerTool() *Tool {
	return &Tool{
		Name: "bundler", Format: "ruby", Programs: []string{"bundle", "bundler"},
		Files: func(env Env, t Target) ([]File, error) {
			return []File{{Path: bundlerConfigPath(env), Secret: true, Edit: func(old []byte) ([]byte, error) {
				return BundlerConfig(old, t)
			}}}, nil
		},
		Vars: func(t Target) []Var {
			host := ""
			if u, err := url.Parse(t.Endpoint); err == nil {
				host = u.Hostname()
			}
			return []Var{
				{Name: bundlerKey(t.Endpoint), Value: "aws:" + t.Token, Secret: true},
				{Name: bundlerKey(host), Value: "aws:" + t.Token, Secret: true},
			}
		},
	}
}
