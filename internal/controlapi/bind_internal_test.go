package controlapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// upper is a string that decodes itself.
type upper string

func (u *upper) UnmarshalText(b []byte) error { *u = upper(strings.ToUpper(string(b))); return nil }

type withPointer struct {
	*domainInput
	Asset string `json:"asset"`
}

// setStrings, where it decodes an input, decodes it as the JSON round
// trip does; where it could not, it declines and sets nothing.
func TestSetStringsAgreesWithJSON(t *testing.T) {
	type assetInput struct {
		versionInput
		Asset                  string `json:"asset"`
		PackageVersionRevision string `json:"packageVersionRevision"`
	}
	type withCount struct {
		domainInput
		MaxResults int `json:"maxResults"`
	}
	type withUpper struct {
		Name upper `json:"name"`
	}
	type twice struct {
		domainInput
		Domain string `json:"domain"` // shadows the embedded one
	}
	asset := map[string]any{"domain": "d", "domainOwner": "111122223333", "repository": "r", "format": "generic",
		"namespace": "ns", "package": "p", "packageVersion": "1.0.0", "asset": "a.bin"}
	for _, c := range []struct {
		name    string
		in      map[string]any
		dst     func() any
		decodes bool
	}{
		{"every member a string field", asset, func() any { return &assetInput{} }, true},
		{"a shadowed name", map[string]any{"domain": "d"}, func() any { return &twice{} }, true},
		{"a number", map[string]any{"domain": "d", "maxResults": 5.0}, func() any { return &withCount{} }, false},
		{"a number given as a string", map[string]any{"domain": "d", "maxResults": "5"}, func() any { return &withCount{} }, false},
		{"a member with no field", map[string]any{"domain": "d", "other": "x"}, func() any { return &domainInput{} }, false},
		{"a name in another case", map[string]any{"Domain": "d"}, func() any { return &domainInput{} }, false},
		{"a field that decodes itself", map[string]any{"name": "x"}, func() any { return &withUpper{} }, false},
		{"through a nil pointer", map[string]any{"domain": "d", "asset": "a"}, func() any { return &withPointer{} }, false},
		{"nothing", map[string]any{}, func() any { return &assetInput{} }, true},
	} {
		got, want := c.dst(), c.dst()
		b, _ := json.Marshal(c.in)
		wantErr := json.Unmarshal(b, want)
		decoded := setStrings(c.in, got)
		if decoded != c.decodes {
			t.Errorf("%s: setStrings decoded %v, want %v", c.name, decoded, c.decodes)
		}
		switch {
		case decoded && (wantErr != nil || !reflect.DeepEqual(got, want)):
			t.Errorf("%s: setStrings gave %+v, JSON %+v (%v)", c.name, got, want, wantErr)
		case !decoded && !reflect.DeepEqual(got, c.dst()):
			t.Errorf("%s: setStrings declined but set %+v", c.name, got)
		}
	}
}
