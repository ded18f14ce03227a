package authz

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/store"
)

// The corpus (testdata/corpus.json) is a set of decisions Arca makes,
// each checked against what it should be and against an independent IAM
// evaluator, the npm package @cloud-copilot/iam-simulate, run by
// testdata/simulate.cjs. The package is installed at test time into a
// cache directory outside the module (never shipped, never vendored).
//
// Two of Arca's rules are applied to the simulator's input, since they
// choose policies rather than combine them: a root's own permissions are
// given to the simulator as an identity policy allowing everything, and
// the domain policy and the repository policy, which Arca evaluates side
// by side, are given as one resource policy holding the statements of
// both (an explicit deny or an allow in either counts the same either
// way).

// iamSimulateVersion is the version of @cloud-copilot/iam-simulate the
// corpus is checked against.
const iamSimulateVersion = "0.1.173"

// corpusCase is one decision of the corpus.
type corpusCase struct {
	Name             string            `json:"name"`
	Principal        string            `json:"principal"`
	Action           string            `json:"action"`
	Resource         string            `json:"resource"`
	Identity         []json.RawMessage `json:"identity"`
	DomainPolicy     json.RawMessage   `json:"domainPolicy"`
	RepositoryPolicy json.RawMessage   `json:"repositoryPolicy"`
	ResourceTags     map[string]string `json:"resourceTags"`
	RequestTags      map[string]string `json:"requestTags"`
	TagKeys          []string          `json:"tagKeys"`
	DurationSeconds  *int64            `json:"durationSeconds"`
	ServiceName      string            `json:"serviceName"`
	SourceIP         string            `json:"sourceIp"`
	Secure           bool              `json:"secure"`
	// NotSimulated, when set, says why the case is checked against Want
	// only: iam-simulate validates actions against the AWS service
	// reference and refuses a request the reference does not describe.
	NotSimulated string `json:"notSimulated"`
	// Want is the decision, in the simulator's words: Allowed,
	// ExplicitlyDenied or ImplicitlyDenied.
	Want string `json:"want"`
}

// corpusPrincipals are the principals the corpus names.
var corpusPrincipals = []identity.Principal{bob, carol, ci, rootA, rootB, sessionOf(acctB, "reader", "s1")}

func loadCorpus(t *testing.T) []corpusCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "corpus.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestCorpus checks Arca's decision on every case of the corpus, and that
// iam-simulate makes the same one.
func TestCorpus(t *testing.T) {
	cases := loadCorpus(t)
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	arca := make([]string, len(cases))
	for i, c := range cases {
		got, err := arcaDecision(c)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		arca[i] = got
		if got != c.Want {
			t.Errorf("%s: Arca decides %s, want %s", c.Name, got, c.Want)
		}
	}
	dir := iamSimulate(t)
	var sims []map[string]any
	var simulated []int // indexes of the cases in sims
	for i, c := range cases {
		if c.NotSimulated != "" {
			t.Logf("%s: not simulated: %s", c.Name, c.NotSimulated)
			continue
		}
		sims = append(sims, simulation(c))
		simulated = append(simulated, i)
	}
	results := runSimulator(t, dir, sims)
	for j, i := range simulated {
		c, r := cases[i], results[j]
		switch {
		case r.Error != "":
			t.Errorf("%s: iam-simulate refused the case: %s", c.Name, r.Error)
		case r.Result != arca[i]:
			t.Errorf("%s: Arca decides %s, iam-simulate %s", c.Name, arca[i], r.Result)
		}
	}
}

// principalByARN finds a corpus principal.
func principalByARN(s string) (identity.Principal, bool) {
	for _, p := range corpusPrincipals {
		if p.ARN == s {
			return p, true
		}
	}
	return identity.Principal{}, false
}

// arcaDecision decides a case with an Evaluator over fakes holding its
// policies and tags, in the simulator's words.
func arcaDecision(c corpusCase) (string, error) {
	f := newFixture(corpusPrincipals...)
	p, ok := principalByARN(c.Principal)
	if !ok {
		return "", errUnknownPrincipal(c.Principal)
	}
	owner := p.ARN
	if p.RoleARN != "" {
		owner = p.RoleARN
	}
	docs := make([]string, len(c.Identity))
	for i, d := range c.Identity {
		docs[i] = string(d)
	}
	f.dir.setPolicies(owner, docs...)
	if len(c.DomainPolicy) > 0 {
		f.res.setPolicy(domainRes, string(c.DomainPolicy))
	}
	if len(c.RepositoryPolicy) > 0 {
		f.res.setPolicy(repoRes, string(c.RepositoryPolicy))
	}
	tags := sortedTags(c.ResourceTags)
	f.res.setTags(domainRes, tags...)
	f.res.setTags(repoRes, tags...)
	ctx := context.Background()
	if c.SourceIP != "" {
		ctx = withClient(c.SourceIP, c.Secure)
	}
	d, err := f.ev.Decide(ctx, Request{
		Principal: p, Action: c.Action, Resource: c.Resource,
		Tags: sortedTags(c.RequestTags), TagKeys: c.TagKeys,
		DurationSeconds: c.DurationSeconds, ServiceName: c.ServiceName,
	})
	if err != nil {
		return "", err
	}
	switch d.Outcome {
	case Allowed:
		return "Allowed", nil
	case DeniedByIdentity, DeniedByResource:
		return "ExplicitlyDenied", nil
	}
	return "ImplicitlyDenied", nil
}

type errUnknownPrincipal string

func (e errUnknownPrincipal) Error() string { return "no corpus principal " + string(e) }

