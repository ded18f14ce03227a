package eventpattern_test

import (
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/eventpattern"
)

// event is the User Guide's example of a CodeArtifact event.
const event = `{
  "version": "0",
  "id": "73f03fec-a137-971e-6ac6-07c8ffffffff",
  "detail-type": "CodeArtifact Package Version State Change",
  "source": "aws.codeartifact",
  "account": "123456789012",
  "time": "2019-11-21T23:19:54Z",
  "region": "us-west-2",
  "resources": ["arn:aws:codeartifact:us-west-2:111122223333:package/my_domain/myrepo/npm//mypackage"],
  "detail": {
    "domainName": "my_domain",
    "domainOwner": "111122223333",
    "repositoryName": "myrepo",
    "packageFormat": "npm",
    "packageNamespace": null,
    "packageName": "mypackage",
    "packageVersion": "1.0.0",
    "packageVersionState": "Published",
    "packageVersionRevision": "0E5DE26A4CD79FDF3EBC4924FFFFFFFF",
    "changes": {"assetsAdded": 1, "assetsRemoved": 0, "metadataUpdated": true, "assetsUpdated": 0, "statusChanged": true},
    "operationType": "Created",
    "sequenceNumber": 1,
    "eventDeduplicationId": "2mEO0A2Ke07rWUTBXk3CAiQhdTXF4N94LNaT/ffffff="
  }
}`

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		want    bool
	}{
		{``, true},
		{`{}`, true},
		// The User Guide's rule: events of one repository of one domain.
		{`{"source": ["aws.codeartifact"], "detail-type": ["CodeArtifact Package Version State Change"],
		   "detail": {"domainName": ["my_domain"], "domainOwner": ["111122223333"], "repositoryName": ["myrepo"]}}`, true},
		{`{"detail": {"repositoryName": ["other"]}}`, false},
		{`{"detail": {"repositoryName": ["other", "myrepo"]}}`, true},
		{`{"source": ["aws.codecommit"]}`, false},
		{`{"nothere": ["x"]}`, false},
		// prefix, suffix, case.
		{`{"detail": {"packageName": [{"prefix": "my"}]}}`, true},
		{`{"detail": {"packageName": [{"prefix": "your"}]}}`, false},
		{`{"detail": {"packageName": [{"suffix": "package"}]}}`, true},
		{`{"detail": {"packageFormat": [{"equals-ignore-case": "NPM"}]}}`, true},
		{`{"detail": {"packageFormat": ["NPM"]}}`, false},
		// anything-but: a literal, a list, a prefix.
		{`{"detail": {"packageVersionState": [{"anything-but": "Unfinished"}]}}`, true},
		{`{"detail": {"packageVersionState": [{"anything-but": ["Published", "Unlisted"]}]}}`, false},
		{`{"detail": {"packageName": [{"anything-but": {"prefix": "my"}}]}}`, false},
		{`{"detail": {"packageName": [{"anything-but": {"suffix": "x"}}]}}`, true},
		{`{"detail": {"missing": [{"anything-but": "x"}]}}`, false},
		// numeric, on numbers only.
		{`{"detail": {"sequenceNumber": [{"numeric": [">", 0, "<=", 1]}]}}`, true},
		{`{"detail": {"sequenceNumber": [{"numeric": [">", 1]}]}}`, false},
		{`{"detail": {"changes": {"assetsAdded": [{"numeric": [">=", 1]}]}}}`, true},
		{`{"detail": {"changes": {"assetsAdded": [1.0]}}}`, true},
		{`{"detail": {"packageVersion": [{"numeric": [">", 0]}]}}`, false},
		// exists, and null.
		{`{"detail": {"packageNamespace": [null]}}`, true},
		{`{"detail": {"packageNamespace": [{"exists": true}]}}`, true},
		{`{"detail": {"packageGroup": [{"exists": false}]}}`, true},
		{`{"detail": {"packageName": [{"exists": false}]}}`, false},
		// booleans, and arrays in the event: one element suffices.
		{`{"detail": {"changes": {"statusChanged": [true]}}}`, true},
		{`{"detail": {"changes": {"metadataUpdated": [false]}}}`, false},
		{`{"resources": [{"prefix": "arn:aws:codeartifact:us-west-2:111122223333:package/my_domain/"}]}`, true},
		// A nested pattern on a scalar does not match.
		{`{"source": {"x": ["y"]}}`, false},
	} {
		p, err := eventpattern.Compile(tc.pattern)
		if err != nil {
			t.Errorf("Compile(%s): %v", tc.pattern, err)
			continue
		}
		if got := p.Match([]byte(event)); got != tc.want {
			t.Errorf("%s matched %v, want %v", tc.pattern, got, tc.want)
		}
	}
}

func TestCompileRefuses(t *testing.T) {
	for _, tc := range []struct{ pattern, says string }{
		{`[]`, "must be a JSON object"},
		{`{"source": "aws.codeartifact"}`, "must be in a list"},
		{`{"source": []}`, "empty list"},
		{`{"source": [{"prefix": 1}]}`, `"prefix" takes a string`},
		{`{"source": [{"wildcard": "*"}]}`, `unknown filter "wildcard"`},
		{`{"source": [{"prefix": "a", "suffix": "b"}]}`, "exactly one key"},
		{`{"n": [{"numeric": [">"]}]}`, "pairs"},
		{`{"n": [{"numeric": ["!=", 1]}]}`, "not a numeric operator"},
		{`{"n": [{"numeric": [">", "1"]}]}`, "not a number"},
		{`{"n": [{"exists": "yes"}]}`, "true or false"},
		{`{"n": [{"anything-but": {"numeric": [">", 1]}}]}`, `not "numeric"`},
		{`{"n": [{"anything-but": []}]}`, "empty list"},
		{`{"n": [["a"]]}`, "not a literal"},
		{`{"n": ["a"]} {}`, "trailing data"},
		{`{"n": `, "not JSON"},
		{`{"n": [1e999]}`, "not a number"},
		{strings.Repeat(`{"a":`, 40) + `["x"]` + strings.Repeat(`}`, 40), "nests deeper"},
		{`{"n": ["` + strings.Repeat("x", eventpattern.MaxLength) + `"]}`, "longer than"},
	} {
		_, err := eventpattern.Compile(tc.pattern)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Compile(%.60s): %v, want an error saying %q", tc.pattern, err, tc.says)
		}
	}
}

func TestMatchNonObjectEvent(t *testing.T) {
	p, _ := eventpattern.Compile(`{}`)
	for _, e := range []string{`[]`, `"x"`, `not json`, ``} {
		if p.Match([]byte(e)) {
			t.Errorf("%q matched", e)
		}
	}
}

// FuzzCompile: no pattern text makes Compile or Match panic, and a
// compiled pattern matches the same event the same way twice.
func FuzzCompile(f *testing.F) {
	f.Add(`{"source": ["aws.codeartifact"], "detail": {"packageName": [{"prefix": "my"}]}}`)
	f.Add(`{"detail": {"sequenceNumber": [{"numeric": [">", 0, "<=", 5]}], "packageNamespace": [null, {"exists": false}]}}`)
	f.Add(`{"detail": {"packageVersionState": [{"anything-but": ["Published", {"prefix": "x"}]}]}}`)
	f.Fuzz(func(t *testing.T, pattern string) {
		p, err := eventpattern.Compile(pattern)
		if err != nil {
			return
		}
		if p.Match([]byte(event)) != p.Match([]byte(event)) {
			t.Fatal("matching is not deterministic")
		}
	})
}
