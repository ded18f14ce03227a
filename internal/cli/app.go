package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/cli/creds"
	"github.com/arcahq/arca/internal/cli/profile"
	"github.com/arcahq/arca/internal/cli/tools"
)

// App is what the commands need from the outside world, injectable for
// tests.
type App struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads the environment; os.Getenv when nil.
	Getenv func(string) string
	// LookPath finds programs; exec.LookPath when nil.
	LookPath func(string) (string, error)
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Executable is the path of the arca binary credential helpers run;
	// os.Executable() when empty.
	Executable string
	// Home, ConfigDir and CacheDir override the user's directories, and
	// Dir the current directory.
	Home, ConfigDir, CacheDir, Dir string

	// fileEndpoint is the endpoint of the chosen arca profile.
	fileEndpoint string
}

// NewApp returns an App on the process's standard streams.
func NewApp() *App {
	return &App{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
}

func (a *App) getenv(k string) string {
	if a.Getenv != nil {
		return a.Getenv(k)
	}
	return os.Getenv(k)
}

func (a *App) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

func (a *App) lookPath(name string) (string, error) {
	if a.LookPath != nil {
		return a.LookPath(name)
	}
	return exec.LookPath(name)
}

func (a *App) warnf(format string, args ...any) {
	fmt.Fprintf(a.Stderr, "arca: warning: "+format+"\n", args...)
}

func (a *App) home() (string, error) {
	if a.Home != "" {
		return a.Home, nil
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home directory: %w", err)
	}
	return h, nil
}

func (a *App) configDir() (string, error) {
	if a.ConfigDir != "" {
		return a.ConfigDir, nil
	}
	return os.UserConfigDir()
}

func (a *App) profilePath() (string, error) {
	d, err := a.configDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory for profiles: %w", err)
	}
	return filepath.Join(d, "arca", "config.json"), nil
}

func (a *App) cache() (*creds.Cache, error) {
	dir := ""
	if a.CacheDir != "" {
		dir = filepath.Join(a.CacheDir, "arca")
	} else {
		d, err := creds.DefaultDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	return &creds.Cache{Dir: dir, Now: a.Now}, nil
}

func (a *App) executable() (string, error) {
	if a.Executable != "" {
		return a.Executable, nil
	}
	p, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("cannot find the arca binary for the credential helper: %w", err)
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return p, nil
}

// toolEnv is where the tools' files are.
func (a *App) toolEnv() (tools.Env, error) {
	h, err := a.home()
	if err != nil {
		return tools.Env{}, err
	}
	cd, err := a.configDir()
	if err != nil {
		return tools.Env{}, err
	}
	dir := a.Dir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	return tools.Env{Home: h, ConfigDir: cd, Dir: dir, Getenv: a.getenv}, nil
}

// Flags are the settings every command takes as flags; empty ones are
// unset.
type Flags struct {
	Profile    string
	Endpoint   string
	Region     string
	AWSProfile string
	Domain     string
	Owner      string
	Repository string
	Duration   int64
}

// resolved is the merged view of flags and the chosen profile.
type resolved struct {
	Settings
	name    string          // the profile's name
	profile profile.Profile // the profile as saved
	exists  bool            // whether the profile exists in the file
}

// resolve merges flags over the chosen profile (--profile, else
// ARCA_PROFILE, else "default"). A profile chosen by name must exist
// unless create is set.
func (a *App) resolve(f Flags, create bool) (resolved, error) {
	name, explicit, err := a.profileName(f)
	if err != nil {
		return resolved{}, err
	}
	path, err := a.profilePath()
	if err != nil {
		return resolved{}, err
	}
	file, err := profile.Load(path)
	if err != nil {
		return resolved{}, err
	}
	p, ok := file.Profiles[name]
	if !ok && explicit && !create {
		return resolved{}, fmt.Errorf("profile %q not found in %s (arca login --profile %s ... creates it)", name, path, name)
	}
	r := resolved{name: name, profile: p, exists: ok}
	m := p.Merge(profile.Profile{Region: f.Region, AWSProfile: f.AWSProfile, Domain: f.Domain, DomainOwner: f.Owner})
	r.Settings = Settings{
		Profile: name, Endpoint: f.Endpoint, Region: m.Region, AWSProfile: m.AWSProfile,
		Domain: m.Domain, Owner: m.DomainOwner, Duration: f.Duration,
	}
	a.fileEndpoint = p.Endpoint
	if r.Domain == "" {
		return resolved{}, fmt.Errorf("no domain: pass --domain (or save one in the profile with arca login --domain ...)")
	}
	if f.Duration != 0 && (f.Duration < 900 || f.Duration > 43200) {
		return resolved{}, fmt.Errorf("--duration-seconds must be between 900 and 43200, not %d", f.Duration)
	}
	return r, nil
}

// profileName returns the chosen profile's name: --profile, else
// ARCA_PROFILE, else "default"; explicit unless it is the default.
func (a *App) profileName(f Flags) (name string, explicit bool, err error) {
	name = f.Profile
	if name == "" {
		name = a.getenv("ARCA_PROFILE")
	}
	explicit = name != ""
	if name == "" {
		name = profile.Default
	}
	return name, explicit, profile.CheckName(name)
}

// statePath is the file where login records what it changed, for logout.
func (a *App) statePath() (string, error) {
	d, err := a.configDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory for the login records: %w", err)
	}
	return filepath.Join(d, "arca", "logins.json"), nil
}

// repositoryFor returns the repository for tool: the flag, else the
// profile's for the tool or its format.
func (r resolved) repositoryFor(f Flags, tool *tools.Tool, name string) (string, error) {
	if f.Repository != "" {
		return f.Repository, nil
	}
	if repo := r.profile.RepositoryFor(name, tool.Format); repo != "" {
		return repo, nil
	}
	return "", fmt.Errorf("no repository for %s: pass --repository (or save one in the profile with arca login --tool %s --repository ...)", name, name)
}

// helperArgs is the command line of `arca credential` for the resolved
// domain, with every setting spelt out so it works from any environment
// that has the AWS credentials.
func (a *App) helperArgs(s *session, extra ...string) ([]string, error) {
	exe, err := a.executable()
	if err != nil {
		return nil, err
	}
	args := []string{exe, "credential", "--endpoint-url", s.endpoint, "--domain", s.settings.Domain}
	if s.settings.Owner != "" {
		args = append(args, "--domain-owner", s.settings.Owner)
	}
	if s.settings.Region != "" {
		args = append(args, "--region", s.settings.Region)
	}
	if s.settings.AWSProfile != "" {
		args = append(args, "--aws-profile", s.settings.AWSProfile)
	}
	if s.settings.Duration > 0 {
		args = append(args, "--duration-seconds", fmt.Sprint(s.settings.Duration))
	}
	return append(args, extra...), nil
}

// codeartifactFormat names a repository format for the API.
func codeartifactFormat(f string) types.PackageFormat {
	return types.PackageFormat(f)
}

// requireProgram fails unless one of the tool's programs is on PATH.
func (a *App) requireProgram(t *tools.Tool) (string, error) {
	for _, p := range t.Programs {
		if path, err := a.lookPath(p); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%s is not installed (no %s on PATH); install it, or run with --dry-run to see what would be written", t.Name, strings.Join(t.Programs, " or "))
}

// withTimeout bounds one command's calls to the server.
func withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 60*time.Second)
}
