package tools

import (
	"net/url"
	"path/filepath"
	"strings"
)

// The npm family: npm, pnpm and yarn 1 read ~/.npmrc; yarn 2 and later
// read ~/.yarnrc.yml.

// nerfDart is npm's registry key prefix for credentials: the endpoint
// without its scheme, "//host:port/path/".
func nerfDart(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return endpoint
	}
	p := u.EscapedPath()
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return "//" + u.Host + p
}

// scopeName returns "@scope" for a namespace given with or without "@".
func scopeName(ns string) string {
	return "@" + strings.TrimPrefix(ns, "@")
}

// registryKey is the .npmrc key that selects the registry.
func registryKey(namespace string) string {
	if namespace == "" {
		return "registry"
	}
	return scopeName(namespace) + ":registry"
}

// npmrcPath is the user's .npmrc: $NPM_CONFIG_USERCONFIG, else ~/.npmrc.
func npmrcPath(env Env) string {
	for _, k := range []string{"NPM_CONFIG_USERCONFIG", "npm_config_userconfig"} {
		if p := env.getenv(k); p != "" {
			return p
		}
	}
	return filepath.Join(env.Home, ".npmrc")
}

// KV is one setting.
type KV struct{ Key, Value string }

// NPMRC sets the settings in an .npmrc, keeping every other line.
func NPMRC(old []byte, settings []KV) []byte {
	lines := splitLines(old)
	for _, s := range settings {
		lines = npmrcINI.set(lines, "", s.Key, s.Value)
	}
	return joinLines(lines)
}

// npmSettings are the .npmrc settings of `arca login --tool npm`: the
// registry, the token, and always-auth, which yarn 1 needs to send the
// token for unscoped packages (npm 11 warns that it does not know it, and
// ignores it).
func npmSettings(t Target) []KV {
	nd := nerfDart(t.Endpoint)
	return []KV{
		{registryKey(t.Namespace), t.Endpoint},
		{nd + ":_authToken", t.Token},
		{nd + ":always-auth", "true"},
	}
}

func npmCommands(t Target) []string {
	nd := nerfDart(t.Endpoint)
	return []string{
		shellJoin([]string{"npm", "config", "set", registryKey(t.Namespace), t.Endpoint}),
		shellJoin([]string{"npm", "config", "set", nd + ":always-auth", "true"}),
		shellJoin([]string{"npm", "config", "set", nd + ":_authToken", t.Token}),
	}
}

// replacedNote says that a login replaced a setting's previous value,
// which logout restores; nil when there was none or it was the endpoint.
func replacedNote(setting, previous, endpoint, tool string) []string {
	if previous == "" || sameEndpoint(previous, endpoint) {
		return nil
	}
	return []string{"replaced " + setting + " " + RedactURL(previous) + " (arca logout --tool " + tool + " restores it)"}
}

// npmrcNotes says which registry an .npmrc edit replaced.
func npmrcNotes(tool string, t Target) func(old, new []byte) []string {
	return func(old, _ []byte) []string {
		lines := splitLines(old)
		start, end, _ := npmrcINI.section(lines, "")
		prev, _ := npmrcINI.value(lines, start, end, registryKey(t.Namespace))
		return replacedNote(registryKey(t.Namespace), prev, t.Endpoint, tool)
	}
}

func npmTool() *Tool {
	return &Tool{
		Name: "npm", Format: "npm", Programs: []string{"npm"}, Namespace: true,
		Files: func(env Env, t Target) ([]File, error) {
			return []File{{Path: npmrcPath(env), Secret: true, Edit: func(old []byte) ([]byte, error) {
				return NPMRC(old, npmSettings(t)), nil
			}, Notes: npmrcNotes("npm", t)}}, nil
		},
		NPMUserConfig: true,
		Commands:      npmCommands,
	}
}

// yarnTool is yarn 1, which reads ~/.npmrc like npm, and sends the token
// for unscoped packages only with always-auth. (`arca login --tool yarn`
// first asks the installed yarn its version, and configures yarn 2 and
// later as yarn-berry.)
func yarnTool() *Tool {
	t := npmTool()
	t.Name = "yarn"
	t.Programs = []string{"yarn", "yarnpkg"}
	t.Commands = nil
	return t
}

// yarnClassicTool is yarn 1 by name, without asking yarn its version.
func yarnClassicTool() *Tool {
	t := yarnTool()
	t.Name = "yarn-classic"
	return t
}

