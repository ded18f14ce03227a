package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/cli/tools"
)

// TestNuGetPlugin drives the plugin with the messages NuGet.exe 5.8 sends
// (recorded from it): the symmetric handshake, then credentials for a URL
// under the endpoint (the token) and for another source (NotFound).
func TestNuGetPlugin(t *testing.T) {
	const endpoint = "http://127.0.0.1:8080/d-111122223333/nuget/r/"
	in := strings.Join([]string{
		`{"RequestId":"h1","Type":"Request","Method":"Handshake","Payload":{"ProtocolVersion":"2.0.0","MinimumProtocolVersion":"1.0.0"}}`,
		`{"RequestId":"x","Type":"Response","Method":"Handshake","Payload":{"ResponseCode":"Success","ProtocolVersion":"2.0.0"}}`,
		`{"RequestId":"i1","Type":"Request","Method":"Initialize","Payload":{"ClientVersion":"5.8.0","Culture":"en","RequestTimeout":"00:00:05"}}`,
		`{"RequestId":"c1","Type":"Request","Method":"GetOperationClaims","Payload":{}}`,
		`{"RequestId":"a1","Type":"Request","Method":"GetAuthenticationCredentials","Payload":{"Uri":"` + endpoint + `v3/index.json","IsRetry":false,"IsNonInteractive":true,"CanShowDialog":true}}`,
		`{"RequestId":"a2","Type":"Request","Method":"GetAuthenticationCredentials","Payload":{"Uri":"http://127.0.0.1:8080/d-111122223333/nuget/r2/v3/index.json"}}`,
		`{"RequestId":"a3","Type":"Request","Method":"GetAuthenticationCredentials","Payload":{"Uri":"http://other:8080/d-111122223333/nuget/r/v3/index.json"}}`,
		`{"RequestId":"z","Type":"Request","Method":"Close","Payload":{}}`,
		`{"RequestId":"never","Type":"Request","Method":"Initialize","Payload":{}}`,
	}, "\n") + "\n"
	a, out, _ := testApp(t)
	a.Stdin = strings.NewReader(in)
	a.Getenv = func(k string) string {
		return map[string]string{TokenVar: "tok-123", tools.NuGetPluginSourceVar: endpoint}[k]
	}
	if code := a.NuGetPlugin(context.Background()); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var got []nugetMessage
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var m nugetMessage
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%q: %v", sc.Text(), err)
		}
		got = append(got, m)
	}
	want := []struct{ id, typ, method, payload string }{
		{"h1", "Response", "Handshake", `{"ProtocolVersion":"2.0.0","ResponseCode":"Success"}`},
		{"", "Request", "Handshake", `{"ProtocolVersion":"2.0.0","MinimumProtocolVersion":"1.0.0"}`},
		{"i1", "Response", "Initialize", `{"ResponseCode":"Success"}`},
		{"c1", "Response", "GetOperationClaims", `{"Claims":["Authentication"]}`},
		{"a1", "Response", "GetAuthenticationCredentials", `{"AuthenticationTypes":["basic"],"Message":null,"Password":"tok-123","ResponseCode":"Success","Username":"aws"}`},
		{"a2", "Response", "GetAuthenticationCredentials", `{"AuthenticationTypes":null,"Message":null,"Password":null,"ResponseCode":"NotFound","Username":null}`},
		{"a3", "Response", "GetAuthenticationCredentials", `{"AuthenticationTypes":null,"Message":null,"Password":null,"ResponseCode":"NotFound","Username":null}`},
	}
	if len(got) != len(want) {
		t.Fatalf("%d messages, want %d:\n%s", len(got), len(want), out)
	}
	for i, w := range want {
		g := got[i]
		if (w.id != "" && g.RequestID != w.id) || (w.id == "" && g.RequestID == "") || g.Type != w.typ || g.Method != w.method || string(g.Payload) != w.payload {
			t.Errorf("message %d = %s %s %s %s, want %+v", i, g.RequestID, g.Type, g.Method, g.Payload, w)
		}
	}
	if !IsNuGetPlugin([]string{"-Plugin"}) || IsNuGetPlugin([]string{"exec", "-Plugin"}) {
		t.Error("IsNuGetPlugin")
	}
}
