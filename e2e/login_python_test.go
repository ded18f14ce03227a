package e2e

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// The Python tools configured by the arca binary itself: `arca login
// --tool twine|pip|uv|poetry` and then the real twine, pip, uv and poetry
// publishing to and installing from a started `arca serve` (nothing comes
// from a public index); then the same tools through `arca exec` and `arca
// env` with no login at all, leaving no token in any file. (That the
// files of `arca login --tool pip|twine` are those `aws codeartifact
// login` writes is TestArcaLoginMatchesAWSCLI.)

// pyArcaUser is an arcaUser whose environment carries no configuration of
// pip, uv, twine or poetry from the machine (docs/CLIENTS.md §4.4:
// PIP_FIND_LINKS points at a local wheel directory), with virtual
// environments kept outside HOME.
type pyArcaUser struct {
	*arcaUser
	venvs string
}

func newPyArcaUser(t *testing.T, s *server) *pyArcaUser {
	t.Helper()
	u := newArcaUser(t, s)
	var env []string
	for _, kv := range u.env {
		k, _, _ := strings.Cut(kv, "=")
		switch uk := strings.ToUpper(k); {
		case strings.HasPrefix(uk, "PIP_"), strings.HasPrefix(uk, "UV_"), strings.HasPrefix(uk, "TWINE_"),
			strings.HasPrefix(uk, "POETRY_"), uk == "VIRTUAL_ENV", uk == "PYTHONPATH", uk == "PYTHONHOME",
			uk == "CODEARTIFACT_AUTH_TOKEN":
			continue
		}
		env = append(env, kv)
	}
	u.env = append(env, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1", "PIP_PROGRESS_BAR=off",
		"UV_NO_PROGRESS=1", "UV_PYTHON_DOWNLOADS=never", "POETRY_NO_INTERACTION=1")
	return &pyArcaUser{arcaUser: u, venvs: t.TempDir()}
}

// venv creates a virtual environment with pip (python3 -m venv) outside
// HOME and returns its directory.
func (u *pyArcaUser) venv(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(u.venvs, name)
	u.ok(t, u.Home, tool(t, "python3"), "-m", "venv", dir)
	return dir
}

// imports fails unless the Python of a virtual environment imports each
// module at its version ("module=version").
func (u *pyArcaUser) imports(t *testing.T, python string, want ...string) {
	t.Helper()
	var code []string
	for _, w := range want {
		m, _, _ := strings.Cut(w, "=")
		code = append(code, "import "+m+"; print('"+m+"=' + "+m+".__version__)")
	}
	r := u.in(t, u.Home, python, "-c", strings.Join(code, "\n"))
	if got := strings.Join(strings.Fields(r.Stdout), " "); r.Code != 0 || got != strings.Join(want, " ") {
		t.Fatalf("imported %q, want %q\n%s", got, strings.Join(want, " "), r)
	}
}

// shell runs a /bin/sh script in dir with $ARCA set to the arca binary.
func (u *pyArcaUser) shell(t *testing.T, dir, script string) result {
	t.Helper()
	r := runProgram(t, append(u.env, "ARCA="+arcaBin), dir, "/bin/sh", "-c", "set -e; "+script)
	if r.Code != 0 {
		t.Fatalf("script failed\n%s", r)
	}
	return r
}

// pypiVersions lists a package's versions in the fixture's repository.
func pypiVersions(t *testing.T, s *server, pkg string) string {
	t.Helper()
	out, err := sdk(s).ListPackageVersions(context.Background(), &codeartifact.ListPackageVersionsInput{
		Domain: aws_("my-domain"), Repository: aws_("my-repo"), Format: types.PackageFormatPypi, Package: aws_(pkg),
	})
	if err != nil {
		t.Fatalf("ListPackageVersions %s: %v", pkg, err)
	}
	var vs []string
	for _, v := range out.Versions {
		vs = append(vs, *v.Version)
	}
	sort.Strings(vs)
	return strings.Join(vs, " ")
}

