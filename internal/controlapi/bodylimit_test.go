package controlapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/arcahq/arca/internal/auth"
	"github.com/arcahq/arca/internal/servertest"
)

// endless is a request body of zeros that never ends, counting what the
// server took of it.
type endless struct{ n atomic.Int64 }

func (e *endless) Read(p []byte) (int, error) {
	clear(p)
	e.n.Add(int64(len(p)))
	return len(p), nil
}

// TestBodyLimit checks that a signed caller cannot make the control plane
// read a JSON body past auth.MaxBufferedBody, whether it declares the
// payload hash in x-amz-content-sha256 (so the server hashes while it
// reads) or announces the size in Content-Length.
func TestBodyLimit(t *testing.T) {
	s := start(t)
	sign := func(req *http.Request) {
		sum := sha256.Sum256([]byte("{}"))
		req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
		req.Header.Set("Content-Type", "application/json")
		creds := aws.Credentials{AccessKeyID: servertest.AccessKeyID, SecretAccessKey: servertest.SecretAccessKey}
		if err := v4.NewSigner().SignHTTP(s.ctx, creds, req, hex.EncodeToString(sum[:]), "codeartifact", servertest.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
	}

	// A chunked body that never ends: refused once it passes the limit.
	body := &endless{}
	req, err := http.NewRequestWithContext(s.ctx, "POST", s.srv.URL+"/v1/domain?domain=big", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1
	sign(req)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-Errortype") != "ValidationException" {
			t.Errorf("endless body: %d %s, want 400 ValidationException", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
		}
	} // else the server closed the connection mid-body, which is a refusal too
	// What the client wrote is what the server read plus the socket
	// buffers; far below what an unbounded read would have taken.
	if n := body.n.Load(); n > 16*auth.MaxBufferedBody {
		t.Errorf("the server read %d bytes of an endless body; the limit is %d", n, auth.MaxBufferedBody)
	}
	if names := s.domainNames(); len(names) != 0 {
		t.Errorf("domains after a refused body: %v", names)
	}

	// A Content-Length over the limit: refused before the body is read.
	resp2 := s.do(rawRequest{method: "POST", target: "/v1/domain?domain=big", body: "{}", afterSigning: func(r *http.Request) {
		r.ContentLength = auth.MaxBufferedBody + 1
		r.GetBody = nil
		r.Body = &limited{n: auth.MaxBufferedBody + 1}
	}})
	resp2.wantAWSError(t, "Content-Length over the limit", http.StatusBadRequest, "ValidationException")
}

// limited is a body of n zeros.
type limited struct{ n int64 }

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	clear(p)
	l.n -= int64(len(p))
	return len(p), nil
}

func (l *limited) Close() error { return nil }
