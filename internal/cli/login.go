package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/cli/fileedit"
	"github.com/arcahq/arca/internal/cli/profile"
	"github.com/arcahq/arca/internal/cli/tools"
	"github.com/arcahq/arca/internal/cli/undo"
)

// LoginOptions are the options of `arca login` beyond Flags.
type LoginOptions struct {
	Tool      string
	Namespace string
	DryRun    bool
	Mirror    bool
	// RegistryName names cargo's registry.
	RegistryName string
}

// Login configures a tool for a repository: it fetches a token and the
// repository's endpoint, computes the new content of every file the tool
// reads, and writes them all, or with DryRun prints what would change.
// It saves the settings given as flags in the chosen profile.
func (a *App) Login(ctx context.Context, f Flags, o LoginOptions) error {
	if o.Tool == "" {
		return fmt.Errorf("--tool is required; one of: %s", strings.Join(tools.Names(), ", "))
	}
	tool, err := tools.Lookup(o.Tool)
	if err != nil {
		return err
	}
	if o.Tool == "yarn" {
		if tool, err = a.whichYarn(tool, o.DryRun); err != nil {
			return err
		}
	}
	if o.Namespace != "" && !tool.Namespace {
		return fmt.Errorf("--namespace applies to npm, pnpm, yarn and swift, not %s", tool.Name)
	}
	if !o.DryRun {
		if _, err := a.requireProgram(tool); err != nil {
			return err
		}
	}
	r, err := a.resolve(f, true)
	if err != nil {
		return err
	}
	repo, err := r.repositoryFor(f, tool, o.Tool)
	if err != nil {
		return err
	}
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	s, err := a.newSession(ctx, r.Settings)
	if err != nil {
		return err
	}
	// Credentials first, then the endpoint (which finds a missing
	// repository), and only then the token, which is cached.
	if _, err := s.principal(ctx); err != nil {
		return err
	}
	endpoint, err := s.repositoryEndpoint(ctx, repo, tool.Format)
	if err != nil {
		return fmt.Errorf("%v; %s was not configured, nothing was written", err, tool.Name)
	}
	tok, err := s.freshToken(ctx)
	if err != nil {
		return err
	}
	target := tools.Target{
		Endpoint: endpoint, Domain: r.Domain, Owner: r.Owner, Repository: repo,
		Namespace: o.Namespace, Mirror: o.Mirror, RegistryName: o.RegistryName,
	}
	if !tool.Helper {
		target.Token = tok.Value
	}
	if target.Helper, err = a.helperArgs(s, helperExtra(tool)...); err != nil {
		return err
	}
	env, err := a.toolEnv()
	if err != nil {
		return err
	}
	if tool.SourcesCommand != nil {
		target.Sources = a.toolSources(tool)
	}
	changes, notes, err := plan(tool, env, target)
	if err != nil {
		return err
	}
	if o.DryRun {
		a.printPlan(tool, target, changes, notes, tok.Value)
		return nil
	}
	if err := a.apply(undo.Key(r.name, o.Tool), changes); err != nil {
		return fmt.Errorf("writing the configuration of %s: %v (nothing was changed)", tool.Name, err)
	}
	a.saveProfile(r, f, o.Tool, tool.Format, repo, s.endpoint)
	a.printDone(tool, target, changes, notes, tok.Expiration)
	return nil
}

// helperExtra are the flags a tool's helper needs besides the domain's.
func helperExtra(t *tools.Tool) []string {
	if t.Name == "pnpm" {
		// pnpm sends what the helper prints as the Authorization header.
		return []string{"--format", "bearer"}
	}
	return nil
}

// plan computes every file's new content, and the notes on what it keeps
// or replaces of the user's settings; nothing is written.
func plan(tool *tools.Tool, env tools.Env, t tools.Target) ([]fileedit.Change, []string, error) {
	files, err := tool.Files(env, t)
	if err != nil {
		return nil, nil, err
	}
	var changes []fileedit.Change
	var notes []string
	for _, f := range files {
		old, err := fileedit.Read(f.Path)
		if err != nil {
			return nil, nil, fmt.Errorf("reading %s: %v", f.Path, err)
		}
		nb, err := f.Edit(old)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v (nothing was changed)", f.Path, err)
		}
		if f.Notes != nil {
			for _, n := range f.Notes(old, nb) {
				notes = append(notes, f.Path+": "+n)
			}
		}
		mode := f.Mode
		if f.Secret {
			mode = 0o600
		}
		changes = append(changes, fileedit.Change{Path: f.Path, Old: old, New: nb, Mode: mode, Secret: f.Secret})
	}
	return changes, notes, nil
}

// toolSources asks the installed tool which sources it uses now. When it
// cannot tell, login warns: it would keep only the sources in the files.
func (a *App) toolSources(tool *tools.Tool) []string {
	cmd := tool.SourcesCommand
	path, err := a.lookPath(cmd[0])
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var out []byte
		if out, err = exec.CommandContext(ctx, path, cmd[1:]...).Output(); err == nil {
			return tools.ParseSources(string(out))
		}
	}
	a.warnf("`%s` failed (%v): only the sources in %s's files are kept", strings.Join(cmd, " "), err, tool.Name)
	return nil
}

