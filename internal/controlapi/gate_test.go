package controlapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// gateQuery is the query string naming a domain and, optionally, a group.
func gateQuery(kv ...string) string {
	q := url.Values{"domain": {dom}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return "?" + q.Encode()
}

func (s *scenario) gateCall(method, path, query, body string) (int, map[string]any) {
	s.t.Helper()
	r := s.do(rawRequest{method: method, target: path + query, body: body})
	var out map[string]any
	if err := json.Unmarshal(r.body, &out); err != nil {
		s.t.Fatalf("%s %s: %v: %s", method, path, err, r.body)
	}
	return r.status, out
}

// The release-age gate API: put, get (with inheritance), list, delete,
// the break-glass entries, and the errors of bad input, which change
// nothing.
func TestReleaseGateAPI(t *testing.T) {
	s := newPackageScenario(t, "repo")
	s.createGroup("/npm/*")
	s.createGroup("/npm/acme/*")

	st, out := s.gateCall(http.MethodPut, "/v1/release-gate", gateQuery("package-group", "/npm/*"),
		`{"minimumAgeSeconds":259200,"cutoff":"2026-09-15T00:00Z","missingTime":"BLOCK"}`)
	if st != 200 {
		t.Fatalf("PutReleaseGate: %d %v", st, out)
	}
	own := out["releaseGate"].(map[string]any)["own"].(map[string]any)
	if own["minimumAgeSeconds"] != 259200.0 || own["cutoff"] != "2026-09-15T00:00:00Z" || own["missingTime"] != "BLOCK" {
		t.Errorf("put answered %v", own)
	}

	// A child group inherits it.
	st, out = s.gateCall(http.MethodGet, "/v1/release-gate", gateQuery("package-group", "/npm/acme/*"), "")
	g := out["releaseGate"].(map[string]any)
	if st != 200 || g["own"] != nil || g["inheritedFrom"].(map[string]any)["pattern"] != "/npm/*" ||
		g["effective"].(map[string]any)["minimumAgeSeconds"] != 259200.0 {
		t.Errorf("GetReleaseGate of the child: %d %v", st, out)
	}

	// Bad input: the model's ValidationException, and nothing changes.
	for _, c := range []struct{ query, body, doing string }{
		{gateQuery("package-group", "/npm/*"), `{"minimumAgeSeconds":-1}`, "a negative age"},
		{gateQuery("package-group", "/npm/*"), `{"minimumAgeSeconds":999999999}`, "an age over a year"},
		{gateQuery("package-group", "/npm/*"), `{"cutoff":"next tuesday"}`, "a cut-off that is no time"},
		{gateQuery("package-group", "/npm/*"), `{"missingTime":"MAYBE"}`, "an unknown missing-time mode"},
		{gateQuery(), `{"minimumAgeSeconds":60}`, "no package group"},
	} {
		r := s.do(rawRequest{method: http.MethodPut, target: "/v1/release-gate" + c.query, body: c.body})
		r.wantAWSError(t, c.doing, 400, "ValidationException")
	}
	r := s.do(rawRequest{method: http.MethodPut, target: "/v1/release-gate" + gateQuery("package-group", "/pypi/*"), body: `{"minimumAgeSeconds":60}`})
	r.wantAWSError(t, "a group that does not exist", 404, "ResourceNotFoundException")
	_, out = s.gateCall(http.MethodGet, "/v1/release-gate", gateQuery("package-group", "/npm/*"), "")
	if out["releaseGate"].(map[string]any)["own"].(map[string]any)["minimumAgeSeconds"] != 259200.0 {
		t.Errorf("a refused put changed the gate: %v", out)
	}

	// Break-glass entries, listed with who made them.
	if st, out = s.gateCall(http.MethodPost, "/v1/release-gate/allowed-version", gateQuery("format", "npm", "package", "left-pad", "version", "2.0.0"), ""); st != 200 {
		t.Fatalf("AllowHeldVersion: %d %v", st, out)
	}
	r = s.do(rawRequest{method: http.MethodPost, target: "/v1/release-gate/allowed-version" + gateQuery("format", "maven", "package", "x")})
	r.wantAWSError(t, "a Maven package without a namespace", 400, "ValidationException")
	st, out = s.gateCall(http.MethodGet, "/v1/release-gates", gateQuery(), "")
	gates, _ := out["releaseGates"].([]any)
	allowed, _ := out["allowedVersions"].([]any)
	if st != 200 || len(gates) != 1 || len(allowed) != 1 {
		t.Fatalf("ListReleaseGates: %d %v", st, out)
	}
	if a := allowed[0].(map[string]any); a["package"] != "left-pad" || a["version"] != "2.0.0" || !strings.HasSuffix(a["createdBy"].(string), ":root") {
		t.Errorf("allowed version %v", a)
	}
	if st, _ = s.gateCall(http.MethodDelete, "/v1/release-gate/allowed-version", gateQuery("format", "npm", "package", "left-pad", "version", "2.0.0"), ""); st != 200 {
		t.Errorf("DisallowHeldVersion: %d", st)
	}
	r = s.do(rawRequest{method: http.MethodDelete, target: "/v1/release-gate/allowed-version" + gateQuery("format", "npm", "package", "left-pad", "version", "2.0.0")})
	r.wantAWSError(t, "removing an entry twice", 404, "ResourceNotFoundException")

	// Deleting the gate: the group inherits again (from nothing).
	if st, out = s.gateCall(http.MethodDelete, "/v1/release-gate", gateQuery("package-group", "/npm/*"), ""); st != 200 || out["releaseGate"].(map[string]any)["effective"] != nil {
		t.Errorf("DeleteReleaseGate: %d %v", st, out)
	}
	r = s.do(rawRequest{method: http.MethodDelete, target: "/v1/release-gate" + gateQuery("package-group", "/npm/*")})
	r.wantAWSError(t, "deleting a gate the group does not have", 404, "ResourceNotFoundException")

	// Held versions of a package with no registry behind it: none.
	if st, out = s.gateCall(http.MethodGet, "/v1/release-gate/held-versions", gateQuery("repository", "repo", "format", "npm", "package", "left-pad"), ""); st != 404 {
		t.Errorf("ListHeldVersions of a package found nowhere: %d %v", st, out)
	}
}
