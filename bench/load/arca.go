package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
)

// Root credentials of the benchmark's Arca.
const (
	arcaAccount = "111122223333"
	arcaKeyID   = "AKIAARCABENCHROOTKEY"
	arcaSecret  = "arca-bench-root-secret-access-key-000000"
	arcaDomain  = "bench"
	arcaRepo    = "bench"
)

// buildArca builds the arca binary of the module at root into dir.
func buildArca(root, dir string) (string, error) {
	bin := filepath.Join(dir, "arca")
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("go is not on PATH: %w", err)
	}
	// Built as the README says to deploy it: static, with no C library
	// mapped beside it.
	if _, err := run(5*time.Minute, cleanEnv("CGO_ENABLED=0"), root, goBin, "build", "-o", bin, "./cmd/arca"); err != nil {
		return "", err
	}
	return bin, nil
}

// arcaServer is a running `arca serve` with a domain, a repository and an
// authorization token.
type arcaServer struct {
	*proc
	url   string // http://127.0.0.1:PORT
	token string
	// otherToken is a second token of the same principal: another client.
	otherToken string
	ca         *codeartifact.Client
}

// startArca starts arca with a fresh data directory under dir (NAME-data,
// its log NAME.log), and extra in its environment, creates the domain and
// repository and gets a token with GetAuthorizationToken, as `aws
// codeartifact login` does.
func startArca(bin, dir, name string, extra ...string) (*arcaServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	data := filepath.Join(dir, name+"-data")
	env := cleanEnv(
		"ARCA_ACCOUNT_ID="+arcaAccount,
		"ARCA_ROOT_ACCESS_KEY_ID="+arcaKeyID,
		"ARCA_ROOT_SECRET_ACCESS_KEY="+arcaSecret,
	)
	env = append(env, extra...)
	if v := os.Getenv("ARCA_DEBUG_LISTEN"); v != "" {
		// Profiles of the server under load: go tool pprof http://$ARCA_DEBUG_LISTEN/debug/pprof/profile
		env = append(env, "ARCA_DEBUG_LISTEN="+v)
	}
	// The load generator is one client with one token asking as fast as
	// it can: the per-client quotas would measure themselves, not the server.
	p, err := startProc(name, env, dir, filepath.Join(dir, name+".log"), bin, "serve", "--listen", addr, "--data", data,
		"--throttle", "off", "--max-requests-per-client", "0")
	if err != nil {
		return nil, err
	}
	s := &arcaServer{proc: p, url: "http://" + addr}
	if err := p.waitHTTP(s.url+"/healthz", 60*time.Second, 200); err != nil {
		p.Stop()
		return nil, err
	}
	s.ca = codeartifact.New(codeartifact.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(s.url),
		Credentials:      credentials.NewStaticCredentialsProvider(arcaKeyID, arcaSecret, ""),
		RetryMaxAttempts: 1,
	})
	ctx := context.Background()
	if _, err := s.ca.CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws.String(arcaDomain)}); err != nil {
		p.Stop()
		return nil, fmt.Errorf("arca: create-domain: %w", err)
	}
	if _, err := s.ca.CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws.String(arcaDomain), Repository: aws.String(arcaRepo)}); err != nil {
		p.Stop()
		return nil, fmt.Errorf("arca: create-repository: %w", err)
	}
	tok, err := s.ca.GetAuthorizationToken(ctx, &codeartifact.GetAuthorizationTokenInput{Domain: aws.String(arcaDomain)})
	if err != nil {
		p.Stop()
		return nil, fmt.Errorf("arca: get-authorization-token: %w", err)
	}
	s.token = *tok.AuthorizationToken
	// A second token of the same principal: another client (the scale
	// scenario's readers beside its busy publisher).
	if tok, err = s.ca.GetAuthorizationToken(ctx, &codeartifact.GetAuthorizationTokenInput{Domain: aws.String(arcaDomain)}); err != nil {
		p.Stop()
		return nil, fmt.Errorf("arca: get-authorization-token: %w", err)
	}
	s.otherToken = *tok.AuthorizationToken
	return s, nil
}