// HelperScript returns a shell script that runs the helper command, for
// tools that run a credential helper without arguments (pnpm).
func HelperScript(helper []string) []byte {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	b.WriteString("# Written by `arca login`: prints a current authorization token for a\n")
	b.WriteString("# tool that runs its credential helper without arguments.\n")
	b.WriteString("exec " + shellJoin(helper) + "\n")
	return []byte(b.String())
}

// helperScriptPath is where the wrapper script for helper lives.
func helperScriptPath(env Env, tool string, t Target) string {
	name := tool + "-" + safeName(t.Domain+"-"+t.Owner+"-"+hostOf(t.Endpoint))
	return filepath.Join(env.ConfigDir, "arca", "helpers", name)
}

// safeName keeps letters, digits, '-', '_' and '.' of s.
func safeName(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return strings.Trim(b.String(), "-_.")
}

// pnpmTool configures pnpm with its tokenHelper: pnpm runs the helper for
// the registry and sends what it prints as the Authorization header, so
// no token is written anywhere.
func pnpmTool() *Tool {
	return &Tool{
		Name: "pnpm", Format: "npm", Programs: []string{"pnpm"}, Helper: true, Namespace: true,
		Files: func(env Env, t Target) ([]File, error) {
			script := helperScriptPath(env, "pnpm", t)
			nd := nerfDart(t.Endpoint)
			return []File{
				{Path: script, Mode: 0o700, Edit: func([]byte) ([]byte, error) {
					return HelperScript(t.Helper), nil
				}},
				{Path: npmrcPath(env), Mode: 0o600, Edit: func(old []byte) ([]byte, error) {
					return NPMRC(old, []KV{
						{registryKey(t.Namespace), t.Endpoint},
						{nd + ":tokenHelper", script},
					}), nil
				}, Notes: npmrcNotes("pnpm", t)},
			}, nil
		},
		NPMUserConfig: true,
	}
}

// YarnRC sets a registry and its credentials in a .yarnrc.yml (yarn 2 and
// later): npmRegistryServer (or npmScopes.<scope>.npmRegistryServer), and
// npmRegistries["<endpoint>"] with npmAlwaysAuth and npmAuthToken.
func YarnRC(old []byte, t Target) ([]byte, error) {
	lines := splitLines(old)
	server := "npmRegistryServer: " + yamlString(t.Endpoint)
	var ok bool
	if t.Namespace == "" {
		lines = yamlSetTop(lines, "npmRegistryServer", []string{server})
	} else {
		scope := strings.TrimPrefix(t.Namespace, "@")
		lines, ok = yamlSetChild(lines, "npmScopes", scope, []string{yamlPlainOrQuoted(scope) + ":", "  " + server})
		if !ok {
			return nil, errNotBlock(".yarnrc.yml", "npmScopes")
		}
	}
	lines, ok = yamlSetChild(lines, "npmRegistries", t.Endpoint, []string{
		yamlString(t.Endpoint) + ":",
		"  npmAlwaysAuth: true",
		"  npmAuthToken: " + yamlString(t.Token),
	})
	if !ok {
		return nil, errNotBlock(".yarnrc.yml", "npmRegistries")
	}
	return joinLines(lines), nil
}

func yarnBerryTool() *Tool {
	return &Tool{
		Name: "yarn-berry", Format: "npm", Programs: []string{"yarn"}, Namespace: true,
		Files: func(env Env, t Target) ([]File, error) {
			return []File{{Path: filepath.Join(env.Home, ".yarnrc.yml"), Secret: true, Edit: func(old []byte) ([]byte, error) {
				return YarnRC(old, t)
			}, Notes: func(old, _ []byte) []string {
				lines := splitLines(old)
				i, ok := yamlEntries(lines, 0, len(lines), 0)["npmRegistryServer"]
				if !ok || t.Namespace != "" {
					return nil
				}
				_, v, _ := strings.Cut(lines[i], ":")
				return replacedNote("npmRegistryServer", strings.Trim(strings.TrimSpace(v), `"'`), t.Endpoint, "yarn-berry")
			}}}, nil
		},
		Vars: func(t Target) []Var {
			v := []Var{
				{Name: "YARN_NPM_AUTH_TOKEN", Value: t.Token, Secret: true},
				{Name: "YARN_NPM_ALWAYS_AUTH", Value: "true"},
			}
			if t.Namespace == "" {
				v = append([]Var{{Name: "YARN_NPM_REGISTRY_SERVER", Value: t.Endpoint}}, v...)
			}
			return v
		},
	}
}
