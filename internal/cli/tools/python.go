package tools

import (
	"os"
	"path/filepath"
	"strings"
)

// The Python tools: pip, twine, uv and poetry. PyPI endpoints take the
// token as Basic aws:TOKEN; pip and uv read it from the index URL.

// simpleURL is the index URL of a PyPI endpoint with the token in it:
// {scheme}://aws:{token}@{host}{path}simple/, as `aws codeartifact login`
// builds it.
func simpleURL(t Target) string {
	return withUserinfo(t.Endpoint, "aws", t.Token) + "simple/"
}

// pipConfPath is the file `pip config set` writes for the user:
// $XDG_CONFIG_HOME/pip/pip.conf, else ~/.config/pip/pip.conf.
func pipConfPath(env Env) string {
	return filepath.Join(env.xdgConfig(), "pip", "pip.conf")
}

// PipConf sets global.index-url in a pip.conf. A new file is written as
// `pip config set` writes it.
func PipConf(old []byte, indexURL string) []byte {
	if len(strings.TrimSpace(string(old))) == 0 {
		return []byte("[global]\nindex-url = " + indexURL + "\n\n")
	}
	return joinLines(configINI.set(splitLines(old), "global", "index-url", indexURL))
}

func pipTool() *Tool {
	return &Tool{
		Name: "pip", Format: "pypi", Programs: []string{"pip", "pip3"},
		Files: func(env Env, t Target) ([]File, error) {
			return []File{{Path: pipConfPath(env), Secret: true, Edit: func(old []byte) ([]byte, error) {
				return PipConf(old, simpleURL(t)), nil
			}, Notes: func(old, _ []byte) []string {
				lines := splitLines(old)
				start, end, _ := configINI.section(lines, "global")
				prev, _ := configINI.value(lines, start, end, "index-url")
				return replacedNote("index-url", prev, t.Endpoint+"simple/", "pip")
			}}}, nil
		},
		Vars: func(t Target) []Var {
			return []Var{{Name: "PIP_INDEX_URL", Value: simpleURL(t), Secret: true}}
		},
		Commands: func(t Target) []string {
			return []string{shellJoin([]string{"pip", "config", "set", "global.index-url", simpleURL(t)})}
		},
	}
}

// PyPIRC adds the codeartifact repository to a .pypirc: the name in
// [distutils] index-servers, and the [codeartifact] section with the
// endpoint, username aws and the token. A new file is written as `aws
// codeartifact login --tool twine` writes it.
func PyPIRC(old []byte, endpoint, token string) []byte {
	if len(strings.TrimSpace(string(old))) == 0 {
		return []byte("[distutils]\nindex-servers = \n\tpypi\n\tcodeartifact\n\n" +
			"[codeartifact]\nrepository = " + endpoint + "\nusername = aws\npassword = " + token + "\n\n")
	}
	lines := splitLines(old)
	var servers []string
	if start, end, ok := configINI.section(lines, "distutils"); ok {
		if v, ok := configINI.value(lines, start, end, "index-servers"); ok {
			servers = strings.Fields(v)
		}
	}
	has := false
	for _, s := range servers {
		has = has || s == "codeartifact"
	}
	if !has {
		servers = append(servers, "codeartifact")
		lines = configINI.set(lines, "distutils", "index-servers", "\n"+strings.Join(servers, "\n"))
	}
	lines = configINI.set(lines, "codeartifact", "repository", endpoint)
	lines = configINI.set(lines, "codeartifact", "username", "aws")
	lines = configINI.set(lines, "codeartifact", "password", token)
	return joinLines(lines)
}

func twineTool() *Tool {
	return &Tool{
		Name: "twine", Format: "pypi", Programs: []string{"twine"},
		Files: func(env Env, t Target) ([]File, error) {
			return []File{{Path: filepath.Join(env.Home, ".pypirc"), Secret: true, Edit: func(old []byte) ([]byte, error) {
				return PyPIRC(old, t.Endpoint, t.Token), nil
			}}}, nil
		},
		Vars: func(t Target) []Var {
			return []Var{
				{Name: "TWINE_USERNAME", Value: "aws"},
				{Name: "TWINE_PASSWORD", Value: t.Token, Secret: true},
				{Name: "TWINE_REPOSITORY_URL", Value: t.Endpoint},
			}
		},
	}
}

// uvIndexName is the name of the index arca adds to uv's configuration.
const uvIndexName = "codeartifact"