// endpoint returns the repository endpoint for format, ending in "/".
func (s *arcaServer) endpoint(format types.PackageFormat) (string, error) {
	out, err := s.ca.GetRepositoryEndpoint(context.Background(), &codeartifact.GetRepositoryEndpointInput{
		Domain: aws.String(arcaDomain), Repository: aws.String(arcaRepo), Format: format,
	})
	if err != nil {
		return "", fmt.Errorf("arca: get-repository-endpoint: %w", err)
	}
	ep := *out.RepositoryEndpoint
	if !strings.HasSuffix(ep, "/") {
		ep += "/"
	}
	return ep, nil
}

// bearer is how npm sends the token; basic how pip, twine and mvn do.
func (s *arcaServer) bearer() string { return "Bearer " + s.token }
func (s *arcaServer) basic() string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("aws:"+s.token))
}

// asOtherClient returns tg sent with the second token instead: a
// different client from the one that publishes with the first.
func (s *arcaServer) asOtherClient(tg target) target {
	h := tg.header.Clone()
	switch h.Get("Authorization") {
	case s.bearer():
		h.Set("Authorization", "Bearer "+s.otherToken)
	case s.basic():
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("aws:"+s.otherToken)))
	case s.token: // cargo sends the bare token
		h.Set("Authorization", s.otherToken)
	}
	tg.header = h
	return tg
}

// scenarioArca is the Arca of one scenario, with where it runs and what
// the scenario needs from it.
type scenarioArca struct {
	*arcaServer
	name  string // in the tables: "arca", or "arca (postgres+s3)" on shared storage
	dir   string // the scenario's directory, holding every server's data
	ep    string // the repository endpoint of the scenario's format
	start int64  // RSS right after start
	// backing is its database and blob store when they are apart from
	// it (-backend); nil for the embedded default.
	backing *backing
}

// startScenarioArca makes the scenario's directory and starts Arca in it,
// tracked so that stopAll stops it.
func (r *runner) startScenarioArca(scenario string, format types.PackageFormat) (scenarioArca, error) {
	return r.startScenarioArcaOn(scenario, format, nil)
}

// startScenarioArcaOn is startScenarioArca on the storage of back (nil:
// the embedded default).
func (r *runner) startScenarioArcaOn(scenario string, format types.PackageFormat, back *backends) (scenarioArca, error) {
	dir := filepath.Join(r.dir, scenario)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return scenarioArca{}, err
	}
	name := "arca"
	if back != nil {
		name = "arca-shared"
	}
	return r.startArcaIn(dir, name, format, back)
}

// storages are what the scale scenario runs each growth on, one after
// the other: the embedded default, and with -backend the shared storage.
func (r *runner) storages() []*backends {
	if r.backends == nil {
		return []*backends{nil}
	}
	return []*backends{nil, r.backends}
}

// startScenarioArcas starts the scenario's Arca and, with -backend, a
// second one beside it on the shared storage: every scenario seeds both
// and measures both with the same requests.
func (r *runner) startScenarioArcas(scenario string, format types.PackageFormat) ([]scenarioArca, error) {
	a, err := r.startScenarioArca(scenario, format)
	if err != nil || r.backends == nil {
		return []scenarioArca{a}, err
	}
	shared, err := r.startArcaIn(a.dir, "arca-shared", format, r.backends)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.backends.name(), err)
	}
	return []scenarioArca{a, shared}, nil
}

// contender is the case of this Arca that loads it with t (with its
// database and blob store, when apart, counted).
func (a scenarioArca) contender(t target) contender {
	t.backing = a.backing
	return contender{a.name, a.PID(), t}
}

// noteArcas records each Arca of a scenario (runner.note).
func (r *runner) noteArcas(scenario string, arcas []scenarioArca) {
	for _, a := range arcas {
		r.note(scenario, a.name, "this checkout", a.PID(), a.start)
	}
}

// startArcaIn starts an Arca in the scenario's directory: the embedded
// default when back is nil, else on the shared storage of -backend.
func (r *runner) startArcaIn(dir, name string, format types.PackageFormat, back *backends) (scenarioArca, error) {
	var env []string
	var bk *backing
	label := "arca"
	if back != nil {
		label = back.name()
		var err error
		if env, bk, err = back.storage(filepath.Base(dir)); err != nil {
			return scenarioArca{}, err
		}
	}
	arca, err := startArca(r.arcaBin, dir, name, env...)
	if err != nil {
		return scenarioArca{}, err
	}
	track(arca)
	s := scenarioArca{arcaServer: arca, name: label, dir: dir, start: startRSS(arca.PID()), backing: bk}
	s.ep, err = arca.endpoint(format)
	return s, err
}
