package tools

import (
	"fmt"
	"path/filepath"
	"strings"
)

// NuGet (NuGet.exe) and dotnet: a package source named "<domain>/<repo>"
// whose URL is the endpoint's v3/index.json, with credentials aws and the
// token. NuGet asks for credentials only after a 401.

// nugetSourceName is the source's name, as `aws codeartifact login` names it.
func nugetSourceName(t Target) string { return t.Domain + "/" + t.Repository }

// nugetSourceURL is the service index of the endpoint.
func nugetSourceURL(t Target) string { return t.Endpoint + "v3/index.json" }

// xmlEncodeName encodes a string as an XML element name, as .NET's
// XmlConvert.EncodeLocalName does ("my-domain/my-repo" becomes
// "my-domain_x002F_my-repo"): NuGet names a source's credentials element so.
func xmlEncodeName(s string) string {
	var b strings.Builder
	for i, r := range s {
		ok := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' ||
			i > 0 && (r >= '0' && r <= '9' || r == '-' || r == '.')
		if r == '_' && strings.HasPrefix(s[i:], "_x") {
			ok = false
		}
		if ok {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, "_x%04X_", r)
		}
	}
	return b.String()
}

// NuGetConfig sets the package source and its credentials (a clear-text
// password: NuGet encrypts passwords only on Windows) in a NuGet.Config.
func NuGetConfig(old []byte, t Target) ([]byte, error) {
	doc := string(old)
	if strings.TrimSpace(doc) == "" {
		doc = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n</configuration>\n"
	}
	name := nugetSourceName(t)
	add := []string{`<add key="` + xmlEscape(name) + `" value="` + xmlEscape(nugetSourceURL(t)) + `" />`}
	var err error
	doc, err = xmlSetListItem(doc, "configuration", "packageSources", "add", false, func(e *xmlNode) bool {
		k, _ := e.attr("key")
		return strings.EqualFold(k, name)
	}, add)
	if err != nil {
		return nil, err
	}
	elem := xmlEncodeName(name)
	creds := []string{
		"<" + elem + ">",
		`  <add key="Username" value="aws" />`,
		`  <add key="ClearTextPassword" value="` + xmlEscape(t.Token) + `" />`,
		"</" + elem + ">",
	}
	doc, err = xmlSetListItem(doc, "configuration", "packageSourceCredentials", elem, false, func(*xmlNode) bool { return true }, creds)
	if err != nil {
		return nil, err
	}
	return []byte(doc), nil
}

// NuGetPluginSourceVar names, for arca exec, the endpoint whose
// credentials arca gives as NuGet's credential provider plugin.
const NuGetPluginSourceVar = "ARCA_NUGET_PLUGIN_SOURCE"

// nugetVars make arca (t.Helper[0]) the credential provider plugin of
// NuGet for the endpoint (NUGET_PLUGIN_PATHS, which replaces the plugins
// NuGet would otherwise find), which answers with the token of
// CODEARTIFACT_AUTH_TOKEN; clients from NuGet 6 on also read the
// source's credentials from NuGetPackageSourceCredentials_<source>.
func nugetVars(t Target) []Var {
	vars := []Var{{
		Name:   "NuGetPackageSourceCredentials_" + nugetSourceName(t),
		Value:  "Username=aws;Password=" + t.Token,
		Secret: true,
	}}
	if len(t.Helper) > 0 {
		vars = append(vars, Var{Name: "NUGET_PLUGIN_PATHS", Value: t.Helper[0]}, Var{Name: NuGetPluginSourceVar, Value: t.Endpoint})
	}
	return vars
}

// nugetTool is NuGet.exe, whose user configuration on Linux and macOS is
// ~/.config/NuGet/NuGet.Config.
func nugetTool() *Tool {
	return &Tool{
		Name: "nuget", Format: "nuget", Programs: []string{"nuget"},
		Files: func(env Env, t Target) ([]File, error) {
			return []File{{Path: filepath.Join(env.xdgConfig(), "NuGet", "NuGet.Config"), Secret: true, Edit: func(old []byte) ([]byte, error) {
				return NuGetConfig(old, t)
			}}}, nil
		},
		Vars: nugetVars,
		Commands: func(t Target) []string {
			return []string{shellJoin([]string{"nuget", "sources", "add", "-name", nugetSourceName(t), "-source", nugetSourceURL(t), "-username", "aws", "-password", t.Token})}
		},
	}
}

// dotnetTool is the dotnet CLI, whose user configuration on Linux and
// macOS is ~/.nuget/NuGet/NuGet.Config.
func dotnetTool() *Tool {
	return &Tool{
		Name: "dotnet", Format: "nuget", Programs: []string{"dotnet"},
		Files: func(env Env, t Target) ([]File, error) {
			return []File{{Path: filepath.Join(env.Home, ".nuget", "NuGet", "NuGet.Config"), Secret: true, Edit: func(old []byte) ([]byte, error) {
				return NuGetConfig(old, t)
			}}}, nil
		},
		Vars: nugetVars,
		Commands: func(t Target) []string {
			return []string{shellJoin([]string{"dotnet", "nuget", "add", "source", nugetSourceURL(t), "--name", nugetSourceName(t), "--username", "aws", "--password", t.Token, "--store-password-in-clear-text"})}
		},
	}
}
