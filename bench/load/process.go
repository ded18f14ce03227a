package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// proc is a server process started by the benchmark, in its own process
// group so that stopping it stops its children too (nginx's workers).
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string // where its output goes
	done chan struct{}
	err  error
}

// do sends req and returns the answer's body and header, failing on a
// status other than 2xx.
func do(req *http.Request) ([]byte, http.Header, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode/100 != 2 {
		err = fmt.Errorf("%s %s: %d %s", req.Method, req.URL, resp.StatusCode, lastBytes(b, 300))
	}
	return b, resp.Header, err
}

// startProc starts a server, its output going to logPath.
func startProc(name string, env []string, dir, logPath string, prog string, args ...string) (*proc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); f.Close(); close(p.done) }()
	return p, nil
}

func (p *proc) PID() int { return p.cmd.Process.Pid }

// Stop sends SIGTERM to the process group and waits, then SIGKILL.
func (p *proc) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	syscall.Kill(-p.PID(), syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-p.PID(), syscall.SIGKILL)
		<-p.done
	}
}

// tail returns the end of the process's log, for error messages.
func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// waitHTTP waits until url answers with one of the statuses ok (any
// status below 500 when ok is empty).
func (p *proc) waitHTTP(url string, timeout time.Duration, ok ...int) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if len(ok) == 0 && resp.StatusCode < 500 {
				return nil
			}
			for _, s := range ok {
				if resp.StatusCode == s {
					return nil
				}
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before it answered (%v); its log:\n%s", p.name, p.err, p.tail())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer %s within %s (last error %v); its log:\n%s", p.name, url, timeout, err, p.tail())
		}
	}
}

// freePort returns a loopback port free right now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// run runs a command to completion with a timeout, returning its output
// in the error when it fails.
func run(timeout time.Duration, env []string, dir string, prog string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("%s %s: %v\n%s", prog, strings.Join(args, " "), err, lastBytes(out, 4000))
	}
	return out, nil
}

func lastBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// cleanEnv is the environment without anything that configures npm, pip
// or AWS clients, plus env.
func cleanEnv(env ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		uk := strings.ToUpper(k)
		if strings.HasPrefix(uk, "NPM_CONFIG_") || strings.HasPrefix(uk, "AWS_") || strings.HasPrefix(uk, "ARCA_") ||
			strings.HasPrefix(uk, "PIP_") {
			continue
		}
		out = append(out, kv)
	}
	return append(out, env...)
}
