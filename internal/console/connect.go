package console

import (
	"net/http"
	"strings"

	"github.com/arcahq/arca/internal/cli/tools"
	"github.com/arcahq/arca/internal/errkind"
)

// Connection instructions, as the AWS console's "View connection
// instructions" gives them, for every tool Arca configures: the
// `aws codeartifact login` command where AWS has one, the `arca login`
// command, and the manual configuration: the files `arca login` would
// write (package tools computes them, with the token read from the
// CODEARTIFACT_AUTH_TOKEN variable by the tools that expand variables, and
// a placeholder for the others) and the commands `aws codeartifact login`
// runs.

// awsLoginTools are the tools `aws codeartifact login` configures.
var awsLoginTools = map[string]bool{"npm": true, "pip": true, "twine": true, "dotnet": true, "nuget": true, "swift": true}

// envTokens are how the tools that expand environment variables in their
// configuration refer to CODEARTIFACT_AUTH_TOKEN (npm's .npmrc, which
// pnpm and yarn 1 read, yarn 2+'s .yarnrc.yml, Maven's settings.xml); the
// others' files show tokenPlaceholder, for the token itself.
var envTokens = map[string]string{
	"npm": "${CODEARTIFACT_AUTH_TOKEN}", "pnpm": "${CODEARTIFACT_AUTH_TOKEN}", "yarn": "${CODEARTIFACT_AUTH_TOKEN}",
	"yarn-classic": "${CODEARTIFACT_AUTH_TOKEN}", "yarn-berry": "${CODEARTIFACT_AUTH_TOKEN}",
	"maven": "${env.CODEARTIFACT_AUTH_TOKEN}",
}

const tokenPlaceholder = "<token>"

type instructions struct {
	Tools       []link
	Tool        string
	Format      string
	Endpoint    string
	AWSLogin    string
	ArcaLogin   string
	TokenExport string
	Commands    []string
	Files       []configFile
	Helper      bool
	// FromEnv is set when the files read the token from the environment;
	// else they show tokenPlaceholder.
	FromEnv bool
	Problem string
}

type configFile struct {
	Path    string
	Content string
}

func (c *Console) connect(w http.ResponseWriter, r *http.Request, s *session) {
	name := r.URL.Query().Get("tool")
	if name == "" {
		name = "npm"
	}
	tool, err := tools.Lookup(name)
	if err != nil {
		c.fail(w, r, s, errkind.Validationf("%v", err))
		return
	}
	owner, domain, repo := r.PathValue("owner"), r.PathValue("domain"), r.PathValue("repo")
	in := repoIn(r)
	in["format"] = tool.Format
	var ep struct {
		RepositoryEndpoint string `json:"repositoryEndpoint"`
	}
	if err := c.invoke(r.Context(), s, "GetRepositoryEndpoint", in, &ep); err != nil {
		c.fail(w, r, s, err)
		return
	}
	d := instructions{Tool: tool.Name, Format: tool.Format, Endpoint: ep.RepositoryEndpoint, Helper: tool.Helper}
	base := repoPath(owner, domain, repo) + "/connect?tool="
	for _, n := range tools.Names() {
		d.Tools = append(d.Tools, link{n, base + n})
	}
	target := []string{"--domain", domain, "--domain-owner", owner, "--repository", repo}
	endpoint := []string{"--endpoint-url", c.cfg.PublicURL}
	if awsLoginTools[tool.Name] {
		d.AWSLogin = shell(append(append([]string{"aws", "codeartifact", "login", "--tool", tool.Name}, target...), endpoint...))
	}
	d.ArcaLogin = shell(append(append([]string{"arca", "login", "--tool", tool.Name}, target...), endpoint...))
	d.TokenExport = "export CODEARTIFACT_AUTH_TOKEN=$(" + shell(append([]string{"aws", "codeartifact", "get-authorization-token",
		"--domain", domain, "--domain-owner", owner, "--query", "authorizationToken", "--output", "text"}, endpoint...)) + ")"

	token, fromEnv := envTokens[tool.Name]
	if !fromEnv {
		token = tokenPlaceholder
	}
	d.FromEnv = fromEnv
	t := tools.Target{Endpoint: ep.RepositoryEndpoint, Domain: domain, Owner: owner, Repository: repo, Token: token,
		Helper: append([]string{"arca", "credential", "--domain", domain, "--domain-owner", owner}, endpoint...)}
	if tool.Commands != nil {
		d.Commands = tool.Commands(t)
	}
	files, err := tool.Files(tools.Env{Home: "~", ConfigDir: "~/.config"}, t)
	if err != nil {
		d.Problem = err.Error()
	}
	for _, f := range files {
		b, err := f.Edit(nil)
		if err != nil {
			d.Problem = err.Error()
			continue
		}
		d.Files = append(d.Files, configFile{f.Path, string(b)})
	}
	c.render(w, r, http.StatusOK, "connect", page{Title: "Connection instructions", Session: s,
		Crumbs: append(repoCrumbs(r), link{"Connection instructions", ""}), Data: d})
}

// shell joins args into a command line for a POSIX shell.
func shell(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = tools.ShellQuote(a)
	}
	return strings.Join(out, " ")
}