// UVToml sets the [[index]] named codeartifact in a uv.toml: the index
// URL with the token, the publish URL, and default = true (which another
// index then loses).
func UVToml(old []byte, t Target) ([]byte, error) {
	lines := splitLines(old)
	kvs := []tomlKV{
		{"name", tomlString(uvIndexName)},
		{"url", tomlString(simpleURL(t))},
		{"publish-url", tomlString(withUserinfo(t.Endpoint, "aws", t.Token))},
		{"default", "true"},
	}
	if tomlDefinedInline(lines, []string{"index"}) {
		return nil, errInline("uv.toml", "index")
	}
	indexes, mine := tomlNamedTables(lines, []string{"index"}, uvIndexName)
	// Other indexes stop being the default, last first so that the
	// positions of earlier ones hold.
	for i := len(indexes) - 1; i >= 0; i-- {
		if i == mine {
			continue
		}
		ix := indexes[i]
		for j := ix.start; j < ix.end; j++ {
			if k, ok := tomlKeyOf(lines[j]); ok && samePath(k, []string{"default"}) {
				lines[j] = "default = false"
			}
		}
	}
	if mine >= 0 {
		return joinLines(tomlSetIn(lines, indexes[mine], kvs)), nil
	}
	return joinLines(tomlAppendTable(lines, []string{"index"}, true, kvs)), nil
}

