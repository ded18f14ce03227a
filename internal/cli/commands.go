package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/arcahq/arca/internal/cli/profile"
)

// ExitError carries a command's exit code (arca exec passes on the
// command's) with an optional message.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Commands returns the client commands: login, logout, credential, env,
// exec, profile and gate.
func (a *App) Commands() []*cobra.Command {
	return []*cobra.Command{a.loginCommand(), a.logoutCommand(), a.credentialCommand(), a.envCommand(), a.execCommand(), a.profileCommand(), a.gateCommand(), a.eventsCommand()}
}

const toolsHelp = "npm, pnpm, yarn (yarn 1, or yarn 2+ when that is installed), yarn-classic, yarn-berry, pip, twine, uv, poetry, maven, gradle, cargo, nuget, dotnet, swift, gem, bundler"

func (a *App) loginCommand() *cobra.Command {
	var f Flags
	var o LoginOptions
	cmd := &cobra.Command{
		Use:   "login --tool TOOL --domain DOMAIN --repository REPOSITORY",
		Short: "Configure a package manager to use a repository",
		Long: `Configure a package manager to use a repository: fetch a token and the
repository's endpoint, and write the tool's configuration files.

npm, pip, twine, nuget, dotnet and swift get the same files and keys as
` + "`aws codeartifact login`" + ` writes. Tools that can ask for credentials
themselves (cargo, pnpm, gradle) get arca as their credential helper: they
fetch tokens on demand and no token is written. Other tools get the token in
their user-level configuration (mode 0600) until it expires.

Login refuses a format the server does not serve (GetRepositoryEndpoint
answers ValidationException), keeps your other sources and says which
settings it replaced; arca logout --tool TOOL takes back what it changed.

The settings given as flags are saved in the profile (--profile, default
"default"), so later commands can leave them out.

Tools: ` + toolsHelp + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.Login(cmd.Context(), f, o)
		},
	}
	fs := cmd.Flags()
	bindCommon(fs, &f)
	fs.StringVar(&o.Tool, "tool", "", "the package manager to configure: "+toolsHelp)
	fs.StringVar(&f.Repository, "repository", "", "repository name (default: the profile's for the tool)")
	fs.StringVar(&o.Namespace, "namespace", "", "npm scope (npm, pnpm, yarn) or swift scope: configure the repository for it only")
	fs.BoolVar(&o.DryRun, "dry-run", false, "print what would change (the token redacted) and write nothing")
	fs.BoolVar(&o.Mirror, "mirror", false, "maven: add a mirror of every repository; gradle: add the repository to every project; cargo: make it the default registry and replace crates-io")
	fs.StringVar(&o.RegistryName, "registry-name", "", "cargo: the registry's name in cargo's configuration (default: the repository's name)")
	return cmd
}

func (a *App) logoutCommand() *cobra.Command {
	var f Flags
	var tool string
	cmd := &cobra.Command{
		Use:   "logout --tool TOOL",
		Short: "Undo what arca login did to a package manager's configuration",
		Long: `Undo what arca login --tool TOOL (with the same --profile) changed: the
settings login replaced get their previous values back, the ones it added
are removed, and files it created are removed when nothing else is in them.
Every other line, including your own edits since the login, stays.

arca login records what it changed in the arca configuration directory
(logins.json): the previous lines, never a token. A previous line that held
a credential is not kept, so logout removes login's line and does not bring
the old credential back. The profile's settings stay.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.Logout(f, tool)
		},
	}
	cmd.Flags().StringVar(&f.Profile, "profile", "", "the arca profile login used (default: $ARCA_PROFILE, else \"default\")")
	cmd.Flags().StringVar(&tool, "tool", "", "the package manager to restore: "+toolsHelp)
	return cmd
}

func (a *App) credentialCommand() *cobra.Command {
	var f Flags
	var format string
	cmd := &cobra.Command{
		Use:   "credential --domain DOMAIN",
		Short: "Print a current authorization token for a domain",
		Long: `Print a current authorization token for a domain, for scripts and
credential helpers. Tokens are cached per principal, domain and endpoint in
the user's cache directory (mode 0600) and refreshed before they expire.

cargo runs arca as its credential provider (see arca login --tool cargo):
started as ` + "`arca --cargo-plugin`" + `, it speaks cargo's credential-provider
protocol.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.Credential(cmd.Context(), f, format)
		},
	}
	bindCommon(cmd.Flags(), &f)
	cmd.Flags().StringVar(&format, "format", "token", "token, bearer (\"Bearer TOKEN\") or json")
	return cmd
}

