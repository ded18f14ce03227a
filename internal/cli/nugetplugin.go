package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/arcahq/arca/internal/cli/tools"
)

// arca exec --tool nuget|dotnet makes arca the NuGet credential provider
// of the command it runs, so that no token is written to a file: it sets
// NUGET_PLUGIN_PATHS to the arca binary, which NuGet starts as
// `arca -Plugin` when a source answers 401, and
// tools.NuGetPluginSourceVar to the repository endpoint. The plugin answers NuGet's requests for
// credentials of URLs under that endpoint with aws and the token of
// CODEARTIFACT_AUTH_TOKEN, both inherited from arca exec through NuGet.
// (NuGet.exe 5.8 on Mono, the NuGet client tested here, ignores the
// NuGetPackageSourceCredentials_<source> variables that newer clients
// read, and runs plugins without checking a signature.)

// IsNuGetPlugin reports whether NuGet started arca as a credential
// provider plugin: NuGet runs a plugin with the single argument -Plugin.
func IsNuGetPlugin(args []string) bool {
	return len(args) == 1 && args[0] == "-Plugin"
}

// nugetMessage is a message of NuGet's cross-platform plugin protocol
// (protocol version 2.0.0): one JSON object a line on stdin and stdout,
// requests and responses matched by RequestId. Both sides send a
// Handshake request at the start.
type nugetMessage struct {
	RequestID string          `json:"RequestId"`
	Type      string          `json:"Type"`
	Method    string          `json:"Method"`
	Payload   json.RawMessage `json:"Payload,omitempty"`
}

// nugetProtocolVersion is the plugin protocol version spoken.
const nugetProtocolVersion = "2.0.0"

// NuGetPlugin speaks NuGet's plugin protocol on stdin and stdout until
// NuGet closes stdin or sends Close. It claims the Authentication
// operation only, and answers GetAuthenticationCredentials with the
// token of the environment for URLs under the endpoint of
// tools.NuGetPluginSourceVar, NotFound for any other.
func (a *App) NuGetPlugin(ctx context.Context) int {
	out := json.NewEncoder(a.Stdout)
	send := func(m nugetMessage) bool { return out.Encode(m) == nil }
	respond := func(req nugetMessage, payload any) bool {
		b, _ := json.Marshal(payload)
		return send(nugetMessage{RequestID: req.RequestID, Type: "Response", Method: req.Method, Payload: b})
	}
	in := bufio.NewReader(a.Stdin)
	for ctx.Err() == nil {
		line, err := in.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			var m nugetMessage
			if json.Unmarshal(line, &m) != nil {
				fmt.Fprintln(a.Stderr, "arca: NuGet plugin: unreadable message from NuGet")
				return 1
			}
			if m.Type == "Request" {
				if m.Method == "Close" {
					return 0
				}
				if !respond(m, a.nugetAnswer(m)) {
					return 1
				}
				if m.Method == "Handshake" && !send(nugetMessage{RequestID: rand.Text(), Type: "Request", Method: "Handshake",
					Payload: json.RawMessage(`{"ProtocolVersion":"` + nugetProtocolVersion + `","MinimumProtocolVersion":"1.0.0"}`)}) {
					return 1
				}
			}
			// Responses (to the plugin's handshake), progress and
			// cancellations need nothing.
		}
		if err != nil {
			return 0 // NuGet is done with the plugin
		}
	}
	return 0
}

// nugetAnswer is the payload answering a request of NuGet.
func (a *App) nugetAnswer(m nugetMessage) any {
	success := map[string]any{"ResponseCode": "Success"}
	switch m.Method {
	case "Handshake":
		success["ProtocolVersion"] = nugetProtocolVersion
		return success
	case "GetOperationClaims":
		return map[string]any{"Claims": []string{"Authentication"}}
	case "Initialize", "SetLogLevel", "MonitorNuGetProcessExit", "SetCredentials":
		return success
	case "GetAuthenticationCredentials":
		var req struct {
			URI string `json:"Uri"`
		}
		json.Unmarshal(m.Payload, &req)
		token := a.getenv(TokenVar)
		if token == "" || !underEndpoint(req.URI, a.getenv(tools.NuGetPluginSourceVar)) {
			return map[string]any{"ResponseCode": "NotFound", "Username": nil, "Password": nil, "Message": nil, "AuthenticationTypes": nil}
		}
		return map[string]any{"ResponseCode": "Success", "Username": "aws", "Password": token, "Message": nil, "AuthenticationTypes": []string{"basic"}}
	}
	return map[string]any{"ResponseCode": "NotFound"}
}

// underEndpoint reports whether u is the endpoint or below it (scheme and
// host compared without case).
func underEndpoint(u, endpoint string) bool {
	pu, err1 := url.Parse(u)
	pe, err2 := url.Parse(endpoint)
	if err1 != nil || err2 != nil || endpoint == "" || pu.User != nil {
		return false
	}
	return strings.EqualFold(pu.Scheme, pe.Scheme) && strings.EqualFold(pu.Host, pe.Host) &&
		strings.HasPrefix(pu.Path, strings.TrimSuffix(pe.Path, "/")+"/")
}