func sortedTags(m map[string]string) []store.Tag {
	var tags []store.Tag
	for k, v := range m {
		tags = append(tags, store.Tag{Key: k, Value: v})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return tags
}

// simulation is a case as iam-simulate's Simulation, with the request
// context written out key by key (independently of keys.go, so that the
// keys Arca serves are checked too).
func simulation(c corpusCase) map[string]any {
	p, _ := principalByARN(c.Principal)
	identityPolicies := []map[string]any{}
	for i, d := range c.Identity {
		identityPolicies = append(identityPolicies, map[string]any{"name": "p" + strconv.Itoa(i), "policy": d})
	}
	if p.IsRoot() {
		identityPolicies = append(identityPolicies, map[string]any{"name": "root",
			"policy": json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
	}
	account := p.Account
	if res := parseResource(c.Resource); res.account != "" {
		account = res.account
	}
	sim := map[string]any{
		"request": map[string]any{
			"principal":        c.Principal,
			"action":           c.Action,
			"resource":         map[string]any{"resource": c.Resource, "accountId": account},
			"contextVariables": contextVariables(c, p),
		},
		"identityPolicies":        identityPolicies,
		"serviceControlPolicies":  []any{},
		"resourceControlPolicies": []any{},
	}
	if rp := mergedResourcePolicy(c.DomainPolicy, c.RepositoryPolicy); rp != nil {
		sim["resourcePolicy"] = rp
	}
	return sim
}

// contextVariables is the request context of a case.
func contextVariables(c corpusCase, p identity.Principal) map[string]any {
	principalARN, typ := p.ARN, "User"
	switch {
	case p.RoleARN != "":
		principalARN, typ = p.RoleARN, "AssumedRole"
	case p.IsRoot():
		typ = "Account"
	}
	v := map[string]any{
		"aws:PrincipalArn":     principalARN,
		"aws:PrincipalAccount": p.Account,
		"aws:PrincipalType":    typ,
		"aws:userid":           p.UserID,
		"aws:RequestedRegion":  region,
		"aws:CurrentTime":      testNow.Format(time.RFC3339),
		"aws:EpochTime":        strconv.FormatInt(testNow.Unix(), 10),
	}
	if p.Kind == identity.KindUser {
		v["aws:username"] = p.UserName
	}
	if c.SourceIP != "" {
		v["aws:SourceIp"] = c.SourceIP
		v["aws:SecureTransport"] = strconv.FormatBool(c.Secure)
	}
	for k, val := range c.ResourceTags {
		v["aws:ResourceTag/"+k] = val
	}
	var keys []string
	for _, t := range sortedTags(c.RequestTags) {
		v["aws:RequestTag/"+t.Key] = t.Value
		keys = append(keys, t.Key)
	}
	if len(keys) == 0 {
		keys = c.TagKeys
	}
	if len(keys) > 0 {
		v["aws:TagKeys"] = keys
	}
	if c.DurationSeconds != nil {
		v["sts:DurationSeconds"] = strconv.FormatInt(*c.DurationSeconds, 10)
	}
	if c.ServiceName != "" {
		v["sts:AWSServiceName"] = c.ServiceName
	}
	return v
}

// mergedResourcePolicy returns one policy with the statements of the
// domain and repository policies, or nil when there are none.
func mergedResourcePolicy(docs ...json.RawMessage) map[string]any {
	var statements []json.RawMessage
	for _, d := range docs {
		if len(d) == 0 {
			continue
		}
		var p struct{ Statement []json.RawMessage }
		if err := json.Unmarshal(d, &p); err != nil {
			panic(err)
		}
		statements = append(statements, p.Statement...)
	}
	if statements == nil {
		return nil
	}
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}

// simResult is what simulate.cjs says of one simulation.
type simResult struct {
	Result string `json:"result"`
	Error  string `json:"error"`
}

func runSimulator(t *testing.T, dir string, sims []map[string]any) []simResult {
	t.Helper()
	in, err := json.Marshal(sims)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join("testdata", "simulate.cjs"), dir)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("simulate.cjs: %v\n%s", err, stderr.Bytes())
	}
	var results []simResult
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(sims) {
		t.Fatalf("simulate.cjs answered %d results (%v): %.500s", len(results), err, out)
	}
	return results
}

// iamSimulate returns a directory whose node_modules holds
// @cloud-copilot/iam-simulate, installing it with npm on first use into
// the user's cache directory (or ARCA_IAM_SIMULATE_DIR). Without node and
// npm, or when npm cannot install the package (no registry reachable),
// the test is skipped, saying why; with ARCA_REQUIRE_IAM_SIMULATE set, as
// in CI, it fails instead.
func iamSimulate(t *testing.T) string {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("ARCA_REQUIRE_IAM_SIMULATE") != "" {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			unavailable("skipping the comparison with @cloud-copilot/iam-simulate: %s is not installed (%v)", tool, err)
		}
	}
	dir := os.Getenv("ARCA_IAM_SIMULATE_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir = filepath.Join(cache, "arca-test", "iam-simulate-"+iamSimulateVersion)
	}
	marker := filepath.Join(dir, "node_modules", "@cloud-copilot", "iam-simulate", "package.json")
	if _, err := os.Stat(marker); err == nil {
		return dir
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"private":true}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-save",
		"@cloud-copilot/iam-simulate@"+iamSimulateVersion)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		unavailable("skipping the comparison with @cloud-copilot/iam-simulate: npm could not install it: %v\n%s",
			err, strings.TrimSpace(string(out)))
	}
	return dir
}
