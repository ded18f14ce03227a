package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/arcahq/arca/internal/cli/fileedit"
	"github.com/arcahq/arca/internal/cli/tools"
)

// TokenVar is the variable every tool's environment has: the name the
// CodeArtifact User Guide's build files read the token from.
const TokenVar = "CODEARTIFACT_AUTH_TOKEN"

// environment computes the variables for tool (none but TokenVar when
// tool is empty).
func (a *App) environment(ctx context.Context, f Flags, toolName string) ([]tools.Var, *tools.Tool, tools.Target, error) {
	var tool *tools.Tool
	if toolName != "" {
		var err error
		if tool, err = tools.Lookup(toolName); err != nil {
			return nil, nil, tools.Target{}, err
		}
	}
	r, err := a.resolve(f, false)
	if err != nil {
		return nil, nil, tools.Target{}, err
	}
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	s, err := a.newSession(ctx, r.Settings)
	if err != nil {
		return nil, nil, tools.Target{}, err
	}
	var repo string
	if tool != nil {
		if repo, err = r.repositoryFor(f, tool, toolName); err != nil {
			return nil, nil, tools.Target{}, err
		}
	}
	if _, err := s.principal(ctx); err != nil {
		return nil, nil, tools.Target{}, err
	}
	var endpoint string
	if tool != nil {
		// Before the token, which is cached: a missing repository
		// leaves nothing behind.
		if endpoint, err = s.repositoryEndpoint(ctx, repo, tool.Format); err != nil {
			return nil, nil, tools.Target{}, err
		}
	}
	t, err := s.token(ctx)
	if err != nil {
		return nil, nil, tools.Target{}, err
	}
	vars := []tools.Var{{Name: TokenVar, Value: t.Value, Secret: true}}
	if tool == nil {
		return vars, nil, tools.Target{}, nil
	}
	target := tools.Target{Endpoint: endpoint, Domain: r.Domain, Owner: r.Owner, Repository: repo, Token: t.Value}
	if target.Helper, err = a.helperArgs(s); err != nil {
		return nil, nil, tools.Target{}, err
	}
	if tool.NPMUserConfig {
		path, err := a.npmUserConfig(target)
		if err != nil {
			return nil, nil, tools.Target{}, err
		}
		return append(vars, tools.Var{Name: "NPM_CONFIG_USERCONFIG", Value: path}), tool, target, nil
	}
	return append(vars, tool.Vars(target)...), tool, target, nil
}

// Env prints the environment for a tool as shell commands, for eval.
// Variables a shell cannot export by name (NuGet's and Bundler's
// per-source credentials) are left out with a comment pointing at arca
// exec.
func (a *App) Env(ctx context.Context, f Flags, toolName, shell string) error {
	quote, ok := shells[shell]
	if !ok {
		return fmt.Errorf("--shell must be sh, bash, zsh, fish or powershell, not %q", shell)
	}
	vars, _, _, err := a.environment(ctx, f, toolName)
	if err != nil {
		return err
	}
	var unsafe []string
	var safe []tools.Var
	for _, v := range vars {
		if v.ShellSafe() {
			safe = append(safe, v)
		} else {
			unsafe = append(unsafe, v.Name)
		}
	}
	var b strings.Builder
	for _, v := range safe {
		b.WriteString(quote(v.Name, v.Value) + "\n")
	}
	for _, n := range unsafe {
		fmt.Fprintf(&b, "# %s cannot be set by a shell: run the tool with `arca exec --tool %s -- ...`\n", n, toolName)
	}
	_, err = fmt.Fprint(a.Stdout, b.String())
	return err
}

// npmUserConfig writes the npm user config that arca env and exec point
// npm, pnpm and yarn 1 at: the user's own .npmrc with the registry, a
// token read from CODEARTIFACT_AUTH_TOKEN (they expand ${VAR} in their
// config files) and always-auth. It holds no token, but may hold the
// user's other settings: mode 0600, in the cache directory.
func (a *App) npmUserConfig(t tools.Target) (string, error) {
	env, err := a.toolEnv()
	if err != nil {
		return "", err
	}
	c, err := a.cache()
	if err != nil {
		return "", err
	}
	userrc := filepath.Join(env.Home, ".npmrc")
	if p := a.getenv("NPM_CONFIG_USERCONFIG"); p != "" && !strings.HasPrefix(p, c.Dir+string(filepath.Separator)) {
		userrc = p // but not one arca generated before, in this shell
	}
	old, err := fileedit.Read(userrc)
	if err != nil {
		return "", err
	}
	ref := t
	ref.Token = "${" + TokenVar + "}"
	npm, _ := tools.Lookup("npm")
	files, err := npm.Files(tools.Env{Home: env.Home, ConfigDir: env.ConfigDir, Getenv: func(string) string { return "" }}, ref)
	if err != nil {
		return "", err
	}
	content, err := files[0].Edit(old)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256([]byte(userrc + "\n" + t.Endpoint))
	path := filepath.Join(c.Dir, "npmrc-"+hex.EncodeToString(h[:])[:16])
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return "", err
	}
	return path, fileedit.WriteFile(path, content, 0o600)
}

// shells quote one variable assignment per shell.
var shells = map[string]func(name, value string) string{
	"":     shExport,
	"sh":   shExport,
	"bash": shExport,
	"zsh":  shExport,
	"fish": func(n, v string) string {
		return "set -gx " + n + " '" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "';"
	},
	"powershell": func(n, v string) string {
		return "$env:" + n + " = '" + strings.ReplaceAll(v, "'", "''") + "'"
	},
}

func shExport(n, v string) string {
	return "export " + n + "='" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// Exec runs argv with the environment for a tool and returns its exit
// code. Signals that would stop arca are passed on to the command.
func (a *App) Exec(ctx context.Context, f Flags, toolName string, argv []string, environ []string) (int, error) {
	if len(argv) == 0 {
		return 2, errors.New("nothing to run: arca exec [--tool TOOL] -- COMMAND [ARGS...]")
	}
	prog, err := exec.LookPath(argv[0])
	if err != nil {
		return 127, fmt.Errorf("%s: command not found", argv[0])
	}
	vars, _, _, err := a.environment(ctx, f, toolName)
	if err != nil {
		return 1, err
	}
	cmd := exec.Command(prog, argv[1:]...)
	cmd.Env = mergeEnv(environ, vars)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = a.Stdin, a.Stdout, a.Stderr
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return 126, fmt.Errorf("%s: %v", argv[0], err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	}
	if err != nil {
		return 1, err
	}
	return 0, nil
}

// mergeEnv returns environ with vars set over it.
func mergeEnv(environ []string, vars []tools.Var) []string {
	set := map[string]bool{}
	for _, v := range vars {
		set[v.Name] = true
	}
	var out []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if !set[k] {
			out = append(out, kv)
		}
	}
	for _, v := range vars {
		out = append(out, v.Name+"="+v.Value)
	}
	return out
}