// whichYarn picks yarn 1 (which reads .npmrc) or yarn 2+ (.yarnrc.yml) by
// asking the installed yarn its version.
func (a *App) whichYarn(classic *tools.Tool, dryRun bool) (*tools.Tool, error) {
	path, err := a.requireProgram(classic)
	if err != nil {
		if dryRun {
			return classic, nil
		}
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, path, "--version")
	cmd.Env = yarnEnv(path, os.Environ())
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	v := strings.TrimSpace(string(out))
	if err != nil || v == "" {
		why := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(why, '\n'); i >= 0 {
			why = why[:i]
		}
		return nil, fmt.Errorf("`%s --version`, run to tell yarn 1 from yarn 2+, failed (%v: %s); fix yarn, or choose with --tool yarn-classic or --tool yarn-berry", path, err, why)
	}
	if strings.HasPrefix(v, "0.") || strings.HasPrefix(v, "1.") {
		return classic, nil
	}
	return tools.Lookup("yarn-berry")
}

// debianNodeModules is where Debian installs the node modules its yarnpkg
// needs, which node finds only through NODE_PATH.
const debianNodeModules = "/usr/share/nodejs"

// yarnEnv is the environment to run yarn at path in: Debian's yarnpkg
// (a script under /usr/share/nodejs) crashes without its modules on
// NODE_PATH, which Debian does not set.
func yarnEnv(path string, environ []string) []string {
	if r, err := filepath.EvalSymlinks(path); err != nil || !strings.HasPrefix(r, debianNodeModules+"/") {
		return environ
	}
	out := make([]string, 0, len(environ)+1)
	nodePath := debianNodeModules
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "NODE_PATH="); ok {
			if slices.Contains(filepath.SplitList(v), debianNodeModules) {
				return environ
			}
			if v != "" {
				nodePath = v + string(filepath.ListSeparator) + debianNodeModules
			}
			continue
		}
		out = append(out, kv)
	}
	return append(out, "NODE_PATH="+nodePath)
}

// printPlan shows what a login would change, with the token redacted.
func (a *App) printPlan(tool *tools.Tool, t tools.Target, changes []fileedit.Change, notes []string, token string) {
	w := a.Stdout
	fmt.Fprintf(w, "Dry run: arca login --tool %s would configure %s for %s\n", tool.Name, tool.Name, t.Endpoint)
	for _, c := range changes {
		if !c.Changed() {
			fmt.Fprintf(w, "%s: unchanged\n", c.Path)
			continue
		}
		verb := "update"
		if c.Old == nil {
			verb = "create"
		}
		fmt.Fprintf(w, "%s %s (mode %#o):\n", verb, c.Path, modeOf(c))
		writeDiff(w, redact(string(c.Old), token), redact(string(c.New), token))
	}
	for _, n := range notes {
		fmt.Fprintln(w, redact(n, token))
	}
	if tool.Commands != nil {
		fmt.Fprintln(w, "Equivalent commands:")
		for _, cmd := range tool.Commands(withToken(t, token)) {
			fmt.Fprintln(w, "  "+redact(cmd, token))
		}
	}
}

func withToken(t tools.Target, tok string) tools.Target {
	if t.Token == "" {
		t.Token = tok
	}
	return t
}

func modeOf(c fileedit.Change) os.FileMode {
	if c.Secret {
		return 0o600
	}
	if fi, err := os.Stat(c.Path); err == nil {
		return fi.Mode().Perm()
	}
	if c.Mode == 0 {
		return 0o644
	}
	return c.Mode
}

// printDone reports a login like the AWS CLI does.
func (a *App) printDone(tool *tools.Tool, t tools.Target, changes []fileedit.Change, notes []string, exp time.Time) {
	w := a.Stdout
	fmt.Fprintf(w, "Successfully configured %s to use repository %s\n", tool.Name, t.Endpoint)
	for _, c := range changes {
		state := "wrote"
		if !c.Changed() {
			state = "unchanged"
		}
		fmt.Fprintf(w, "  %s %s\n", state, c.Path)
	}
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	if tool.Helper {
		fmt.Fprintf(w, "%s gets a current token from `arca credential` whenever it needs one: no token was written.\n", tool.Name)
		return
	}
	fmt.Fprintf(w, "Login expires in %s at %s\n", expiresIn(exp.Sub(a.now())), exp.UTC().Format("2006-01-02 15:04:05-07:00"))
}

// saveProfile records the settings given as flags in the profile, so that
// later commands can leave them out. A failure only warns: the login
// itself worked.
func (a *App) saveProfile(r resolved, f Flags, tool, format, repo, endpoint string) {
	path, err := a.profilePath()
	if err != nil {
		a.warnf("profile not saved: %v", err)
		return
	}
	p := profile.Profile{
		Endpoint: f.Endpoint, Region: f.Region, AWSProfile: f.AWSProfile,
		Domain: f.Domain, DomainOwner: f.Owner,
		Repositories: map[string]string{tool: repo},
		Formats:      map[string]string{format: repo},
	}
	if !r.exists && p.Endpoint == "" {
		p.Endpoint = endpoint
	}
	if _, err := profile.Save(path, r.name, p); err != nil {
		a.warnf("profile not saved: %v", err)
	}
}
