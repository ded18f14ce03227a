package model

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	services := map[string]int{}
	for _, op := range m.Operations {
		services[op.Service]++
	}
	if services[ServiceCodeArtifact] != 48 || services[ServiceArca] != 12 || len(services) != 2 {
		t.Errorf("operations by service %v, want the model's 48 and Arca's 12", services)
	}
	if a := m.Operations["PutReleaseGate"].Action(); a != "arca:PutReleaseGate" {
		t.Errorf("PutReleaseGate authorizes %s", a)
	}
	// Every operation is reachable by its method and path, and no two
	// share one.
	for name, op := range m.Operations {
		got, ok := m.Route(op.HTTP.Method, op.HTTP.RequestURI)
		if !ok || got.Name != name {
			t.Errorf("route %s %s = %v, want %s", op.HTTP.Method, op.HTTP.RequestURI, got, name)
		}
	}
	if st, ok := m.ErrorStatus("ResourceNotFoundException"); !ok || st != 404 {
		t.Errorf("ResourceNotFoundException status %d %v", st, ok)
	}
}

func TestValidate(t *testing.T) {
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	num := func(s string) json.Number { return json.Number(s) }
	cases := []struct {
		shape string
		in    map[string]any
		want  []string // substrings of the summary; none means valid
	}{
		{"CreateDomainRequest", map[string]any{"domain": "my-domain"}, nil},
		{"CreateDomainRequest", map[string]any{}, []string{"1 validation error detected: Value null at 'domain' failed to satisfy constraint: Member must not be null"}},
		{"CreateDomainRequest", map[string]any{"domain": "My_Domain"}, []string{"Value 'My_Domain' at 'domain' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z][a-z0-9\\-]{0,48}[a-z0-9]"}},
		// Patterns match whole values: a valid name inside is not enough.
		{"CreateDomainRequest", map[string]any{"domain": "ab-"}, []string{"regular expression pattern"}},
		{"CreateDomainRequest", map[string]any{"domain": strings.Repeat("a", 51)}, []string{"Member must have length less than or equal to 50"}},
		{"GetAuthorizationTokenRequest", map[string]any{"domain": "d1", "durationSeconds": num("99999")}, []string{"Value '99999' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"}},
		{"GetAuthorizationTokenRequest", map[string]any{"domain": "d1", "durationSeconds": "abc"}, []string{"Member must be a number"}},
		{"GetRepositoryEndpointRequest", map[string]any{"domain": "d1", "repository": "r1", "format": "bogus"}, []string{"Member must satisfy enum value set: [npm, pypi, maven, nuget, generic, ruby, swift, cargo]"}},
		{"ListDomainsRequest", map[string]any{"maxResults": num("0")}, []string{"Member must have value greater than or equal to 1"}},
		{"CreateRepositoryRequest", map[string]any{"domain": "d1", "repository": "r1", "upstreams": []any{map[string]any{"repositoryName": "x"}}}, []string{"at 'upstreams.1.member.repositoryName'", "length greater than or equal to 2"}},
		{"CreateRepositoryRequest", map[string]any{"repository": "r"}, []string{"3 validation errors detected", "at 'domain'", "at 'repository'"}},
		{"TagResourceRequest", map[string]any{"resourceArn": "arn:x", "tags": []any{map[string]any{"key": "k"}}}, []string{"Value null at 'tags.1.member.value'"}},
	}
	for _, c := range cases {
		vs := m.Validate(c.shape, c.in)
		if len(c.want) == 0 {
			if len(vs) != 0 {
				t.Errorf("%s %v: unexpected %s", c.shape, c.in, Summary(vs))
			}
			continue
		}
		if len(vs) == 0 {
			t.Errorf("%s %v: accepted", c.shape, c.in)
			continue
		}
		got := Summary(vs)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s %v:\n got %s\nwant %s", c.shape, c.in, got, w)
			}
		}
	}
}

// TestValidateRemembersOnlyMatches: a value that satisfied a pattern is
// remembered, and never lets another value through.
func TestValidateRemembersOnlyMatches(t *testing.T) {
	m, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, round := range []string{"first", "again"} {
		for _, c := range []struct {
			domain string
			valid  bool
		}{{"my-domain", true}, {"my-domain", true}, {"ab-", false}, {"my-domain-", false}, {"my-domain", true}, {"other", true}, {"My-domain", false}} {
			vs := m.Validate("CreateDomainRequest", map[string]any{"domain": c.domain})
			if valid := len(vs) == 0; valid != c.valid {
				t.Errorf("%s: domain %q valid = %v, want %v (%s)", round, c.domain, valid, c.valid, Summary(vs))
			}
		}
	}
}
