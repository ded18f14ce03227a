package tools

import (
	"os"
	"path/filepath"
	"strings"
)

// cargo: a sparse registry whose credential provider is arca, speaking
// cargo's credential-provider protocol, so cargo asks arca for a token
// for each session and no token is stored.

// CargoRegistryName is the registry name for a repository: its name with
// the characters cargo does not allow in a registry name replaced by '-'.
func CargoRegistryName(t Target) string {
	if t.RegistryName != "" {
		return t.RegistryName
	}
	var b strings.Builder
	for _, c := range t.Repository {
		if isBare(byte(c)) && c < 0x80 {
			b.WriteRune(c)
		} else {
			b.WriteByte('-')
		}
	}
	return b.String()
}

// cargoConfigPath is $CARGO_HOME/config.toml, or $CARGO_HOME/config when
// only that older name exists.
func cargoConfigPath(env Env) string {
	home := env.getenv("CARGO_HOME")
	if home == "" {
		home = filepath.Join(env.Home, ".cargo")
	}
	toml := filepath.Join(home, "config.toml")
	if _, err := os.Stat(toml); err != nil {
		if _, err := os.Stat(filepath.Join(home, "config")); err == nil {
			return filepath.Join(home, "config")
		}
	}
	return toml
}

// CargoConfig sets [registries.<name>] in cargo's config.toml: the sparse
// index of the endpoint and arca as its credential provider; with mirror
// also the default registry and crates-io's replacement.
func CargoConfig(old []byte, t Target, mirror bool) ([]byte, error) {
	name := CargoRegistryName(t)
	lines := splitLines(old)
	var ok bool
	lines, ok = tomlSetTable(lines, []string{"registries", name}, []tomlKV{
		{"index", tomlString("sparse+" + t.Endpoint)},
		{"credential-provider", tomlArray(t.Helper)},
		{"token", ""}, // a stored token would win over nothing but confuse; drop it
	})
	if !ok {
		return nil, errInline("config.toml", "registries."+name)
	}
	if mirror {
		if lines, ok = tomlSetTable(lines, []string{"registry"}, []tomlKV{{"default", tomlString(name)}}); !ok {
			return nil, errInline("config.toml", "registry")
		}
		if lines, ok = tomlSetTable(lines, []string{"source", "crates-io"}, []tomlKV{{"replace-with", tomlString(name)}}); !ok {
			return nil, errInline("config.toml", "source.crates-io")
		}
	}
	return joinLines(lines), nil
}

// cargoEnvName is the registry name as cargo's environment variables
// spell it.
func cargoEnvName(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

func cargoTool() *Tool {
	return &Tool{
		Name: "cargo", Format: "cargo", Programs: []string{"cargo"}, Helper: true,
		Files: func(env Env, t Target) ([]File, error) {
			return []File{{Path: cargoConfigPath(env), Mode: 0o644, Edit: func(old []byte) ([]byte, error) {
				return CargoConfig(old, t, t.Mirror)
			}}}, nil
		},
		Vars: func(t Target) []Var {
			n := "CARGO_REGISTRIES_" + cargoEnvName(CargoRegistryName(t))
			return []Var{
				{Name: n + "_INDEX", Value: "sparse+" + t.Endpoint},
				{Name: n + "_TOKEN", Value: t.Token, Secret: true},
				{Name: n + "_CREDENTIAL_PROVIDER", Value: "cargo:token"},
			}
		},
	}
}
