package server_test

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/server"
	"github.com/arcahq/arca/internal/servertest"
)

// secretsClient signs requests and remembers every secret it used or
// was given: secret keys, tokens, and the signatures it sent.
type secretsClient struct {
	t       *testing.T
	url     string
	secrets map[string]string // secret -> what it is
}

var signatureRE = regexp.MustCompile(`Signature=([0-9a-f]{64})`)

func (c *secretsClient) remember(what, secret string) {
	if secret != "" {
		c.secrets[secret] = what
	}
}

// send sends a request signed for service with the key (none if id is
// ""), after tamper has changed it, and returns the status and body.
func (c *secretsClient) send(method, target, service, id, secret, body string, header http.Header, tamper func(*http.Request)) (int, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+target, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if id != "" {
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}, req,
			sha256hex([]byte(body)), service, servertest.Region, time.Now()); err != nil {
			c.t.Fatal(err)
		}
	}
	if tamper != nil {
		tamper(req)
	}
	for _, m := range signatureRE.FindAllStringSubmatch(req.Header.Get("Authorization"), -1) {
		c.remember("a signature", m[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (c *secretsClient) iam(id, secret string, params ...string) []byte {
	c.t.Helper()
	form := url.Values{"Version": {"2010-05-08"}}
	for i := 0; i+1 < len(params); i += 2 {
		form.Set(params[i], params[i+1])
	}
	status, body := c.send("POST", "/", "iam", id, secret, form.Encode(),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, nil)
	if status != http.StatusOK {
		c.t.Fatalf("IAM %s: %d %s", params[1], status, body)
	}
	return body
}

// TestNoSecretInAnyLog runs requests that carry secrets, good and bad
// (signed calls, an IAM user's new key, authorization tokens used and
// tampered with, an incomplete signature, a bare token on the control
// plane), and then searches the audit log, the access log and the
// server's log for every secret involved.
func TestNoSecretInAnyLog(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.Listen, cfg.Data, cfg.Region = ln.Addr().String(), t.TempDir(), servertest.Region
	cfg.AccountID, cfg.RootAccessKeyID, cfg.RootSecretKey = servertest.AccountID, servertest.AccessKeyID, servertest.SecretAccessKey
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var stderr, access syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(&stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := server.New(ctx, cfg, log, server.WithAccessLog(middleware.NewAccessLog(&access, false)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln) }()

	c := &secretsClient{t: t, url: "http://" + cfg.Listen, secrets: map[string]string{}}
	root, rootSecret := servertest.AccessKeyID, servertest.SecretAccessKey
	c.remember("the root secret key", rootSecret)
	waitFor := func() {
		for range 100 {
			if status, _ := c.send("GET", "/healthz", "", "", "", "", nil, nil); status == http.StatusOK {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatal("the server did not start")
	}
	waitFor()

	// An IAM user with a key and no permissions.
	c.iam(root, rootSecret, "Action", "CreateUser", "UserName", "mallory")
	var key struct {
		ID     string `xml:"CreateAccessKeyResult>AccessKey>AccessKeyId"`
		Secret string `xml:"CreateAccessKeyResult>AccessKey>SecretAccessKey"`
	}
	if err := xml.Unmarshal(c.iam(root, rootSecret, "Action", "CreateAccessKey", "UserName", "mallory"), &key); err != nil || key.Secret == "" {
		t.Fatalf("CreateAccessKey: %v", err)
	}
	c.remember("an IAM user's secret key", key.Secret)
	if status, _ := c.send("POST", "/v1/domains", "codeartifact", key.ID, key.Secret, "{}", nil, nil); status != http.StatusForbidden {
		t.Errorf("list-domains without permissions: %d", status)
	}
	// The wrong secret for a real key.
	if status, _ := c.send("POST", "/v1/domains", "codeartifact", key.ID, rootSecret[:20]+key.Secret[20:], "{}", nil, nil); status != http.StatusForbidden {
		t.Errorf("a wrong secret: %d", status)
	}

	// A domain, a repository, and a token.
	if status, b := c.send("POST", "/v1/domain?domain=dom", "codeartifact", root, rootSecret, "{}", nil, nil); status != http.StatusOK {
		t.Fatalf("create-domain: %d %s", status, b)
	}
	if status, b := c.send("POST", "/v1/repository?domain=dom&repository=repo", "codeartifact", root, rootSecret, "{}", nil, nil); status != http.StatusOK {
		t.Fatalf("create-repository: %d %s", status, b)
	}
	status, b := c.send("POST", "/v1/authorization-token?domain=dom", "codeartifact", root, rootSecret, "", nil, nil)
	tok := regexp.MustCompile(`"authorizationToken":"([^"]+)"`).FindStringSubmatch(string(b))
	if status != http.StatusOK || tok == nil {
		t.Fatalf("get-authorization-token: %d %s", status, b)
	}
	c.remember("an authorization token", tok[1])
	tampered := tok[1][:len(tok[1])-4] + "AAAA"
	c.remember("a tampered token", tampered)
	npm := "/dom-" + servertest.AccountID + "/npm/repo/some-package"
	for _, h := range []string{"Bearer " + tok[1], "Bearer " + tampered, "Bearer garbage-" + rootSecret, tok[1]} {
		c.send("GET", npm, "", "", "", "", http.Header{"Authorization": {h}}, nil)
	}
	// A token sent bare to the control plane and to IAM.
	c.send("POST", "/v1/domains", "", "", "", "{}", http.Header{"Authorization": {tok[1]}}, nil)
	c.send("POST", "/", "", "", "", "Action=ListUsers&Version=2010-05-08", http.Header{"Authorization": {tok[1]}}, nil)
	// An incomplete signature: the real signature, SignedHeaders dropped.
	status, _ = c.send("POST", "/v1/domains", "codeartifact", root, rootSecret, "{}", nil, func(r *http.Request) {
		h := r.Header.Get("Authorization")
		r.Header.Set("Authorization", regexp.MustCompile(`SignedHeaders=[^,]*, `).ReplaceAllString(h, ""))
	})
	if status != http.StatusForbidden {
		t.Errorf("an incomplete signature: %d", status)
	}
	// A presigned request: the signature and a (made-up) session token
	// in the query.
	pre, err := http.NewRequest("POST", c.url+"/v1/domains", nil)
	if err != nil {
		t.Fatal(err)
	}
	presigned, _, err := v4.NewSigner().PresignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: root, SecretAccessKey: rootSecret, SessionToken: "session-token-" + rootSecret[:12]},
		pre, sha256hex(nil), "codeartifact", servertest.Region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(presigned)
	c.remember("a presigned signature", pu.Query().Get("X-Amz-Signature"))
	c.remember("a session token", pu.Query().Get("X-Amz-Security-Token"))
	c.send("POST", pu.RequestURI(), "", "", "", "", nil, nil)
	// A signature over other bytes.
	c.send("POST", "/v1/domains", "codeartifact", root, rootSecret, "{}", nil, func(r *http.Request) {
		r.Body = io.NopCloser(strings.NewReader(`{"x":1}`))
		r.ContentLength = 7
	})

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	srv.Close()

	logs := map[string]string{"the access log": access.String(), "the server log": stderr.String()}
	files, _ := filepath.Glob(filepath.Join(cfg.Data, "audit", "audit.log*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		logs[filepath.Base(f)] = string(b)
	}
	if !strings.Contains(logs["audit.log"], "refusedRequests") || !strings.Contains(logs["audit.log"], "IncompleteSignatureException") ||
		!strings.Contains(access.String(), "/v1/domains") {
		t.Fatalf("the logs miss the requests: audit log\n%s\naccess log\n%s", logs["audit.log"], access.String())
	}
	if len(c.secrets) < 8 {
		t.Fatalf("only %d secrets collected", len(c.secrets))
	}
	for name, text := range logs {
		for secret, what := range c.secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %s", name, what)
			}
		}
	}
}