func (a *App) envCommand() *cobra.Command {
	var f Flags
	var tool, shell string
	cmd := &cobra.Command{
		Use:   "env [--tool TOOL]",
		Short: "Print the environment a tool reads, for eval",
		Long: `Print shell commands that set the environment a tool reads:
CODEARTIFACT_AUTH_TOKEN and, with --tool, the tool's own variables (index
URLs, credentials, registries). Use it as: eval "$(arca env --tool pip)".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.Env(cmd.Context(), f, tool, shell)
		},
	}
	bindCommon(cmd.Flags(), &f)
	cmd.Flags().StringVar(&tool, "tool", "", "the tool whose variables to print: "+toolsHelp)
	cmd.Flags().StringVar(&f.Repository, "repository", "", "repository name (default: the profile's for the tool)")
	cmd.Flags().StringVar(&shell, "shell", "sh", "sh (bash, zsh), fish or powershell")
	return cmd
}

func (a *App) execCommand() *cobra.Command {
	var f Flags
	var tool string
	cmd := &cobra.Command{
		Use:   "exec [--tool TOOL] -- COMMAND [ARGS...]",
		Short: "Run a command with a current token in its environment",
		Long: `Run a command with CODEARTIFACT_AUTH_TOKEN and, with --tool, the tool's own
variables set to a current token, writing no configuration (for npm, pnpm
and yarn 1, a token-free npm user config in the cache directory): for example
arca exec --tool npm -- npm install, or arca exec -- mvn deploy with a
settings.xml that reads ${env.CODEARTIFACT_AUTH_TOKEN}. For nuget and
dotnet, arca itself is the command's NuGet credential provider plugin
(NUGET_PLUGIN_PATHS): arca exec --tool nuget -- nuget push PKG -Source
ENDPOINTv3/index.json. Exits with the command's exit code.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			code, err := a.Exec(cmd.Context(), f, tool, args, os.Environ())
			if err != nil || code != 0 {
				return &ExitError{Code: max(code, 1), Err: err}
			}
			return nil
		},
	}
	cmd.Flags().SetInterspersed(false)
	bindCommon(cmd.Flags(), &f)
	cmd.Flags().StringVar(&tool, "tool", "", "the tool whose variables to set: "+toolsHelp)
	cmd.Flags().StringVar(&f.Repository, "repository", "", "repository name (default: the profile's for the tool)")
	return cmd
}

func (a *App) profileCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "List and show the arca profiles",
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the profiles",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			path, err := a.profilePath()
			if err != nil {
				return err
			}
			file, err := profile.Load(path)
			if err != nil {
				return err
			}
			for _, n := range file.Names() {
				fmt.Fprintln(a.Stdout, n)
			}
			return nil
		},
	}
	show := &cobra.Command{
		Use:   "show [NAME]",
		Short: "Show a profile (default: $ARCA_PROFILE, else \"default\") as JSON",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			path, err := a.profilePath()
			if err != nil {
				return err
			}
			file, err := profile.Load(path)
			if err != nil {
				return err
			}
			name := a.getenv("ARCA_PROFILE")
			if len(args) == 1 {
				name = args[0]
			}
			if name == "" {
				name = profile.Default
			}
			p, ok := file.Profiles[name]
			if !ok {
				return fmt.Errorf("profile %q not found in %s", name, path)
			}
			b, _ := json.MarshalIndent(p, "", "  ")
			fmt.Fprintln(a.Stdout, string(b))
			return nil
		},
	}
	cmd.AddCommand(list, show)
	return cmd
}

// ExitCode returns the exit code for an error returned by a command.
func ExitCode(err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return 1
}

// Message returns what to print for an error (empty when the command has
// already spoken, as a command run by arca exec that failed).
func Message(err error) string {
	var ee *ExitError
	if errors.As(err, &ee) && ee.Err == nil {
		return ""
	}
	return strings.TrimSpace(err.Error())
}
