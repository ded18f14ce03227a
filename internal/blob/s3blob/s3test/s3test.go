// Package s3test starts a real S3-compatible server for tests: versitygw
// (github.com/versity/versitygw, Apache-2.0) serving a temporary directory
// on a free loopback port. scripts/install-test-deps.sh installs it with
// `go install github.com/versity/versitygw/cmd/versitygw@v1.8.0`.
//
// Tests that need it skip when versitygw is not installed, unless
// ARCA_REQUIRE_S3=1 (as in CI and scripts/test.sh), where they fail.
package s3test

import (
	"context"
	"fmt"
	"go/build"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// EnvRequire names the variable that turns a missing versitygw from a skip
// into a failure.
const EnvRequire = "ARCA_REQUIRE_S3"

// Server is a running versitygw. Its root credentials are static test
// values.
type Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	AccessKey string
	SecretKey string
	Region    string
}

// Find returns the path of the versitygw binary: on PATH, else in $GOBIN,
// else in $(go env GOPATH)/bin; "" if none.
func Find() string {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	for _, gp := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(gp, "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, "versitygw")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// Start runs versitygw on a temporary directory until the test ends. It
// skips the test when versitygw is missing, or fails it if EnvRequire is 1.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Find()
	if bin == "" {
		msg := "versitygw not found on PATH, in $GOBIN or in $(go env GOPATH)/bin: run scripts/install-test-deps.sh"
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s (%s=1)", msg, EnvRequire)
		}
		t.Skip(msg)
	}
	addr := freeAddr(t)
	s := &Server{Endpoint: "http://" + addr, AccessKey: "arcatestaccess", SecretKey: "arcatestsecret0123456789", Region: "us-east-1"}
	dir := t.TempDir()
	logf, err := os.Create(filepath.Join(dir, "versitygw.log"))
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--access", s.AccessKey, "--secret", s.SecretKey, "--region", s.Region,
		"--port", addr, "posix", data)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		logf.Close()
	})
	// Ready when it accepts connections; a start that exits is reported
	// with its log.
	for deadline := time.Now().Add(30 * time.Second); ; {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("versitygw exited: %v\n%s", err, log)
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not listen on %s within 30s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// AWSConfig is an SDK configuration with the server's credentials.
func (s *Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:      s.Region,
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	}
}

// Env is the standard AWS environment that gives a process (arca serve)
// the server's credentials.
func (s *Server) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_REGION=" + s.Region,
	}
}

// Client is an S3 client of the server, path-style, with checksums only
// where required.
func (s *Server) Client() *s3.Client {
	return s3.NewFromConfig(s.AWSConfig(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.Endpoint)
		o.UsePathStyle = true
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
}

// CreateBucket creates a bucket.
func (s *Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

// Keys lists every key in a bucket under prefix.
func (s *Server) Keys(t testing.TB, bucket, prefix string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.Client(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list %s/%s: %v", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// URL returns the --blobs URL of a bucket and prefix on this server.
func (s *Server) URL(bucket, prefix string) string {
	return fmt.Sprintf("s3://%s/%s?endpoint=%s&region=%s", bucket, prefix, s.Endpoint, s.Region)
}