// uvNotes names the indexes that stop being the default.
func uvNotes(old, _ []byte) []string {
	lines := splitLines(old)
	var names []string
	for _, ix := range tomlTables(lines, func(h tomlHeader) bool { return h.array && samePath(h.path, []string{"index"}) }) {
		name, def := "", false
		for j := ix.start; j < ix.end; j++ {
			k, ok := tomlKeyOf(lines[j])
			switch {
			case ok && samePath(k, []string{"name"}):
				name = tomlStringValue(lines[j])
			case ok && samePath(k, []string{"default"}):
				def = tomlStringValue(lines[j]) == "true"
			}
		}
		if def && name != uvIndexName {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return []string{"kept the other indexes; " + strings.Join(names, ", ") + " is no longer the default (arca logout --tool uv restores it)"}
}

// tomlNamedTables returns the tables of the array [[path]], and the index
// of the one whose name is name (-1 when none is).
func tomlNamedTables(lines []string, path []string, name string) ([]tomlTable, int) {
	tables := tomlTables(lines, func(h tomlHeader) bool { return h.array && samePath(h.path, path) })
	mine := -1
	for i, tb := range tables {
		for j := tb.start; j < tb.end; j++ {
			if k, ok := tomlKeyOf(lines[j]); ok && samePath(k, []string{"name"}) && tomlStringValue(lines[j]) == name {
				mine = i
			}
		}
	}
	return tables, mine
}

// tomlStringValue returns the string value of a `key = "value"` line.
func tomlStringValue(line string) string {
	i := strings.IndexByte(line, '=')
	if i < 0 {
		return ""
	}
	v := strings.TrimSpace(line[i+1:])
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		if j := strings.IndexByte(v[1:], v[0]); j >= 0 {
			return v[1 : 1+j]
		}
	}
	return v
}

// uvTomlPath is uv's user configuration: $XDG_CONFIG_HOME/uv/uv.toml.
func uvTomlPath(env Env) string {
	return filepath.Join(env.xdgConfig(), "uv", "uv.toml")
}

func uvTool() *Tool {
	return &Tool{
		Name: "uv", Format: "pypi", Programs: []string{"uv"},
		Files: func(env Env, t Target) ([]File, error) {
			return []File{{Path: uvTomlPath(env), Secret: true, Edit: func(old []byte) ([]byte, error) {
				return UVToml(old, t)
			}, Notes: uvNotes}}, nil
		},
		Vars: func(t Target) []Var {
			return []Var{
				{Name: "UV_DEFAULT_INDEX", Value: simpleURL(t), Secret: true},
				{Name: "UV_INDEX_URL", Value: simpleURL(t), Secret: true},
				{Name: "UV_PUBLISH_URL", Value: t.Endpoint},
				{Name: "UV_PUBLISH_USERNAME", Value: "aws"},
				{Name: "UV_PUBLISH_PASSWORD", Value: t.Token, Secret: true},
			}
		},
	}
}

// poetryRepo is the name of the repository arca adds to poetry's
// configuration; a project's [[tool.poetry.source]] of that name gets its
// credentials.
const poetryRepo = "codeartifact"

// poetryDir is poetry's configuration directory.
func poetryDir(env Env) string {
	if d := env.getenv("POETRY_CONFIG_DIR"); d != "" {
		return d
	}
	return filepath.Join(env.xdgConfig(), "pypoetry")
}

// PoetryConfig sets [repositories.codeartifact] url in poetry's config.toml.
func PoetryConfig(old []byte, endpoint string) ([]byte, error) {
	lines, ok := tomlSetTable(splitLines(old), []string{"repositories", poetryRepo}, []tomlKV{{"url", tomlString(endpoint)}})
	if !ok {
		return nil, errInline("config.toml", "repositories."+poetryRepo)
	}
	return joinLines(lines), nil
}

// PoetryAuth sets [http-basic.codeartifact] in poetry's auth.toml, which
// poetry reads for credentials when they are not in a keyring.
func PoetryAuth(old []byte, token string) ([]byte, error) {
	lines, ok := tomlSetTable(splitLines(old), []string{"http-basic", poetryRepo}, []tomlKV{
		{"username", tomlString("aws")},
		{"password", tomlString(token)},
	})
	if !ok {
		return nil, errInline("auth.toml", "http-basic."+poetryRepo)
	}
	return joinLines(lines), nil
}

// poetrySourcePath is the pyproject.toml of the poetry project in the
// current directory; "" when there is none.
func poetrySourcePath(env Env) string {
	if env.Dir == "" {
		return ""
	}
	p := filepath.Join(env.Dir, "pyproject.toml")
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	return p
}

// PoetrySource sets the [[tool.poetry.source]] named codeartifact in a
// project's pyproject.toml, as `poetry source add --priority=primary
// codeartifact <index>` does: the repository's simple index becomes the
// project's primary source (poetry then stops using its implicit default
// index, as pip's index-url replaces its default). Other sources are
// kept. Poetry has no user-level sources for installs: a project says
// where its packages come from.
func PoetrySource(old []byte, t Target) ([]byte, error) {
	lines := splitLines(old)
	path := []string{"tool", "poetry", "source"}
	if tomlDefinedInline(lines, path) {
		return nil, errInline("pyproject.toml", "tool.poetry.source")
	}
	kvs := []tomlKV{
		{"name", tomlString(poetryRepo)},
		{"url", tomlString(t.Endpoint + "simple/")},
		{"priority", tomlString("primary")},
	}
	sources, mine := tomlNamedTables(lines, path, poetryRepo)
	if mine >= 0 {
		return joinLines(tomlSetIn(lines, sources[mine], kvs)), nil
	}
	return joinLines(tomlAppendTable(lines, path, true, kvs)), nil
}

// poetrySourceNotes names the project's other sources, which stay.
func poetrySourceNotes(old, _ []byte) []string {
	lines := splitLines(old)
	sources, _ := tomlNamedTables(lines, []string{"tool", "poetry", "source"}, poetryRepo)
	var names []string
	for _, src := range sources {
		for j := src.start; j < src.end; j++ {
			if k, ok := tomlKeyOf(lines[j]); ok && samePath(k, []string{"name"}) && tomlStringValue(lines[j]) != poetryRepo {
				names = append(names, tomlStringValue(lines[j]))
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	return []string{"kept the project's other sources: " + strings.Join(names, ", ")}
}

func poetryTool() *Tool {
	return &Tool{
		Name: "poetry", Format: "pypi", Programs: []string{"poetry"},
		Files: func(env Env, t Target) ([]File, error) {
			dir := poetryDir(env)
			files := []File{
				{Path: filepath.Join(dir, "config.toml"), Edit: func(old []byte) ([]byte, error) {
					return PoetryConfig(old, t.Endpoint)
				}},
				{Path: filepath.Join(dir, "auth.toml"), Secret: true, Edit: func(old []byte) ([]byte, error) {
					return PoetryAuth(old, t.Token)
				}},
			}
			if p := poetrySourcePath(env); p != "" {
				files = append(files, File{Path: p, Edit: func(old []byte) ([]byte, error) {
					return PoetrySource(old, t)
				}, Notes: poetrySourceNotes})
			} else {
				files[0].Notes = func(_, _ []byte) []string {
					return []string{"configured publishing (poetry publish --repository codeartifact); poetry has no user-level install sources: run arca login --tool poetry in a project's directory to make the repository its primary source"}
				}
			}
			return files, nil
		},
		Vars: func(t Target) []Var {
			return []Var{
				{Name: "POETRY_REPOSITORIES_CODEARTIFACT_URL", Value: t.Endpoint},
				{Name: "POETRY_HTTP_BASIC_CODEARTIFACT_USERNAME", Value: "aws"},
				{Name: "POETRY_HTTP_BASIC_CODEARTIFACT_PASSWORD", Value: t.Token, Secret: true},
			}
		},
	}
}
