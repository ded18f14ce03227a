package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
)

// The root credentials the server is started with.
const (
	account = "111122223333"
	keyID   = "AKIAARCAHOSTILEBENCH1"
	secret  = "arca-hostile-bench-root-secret-0000000000"
	region  = "us-east-1"
	domain  = "hostile"
)

// server is a running `arca serve`.
type server struct {
	cmd    *exec.Cmd
	pid    int
	url    string
	host   string
	data   string
	stderr string // the file the server's log goes to
	ca     *codeartifact.Client
	token  string
	// Repository endpoints.
	npm, pypi, maven string
}

// build builds arca from this checkout into a temporary directory.
func build() (string, error) {
	dir, err := os.MkdirTemp("", "arca-hostile-bin-")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "arca")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/arca")
	cmd.Stderr = os.Stderr
	return out, cmd.Run()
}

// start starts arca serve on a free loopback port with a fresh data
// directory, creates the domain and the repositories the attacks use, and
// gets an authorization token.
func start(ctx context.Context, bin string, args ...string) (*server, error) {
	data, err := os.MkdirTemp("", "arca-hostile-data-")
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{url: "http://" + addr, host: addr, data: data, stderr: filepath.Join(data, "serve.log")}
	logFile, err := os.Create(s.stderr)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the server has its own descriptor
	s.cmd = exec.Command(bin, append([]string{"serve", "--listen", addr, "--data", filepath.Join(data, "d")}, args...)...)
	s.cmd.Env = append(os.Environ(), "ARCA_ACCOUNT_ID="+account, "ARCA_ROOT_ACCESS_KEY_ID="+keyID, "ARCA_ROOT_SECRET_ACCESS_KEY="+secret)
	s.cmd.Stderr = logFile
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	s.pid = s.cmd.Process.Pid
	for i := 0; ; i++ {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i > 300 || !s.alive() {
			s.stop()
			return nil, fmt.Errorf("not healthy: %v\n%s", err, s.stderrTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.ca = codeartifact.New(codeartifact.Options{
		Region:       region,
		BaseEndpoint: aws.String(s.url),
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
	})
	if _, err := s.ca.CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws.String(domain)}); err != nil {
		return nil, err
	}
	for _, f := range []types.PackageFormat{types.PackageFormatNpm, types.PackageFormatPypi, types.PackageFormatMaven} {
		name := string(f) + "-repo"
		if _, err := s.ca.CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws.String(domain), Repository: aws.String(name)}); err != nil {
			return nil, err
		}
		ep, err := s.ca.GetRepositoryEndpoint(ctx, &codeartifact.GetRepositoryEndpointInput{Domain: aws.String(domain), Repository: aws.String(name), Format: f})
		if err != nil {
			return nil, err
		}
		u := strings.TrimSuffix(*ep.RepositoryEndpoint, "/") + "/"
		switch f {
		case types.PackageFormatNpm:
			s.npm = u
		case types.PackageFormatPypi:
			s.pypi = u
		default:
			s.maven = u
		}
	}
	tok, err := s.ca.GetAuthorizationToken(ctx, &codeartifact.GetAuthorizationTokenInput{Domain: aws.String(domain)})
	if err != nil {
		return nil, err
	}
	s.token = *tok.AuthorizationToken
	return s, nil
}

func (s *server) alive() bool { return s.cmd.ProcessState == nil && syscall.Kill(s.pid, 0) == nil }

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(s.data)
}

func (s *server) stderrTail() string {
	b, _ := os.ReadFile(s.stderr)
	t := string(b)
	if len(t) > 2000 {
		t = t[len(t)-2000:]
	}
	return t
}

// figures are a sample of the server process.
type figures struct {
	rss int64 // resident bytes
	fds int
}

func (s *server) sample() figures {
	var f figures
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				f.rss = kb << 10
			}
		}
	}
	if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", s.pid)); err == nil {
		f.fds = len(ents)
	}
	return f
}

func (s *server) figures() string {
	f := s.sample()
	return fmt.Sprintf("RSS %d MiB, %d fds", f.rss>>20, f.fds)
}

// watcher samples the server every 20 ms until stopped, keeping the peaks.
type watcher struct {
	done chan struct{}
	peak chan figures
}

func (s *server) watch() *watcher {
	w := &watcher{done: make(chan struct{}), peak: make(chan figures, 1)}
	go func() {
		var p figures
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			f := s.sample()
			p.rss, p.fds = max(p.rss, f.rss), max(p.fds, f.fds)
			select {
			case <-w.done:
				w.peak <- p
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *watcher) stop() figures {
	close(w.done)
	return <-w.peak
}

// do sends a request with the token as Basic aws:TOKEN (pip, twine, Maven)
// and returns the status and up to 4 KiB of the body.
func (s *server) do(ctx context.Context, method, url, contentType string, body []byte, header ...string) (int, http.Header, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, "", err
	}
	req.SetBasicAuth("aws", s.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return send(req)
}

func send(req *http.Request) (int, http.Header, string, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header, string(b), nil
}