// poetryProject writes a pyproject.toml for poetry: a package with a
// module of its own when pkg is set, else a project that only installs
// deps from the source codeartifact (the repository's simple index).
func poetryProject(t *testing.T, dir, name, version, index string, deps ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("[project]\nname = \"" + name + "\"\nversion = \"" + version + "\"\ndescription = \"arca e2e\"\nrequires-python = \">=3.8\"\n")
	b.WriteString("dependencies = [")
	for i, d := range deps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"` + d + `"`)
	}
	b.WriteString("]\n\n")
	mod := strings.ReplaceAll(name, "-", "_")
	if index == "" {
		b.WriteString("[tool.poetry]\npackages = [{ include = \"" + mod + "\" }]\n\n")
		b.WriteString("[build-system]\nrequires = [\"poetry-core>=1.0\"]\nbuild-backend = \"poetry.core.masonry.api\"\n")
		writeAt(t, filepath.Join(dir, mod, "__init__.py"), "__version__ = \""+version+"\"\n")
	} else {
		b.WriteString("[tool.poetry]\npackage-mode = false\n\n")
		b.WriteString("[[tool.poetry.source]]\nname = \"codeartifact\"\nurl = \"" + index + "\"\npriority = \"primary\"\n")
	}
	writeAt(t, filepath.Join(dir, "pyproject.toml"), b.String())
}

// noTokenOutsideCache fails when a file under one of roots, other than
// the user's token cache, holds the user's current token.
func noTokenOutsideCache(t *testing.T, u *arcaUser, roots ...string) {
	t.Helper()
	tok := cachedToken(t, u.Home)
	for _, root := range append([]string{u.Home}, roots...) {
		for _, f := range tokenFiles(t, root, tok) {
			if root == u.Home && strings.HasPrefix(f, filepath.Join(".cache", "arca", "token-")) {
				continue
			}
			t.Errorf("%s holds the token", filepath.Join(root, f))
		}
	}
}

// TestArcaLoginPython: `arca login` for twine, pip, uv and poetry, each
// followed by the tool publishing or installing; then twine, pip, uv and
// poetry under `arca exec` and `arca env` for a user who never logged
// in.
func TestArcaLoginPython(t *testing.T) {
	t.Parallel()
	twine := tool(t, "twine")
	uv := tool(t, "uv")
	poetry := tool(t, "poetry")
	tool(t, "pip")
	s := arcaFixture(t)
	ep := endpointOf(s, "pypi")
	index := ep + "simple/"
	step := pySteps(t)

	hello := upstreamtest.PyPIDist{Name: "arca-hello", Version: "1.0.0", Summary: "arca login e2e"}
	hello11 := upstreamtest.PyPIDist{Name: "arca-hello", Version: "1.1.0"}
	app := upstreamtest.PyPIDist{Name: "arca-app", Version: "2.0", RequiresDist: []string{"arca-hello>=1.0"}}
	distDir, _ := dists(t, hello)
	dist11Dir, _ := dists(t, hello11)
	appDir, _ := dists(t, app)
	ls := func(dir string) []string {
		m, _ := filepath.Glob(filepath.Join(dir, "*"))
		sort.Strings(m)
		return m
	}

	u := newPyArcaUser(t, s)
	step("login twine, twine upload", func(t *testing.T) {
		r := u.arcaOK(t, loginArgs(s, "twine")...)
		if !strings.Contains(r.Stdout, "Successfully configured twine to use repository "+ep) {
			t.Errorf("login output\n%s", r)
		}
		fileMode(t, filepath.Join(u.Home, ".pypirc"), 0o600)
		r = u.ok(t, u.Home, twine, append([]string{"upload", "--repository", "codeartifact", "--non-interactive", "--disable-progress-bar"}, ls(distDir)...)...)
		if got := pypiVersions(t, s, "arca-hello"); got != "1.0.0" {
			t.Fatalf("arca-hello versions after twine upload: %q\n%s", got, r)
		}
	})

	step("login pip, pip install", func(t *testing.T) {
		u.arcaOK(t, loginArgs(s, "pip")...)
		conf := filepath.Join(u.Home, ".config", "pip", "pip.conf")
		fileMode(t, conf, 0o600)
		if c := readFile(t, conf); !strings.Contains(c, "index-url = http://aws:") || !strings.Contains(c, "@"+s.Addr+"/my-domain-"+s.Account+"/pypi/my-repo/simple/\n") {
			t.Errorf("pip.conf:\n%s", c)
		}
		venv := u.venv(t, "pip-login")
		r := u.ok(t, u.Home, filepath.Join(venv, "bin", "pip"), "install", "arca-hello")
		if !strings.Contains(r.Stdout, "Successfully installed arca-hello-1.0.0") {
			t.Errorf("pip install\n%s", r)
		}
		u.imports(t, filepath.Join(venv, "bin", "python"), "arca_hello=1.0.0")
	})

	step("login uv, uv publish, uv pip install, uv add", func(t *testing.T) {
		u.arcaOK(t, loginArgs(s, "uv")...)
		fileMode(t, filepath.Join(u.Home, ".config", "uv", "uv.toml"), 0o600)
		// The index's publish-url carries the credentials.
		u.ok(t, u.Home, uv, append([]string{"publish", "--index", "codeartifact"}, ls(dist11Dir)...)...)
		if got := pypiVersions(t, s, "arca-hello"); got != "1.0.0 1.1.0" {
			t.Fatalf("arca-hello versions after uv publish: %q", got)
		}
		venv := filepath.Join(u.venvs, "uv-login")
		u.ok(t, u.Home, uv, "venv", "--python", tool(t, "python3"), venv)
		r := u.ok(t, u.Home, uv, "pip", "install", "--python", filepath.Join(venv, "bin", "python"), "arca-hello")
		if !strings.Contains(r.Stderr, "+ arca-hello==1.1.0") {
			t.Errorf("uv pip install\n%s", r)
		}
		u.imports(t, filepath.Join(venv, "bin", "python"), "arca_hello=1.1.0")

		proj := u.dir(t, "uv-app")
		u.ok(t, proj, uv, "init", "--bare", "--name", "uv-app", "--python", tool(t, "python3"))
		u.ok(t, proj, uv, "add", "--python", tool(t, "python3"), "arca-hello==1.0.0")
		u.imports(t, filepath.Join(proj, ".venv", "bin", "python"), "arca_hello=1.0.0")
		if lock := readFile(t, filepath.Join(proj, "uv.lock")); !strings.Contains(lock, `source = { registry = "`+index+`" }`) {
			t.Errorf("uv.lock does not name the repository's index:\n%s", lock)
		}
	})

	step("login poetry, poetry publish, poetry install", func(t *testing.T) {
		u.arcaOK(t, loginArgs(s, "poetry")...)
		fileMode(t, filepath.Join(u.Home, ".config", "pypoetry", "auth.toml"), 0o600)
		src := u.dir(t, "src-poetry-lib")
		poetryProject(t, src, "arca-poetry-lib", "0.3.0", "")
		u.ok(t, src, poetry, "build")
		u.ok(t, src, poetry, "publish", "--repository", "codeartifact")
		if got := pypiVersions(t, s, "arca-poetry-lib"); got != "0.3.0" {
			t.Fatalf("arca-poetry-lib versions after poetry publish: %q", got)
		}
		proj := u.dir(t, "poetry-app")
		poetryProject(t, proj, "poetry-app", "0.1.0", index, "arca-poetry-lib", "arca-hello==1.1.0")
		u.ok(t, proj, poetry, "install")
		py := strings.TrimSpace(u.ok(t, proj, poetry, "env", "info", "--executable").Stdout)
		u.imports(t, py, "arca_poetry_lib=0.3.0", "arca_hello=1.1.0")
	})

	step("login poetry in a project: the repository becomes its source, poetry install, logout", func(t *testing.T) {
		proj := u.dir(t, "poetry-login-app")
		pyproject := "[project]\nname = \"poetry-login-app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.8\"\n" +
			"dependencies = [\"arca-poetry-lib\", \"arca-hello==1.0.0\"]\n\n[tool.poetry]\npackage-mode = false\n"
		writeAt(t, filepath.Join(proj, "pyproject.toml"), pyproject)
		r := runProgram(t, u.env, proj, arcaBin, loginArgs(s, "poetry")...)
		if r.Code != 0 || !strings.Contains(r.Stdout, "wrote "+filepath.Join(proj, "pyproject.toml")+"\n") {
			t.Fatalf("login --tool poetry in a project\n%s", r)
		}
		if got := readFile(t, filepath.Join(proj, "pyproject.toml")); got != pyproject+"\n[[tool.poetry.source]]\nname = \"codeartifact\"\nurl = \""+index+"\"\npriority = \"primary\"\n" {
			t.Fatalf("pyproject.toml after login:\n%s", got)
		}
		u.ok(t, proj, poetry, "install")
		py := strings.TrimSpace(u.ok(t, proj, poetry, "env", "info", "--executable").Stdout)
		u.imports(t, py, "arca_poetry_lib=0.3.0", "arca_hello=1.0.0")
		// Logout takes the source back out; poetry's lock file stays.
		if r := runProgram(t, u.env, proj, arcaBin, "logout", "--tool", "poetry"); r.Code != 0 {
			t.Fatalf("logout --tool poetry\n%s", r)
		}
		if got := readFile(t, filepath.Join(proj, "pyproject.toml")); got != pyproject {
			t.Errorf("pyproject.toml after logout:\n%s", got)
		}
	})

	// A user who never logs in: exec and env only.
	v := newPyArcaUser(t, s)
	sel := []string{"--endpoint-url", s.URL, "--domain", "my-domain", "--domain-owner", s.Account, "--repository", "my-repo"}
	execArgs := func(tl string, argv ...string) []string {
		return append(append(append([]string{"exec", "--tool", tl}, sel...), "--"), argv...)
	}
	var roots []string
	step("arca exec --tool twine -- twine upload", func(t *testing.T) {
		r := runProgram(t, v.env, v.Home, arcaBin, execArgs("twine", append([]string{twine, "upload", "--non-interactive", "--disable-progress-bar"}, ls(appDir)...)...)...)
		if r.Code != 0 {
			t.Fatalf("arca exec twine upload\n%s", r)
		}
		if got := pypiVersions(t, s, "arca-app"); got != "2.0" {
			t.Fatalf("arca-app versions: %q", got)
		}
	})
	step("arca exec --tool pip -- pip install", func(t *testing.T) {
		venv := v.venv(t, "pip-exec")
		roots = append(roots, venv)
		r := runProgram(t, v.env, v.Home, arcaBin, execArgs("pip", filepath.Join(venv, "bin", "pip"), "install", "arca-app")...)
		if r.Code != 0 || !strings.Contains(r.Stdout, "Successfully installed arca-app-2.0 arca-hello-1.1.0") {
			t.Fatalf("arca exec pip install\n%s", r)
		}
		v.imports(t, filepath.Join(venv, "bin", "python"), "arca_app=2.0", "arca_hello=1.1.0")
	})
	step("eval $(arca env --tool pip); pip install", func(t *testing.T) {
		venv := v.venv(t, "pip-env")
		roots = append(roots, venv)
		v.shell(t, v.Home, `eval "$("$ARCA" env --tool pip `+shellQuote(sel)+`)"; `+shellQuote([]string{filepath.Join(venv, "bin", "pip"), "install", "arca-hello==1.0.0"}))
		v.imports(t, filepath.Join(venv, "bin", "python"), "arca_hello=1.0.0")
	})
	step("eval $(arca env --tool uv); uv pip install, uv add", func(t *testing.T) {
		venv := filepath.Join(v.venvs, "uv-env")
		roots = append(roots, venv)
		proj := v.dir(t, "uv-env-app")
		py := tool(t, "python3")
		v.shell(t, v.Home, `eval "$("$ARCA" env --tool uv `+shellQuote(sel)+`)"; `+
			shellQuote([]string{uv, "venv", "--python", py, venv})+"; "+
			shellQuote([]string{uv, "pip", "install", "--python", filepath.Join(venv, "bin", "python"), "arca-app"})+"; "+
			"cd "+shellQuote([]string{proj})+"; "+
			shellQuote([]string{uv, "init", "--bare", "--name", "uv-env-app", "--python", py})+"; "+
			shellQuote([]string{uv, "add", "--python", py, "arca-app"}))
		v.imports(t, filepath.Join(venv, "bin", "python"), "arca_app=2.0", "arca_hello=1.1.0")
		v.imports(t, filepath.Join(proj, ".venv", "bin", "python"), "arca_app=2.0", "arca_hello=1.1.0")
	})
	step("arca exec --tool uv -- uv pip install", func(t *testing.T) {
		venv := filepath.Join(v.venvs, "uv-exec")
		roots = append(roots, venv)
		v.ok(t, v.Home, uv, "venv", "--python", tool(t, "python3"), venv)
		if r := runProgram(t, v.env, v.Home, arcaBin, execArgs("uv", uv, "pip", "install", "--python", filepath.Join(venv, "bin", "python"), "arca-hello==1.0.0")...); r.Code != 0 {
			t.Fatalf("arca exec uv pip install\n%s", r)
		}
		v.imports(t, filepath.Join(venv, "bin", "python"), "arca_hello=1.0.0")
	})
	step("eval $(arca env --tool poetry); poetry install, poetry publish", func(t *testing.T) {
		proj := v.dir(t, "poetry-env-app")
		poetryProject(t, proj, "poetry-env-app", "0.1.0", index, "arca-app", "arca-poetry-lib")
		v.shell(t, proj, `eval "$("$ARCA" env --tool poetry `+shellQuote(sel)+`)"; `+shellQuote([]string{poetry, "install"}))
		py := strings.TrimSpace(v.ok(t, proj, poetry, "env", "info", "--executable").Stdout)
		v.imports(t, py, "arca_app=2.0", "arca_hello=1.1.0", "arca_poetry_lib=0.3.0")
		src := v.dir(t, "src-poetry-lib")
		poetryProject(t, src, "arca-poetry-lib", "0.4.0", "")
		v.ok(t, src, poetry, "build")
		if r := runProgram(t, v.env, src, arcaBin, execArgs("poetry", poetry, "publish", "--repository", "codeartifact")...); r.Code != 0 {
			t.Fatalf("arca exec poetry publish\n%s", r)
		}
		if got := pypiVersions(t, s, "arca-poetry-lib"); got != "0.3.0 0.4.0" {
			t.Fatalf("arca-poetry-lib versions after poetry publish: %q", got)
		}
	})
	step("no login, no token in a file", func(t *testing.T) {
		for _, f := range []string{".pypirc", ".config/pip/pip.conf", ".config/uv/uv.toml", ".config/pypoetry/auth.toml", ".config/pypoetry/config.toml"} {
			if _, err := os.Stat(filepath.Join(v.Home, f)); !os.IsNotExist(err) {
				t.Errorf("exec/env wrote ~/%s (%v)", f, err)
			}
		}
		noTokenOutsideCache(t, v.arcaUser, roots...)
	})
}
