package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// Swift: the registry in SwiftPM's user configuration
// (~/.swiftpm/configuration/registries.json, what `swift package-registry
// set --global` writes), and the token in ~/.netrc, where `swift
// package-registry login` looks for it.

// Netrc sets "machine <host> login token password <token>" in a .netrc,
// replacing the entry for host and keeping every other entry and macro.
func Netrc(old []byte, host, token string) []byte {
	entry := "machine " + host + " login token password " + token
	lines := splitLines(old)
	var out []string
	done := false
	for i := 0; i < len(lines); i++ {
		f := strings.Fields(lines[i])
		if len(f) >= 2 && f[0] == "machine" && f[1] == host {
			// The entry runs until the next machine, default or macdef.
			j := i + 1
			for j < len(lines) {
				g := strings.Fields(lines[j])
				if len(g) > 0 && (g[0] == "machine" || g[0] == "default" || g[0] == "macdef") {
					break
				}
				j++
			}
			// Tokens after the host on the same line belong to this entry
			// too, as do other entries on the line: keep it simple and
			// replace the lines of the entry.
			if !done {
				out = append(out, entry)
				done = true
			}
			i = j - 1
			continue
		}
		out = append(out, lines[i])
	}
	if !done {
		out = append(out, entry)
	}
	return joinLines(out)
}

// SwiftRegistries sets the registry (the default one, or the scope's) and
// its token authentication in a registries.json; other keys are kept.
func SwiftRegistries(old []byte, t Target) ([]byte, error) {
	doc := map[string]any{}
	if len(bytes.TrimSpace(old)) > 0 {
		if err := json.Unmarshal(old, &doc); err != nil {
			return nil, fmt.Errorf("registries.json: %w", err)
		}
	}
	sub := func(k string) map[string]any {
		m, ok := doc[k].(map[string]any)
		if !ok {
			m = map[string]any{}
			doc[k] = m
		}
		return m
	}
	key := "[default]"
	if t.Namespace != "" {
		key = t.Namespace
	}
	sub("registries")[key] = map[string]any{"url": t.Endpoint, "supportsAvailability": false}
	u, err := url.Parse(t.Endpoint)
	if err != nil {
		return nil, err
	}
	sub("authentication")[u.Hostname()] = map[string]any{"type": "token", "loginAPIPath": u.Path + "login"}
	if _, ok := doc["version"]; !ok {
		doc["version"] = 1
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func swiftTool() *Tool {
	return &Tool{
		Name: "swift", Format: "swift", Programs: []string{"swift"}, Namespace: true,
		Files: func(env Env, t Target) ([]File, error) {
			return []File{
				{Path: filepath.Join(env.Home, ".swiftpm", "configuration", "registries.json"), Edit: func(old []byte) ([]byte, error) {
					return SwiftRegistries(old, t)
				}},
				{Path: filepath.Join(env.Home, ".netrc"), Secret: true, Edit: func(old []byte) ([]byte, error) {
					return Netrc(old, hostnameOf(t.Endpoint), t.Token), nil
				}},
			}, nil
		},
		Vars: func(t Target) []Var { return nil },
		Commands: func(t Target) []string {
			set := []string{"swift", "package-registry", "set", "--global", t.Endpoint}
			if t.Namespace != "" {
				set = append(set, "--scope", t.Namespace)
			}
			return []string{
				"machine " + hostnameOf(t.Endpoint) + " login token password " + t.Token + "   (in ~/.netrc)",
				shellJoin(set),
				shellJoin([]string{"swift", "package-registry", "login", t.Endpoint + "login"}),
			}
		},
	}
}
