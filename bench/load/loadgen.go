package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// target is one URL of one server under load, with the headers its
// clients send.
type target struct {
	url    string
	header http.Header
	// size is the body length every answer must have (-1: not checked);
	// with gzip asked for, the compressed length varies by server, so the
	// check is that the body is not empty.
	size int64
	// backing is the server's database and blob store when they run
	// apart from it (nil for a server on its own).
	backing *backing
}

// result is what one load run measured.
type result struct {
	Requests  int64         `json:"requests"`
	Errors    int64         `json:"errors"`
	Bytes     int64         `json:"bytes"`
	Elapsed   time.Duration `json:"elapsed_ns"`
	RPS       float64       `json:"rps"`
	P50       time.Duration `json:"p50_ns"`
	P99       time.Duration `json:"p99_ns"`
	CPU       time.Duration `json:"cpu_ns"`         // server CPU time during the measured window
	CPUPerReq time.Duration `json:"cpu_per_req_ns"` // CPU / requests
	// With a database and blob store apart from the server: their CPU
	// time per request, and the database's transactions per request.
	Backed           bool          `json:"backed,omitempty"`
	BackingCPUPerReq time.Duration `json:"backing_cpu_per_req_ns,omitempty"`
	DBXactsPerReq    float64       `json:"db_transactions_per_req,omitempty"`
	backingCPU       time.Duration
	xacts            int64
	IdleRSS          int64          `json:"idle_rss"`
	PeakRSS          int64          `json:"peak_rss"`
	ClientCPU        time.Duration  `json:"client_cpu_ns"`         // the load generator's CPU time
	ClientCPUPerReq  time.Duration  `json:"client_cpu_per_req_ns"` // ClientCPU / requests
	Others           float64        `json:"others"`                // share of the machine other processes used
	Rounds           []roundFigures `json:"rounds,omitempty"`      // every round's figures, in the order measured
	// Folios is how many page-cache folios held the file served (a large
	// file's), counted after the round; 0 when not known (pages.go).
	Folios int `json:"folios,omitempty"`
	// from and to bound the measured window (what CPU and Requests
	// count), for work beside it to be counted in the same window.
	from, to time.Time
}

// roundFigures are one round's figures of a case on one server.
type roundFigures struct {
	RPS             float64       `json:"rps"`
	CPUPerReq       time.Duration `json:"cpu_per_req_ns"`
	ClientCPUPerReq time.Duration `json:"client_cpu_per_req_ns"`
}

// loadOpts are the knobs of a run.
type loadOpts struct {
	conns    int
	warmup   time.Duration
	duration time.Duration
	loader   string // "go" or "wrk"
}

// check sends one request and verifies the answer, so a misconfigured
// server fails loudly instead of being measured serving errors fast.
func check(t target) error {
	req, err := http.NewRequest(http.MethodGet, t.url, nil)
	if err != nil {
		return err
	}
	req.Header = t.header.Clone()
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d", t.url, resp.StatusCode)
	}
	if t.size >= 0 && n != t.size {
		return fmt.Errorf("GET %s: %d bytes, want %d", t.url, n, t.size)
	}
	if n == 0 {
		return fmt.Errorf("GET %s: empty body", t.url)
	}
	return nil
}

// measure loads t for o.warmup, then measures for o.duration, sampling
// the server process tree rooted at pid.
func measure(t target, pid int, o loadOpts) (result, error) {
	if err := check(t); err != nil {
		return result{}, err
	}
	time.Sleep(500 * time.Millisecond) // let the check's work settle
	_, idle := treeUsage(pid)
	var served chan string
	stop := make(chan struct{})
	if t.size >= 1<<20 {
		served = make(chan string, 1)
		go func() { served <- servedFile(pid, t.size, stop) }()
	}
	var r result
	var err error
	if o.loader == "wrk" {
		r, err = measureWrk(t, pid, o)
	} else {
		r, err = measureGo(t, pid, o)
	}
	close(stop)
	if served != nil {
		if path := <-served; path != "" {
			r.Folios, _ = folios(path)
		}
	}
	r.IdleRSS = idle
	r.Backed = t.backing != nil
	if r.Requests > 0 {
		r.CPUPerReq = r.CPU / time.Duration(r.Requests)
		r.ClientCPUPerReq = r.ClientCPU / time.Duration(r.Requests)
		r.BackingCPUPerReq = r.backingCPU / time.Duration(r.Requests)
		r.DBXactsPerReq = float64(r.xacts) / float64(r.Requests)
		r.RPS = float64(r.Requests) / r.Elapsed.Seconds()
	}
	return r, err
}

// measureGo is the Go load generator: o.conns workers, each with its own
// keep-alive connection, sending requests back to back.
func measureGo(t target, pid int, o loadOpts) (result, error) {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
		MaxIdleConns:        o.conns,
		MaxIdleConnsPerHost: o.conns,
		MaxConnsPerHost:     o.conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true, // the Accept-Encoding of the target is sent as is
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}

	const (
		warming = iota
		measuring
		stopped
	)
	var phase atomic.Int32
	lat := make([][]time.Duration, o.conns)
	var errs, bytesRead atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for w := 0; w < o.conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 1<<14)
			defer func() { lat[w] = mine }()
			for phase.Load() != stopped {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, t.url, nil)
				req.Header = t.header
				start := time.Now()
				resp, err := client.Do(req)
				var n int64
				if err == nil {
					n, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				d := time.Since(start)
				if phase.Load() != measuring {
					continue
				}
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
						time.Sleep(10 * time.Millisecond)
					}
					continue
				}
				mine = append(mine, d)
				bytesRead.Add(n)
			}
		}()
	}
	time.Sleep(o.warmup)
	rss := sampleRSS(pid, 100*time.Millisecond)
	u0 := snapshot(pid, t.backing)
	phase.Store(measuring)
	time.Sleep(o.duration)
	phase.Store(stopped)
	u1 := snapshot(pid, t.backing)
	peak := rss.Peak()
	cancel() // requests still in flight are not counted
	wg.Wait()

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := result{Requests: int64(len(all)), Errors: errs.Load(), Bytes: bytesRead.Load(), Elapsed: u1.at.Sub(u0.at),
		CPU: u1.server - u0.server, ClientCPU: u1.client - u0.client, Others: others(u0, u1), PeakRSS: peak,
		backingCPU: u1.backing - u0.backing, xacts: u1.xacts - u0.xacts, from: u0.at, to: u1.at}
	if len(all) > 0 {
		r.P50 = all[(len(all)-1)*50/100]
		r.P99 = all[(len(all)-1)*99/100]
	}
	return r, nil
}

// measureWrk runs wrk (Debian's) instead: a warm-up run, then the
// measured one with --latency.
func measureWrk(t target, pid int, o loadOpts) (result, error) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		return result{}, fmt.Errorf("wrk is not installed (apt-get install -y wrk): %w", err)
	}
	args := func(d time.Duration) []string {
		a := []string{"-t", strconv.Itoa(min(2, o.conns)), "-c", strconv.Itoa(o.conns),
			"-d", fmt.Sprintf("%ds", max(1, int(d.Round(time.Second)/time.Second))), "--latency", "--timeout", "60s"}
		for k, vs := range t.header {
			for _, v := range vs {
				a = append(a, "-H", k+": "+v)
			}
		}
		return append(a, t.url)
	}
	if o.warmup > 0 {
		if out, err := exec.Command(wrk, args(o.warmup)...).CombinedOutput(); err != nil {
			return result{}, fmt.Errorf("wrk: %v\n%s", err, out)
		}
	}
	rss := sampleRSS(pid, 100*time.Millisecond)
	u0 := snapshot(pid, t.backing)
	out, err := exec.Command(wrk, args(o.duration)...).CombinedOutput()
	u1 := snapshot(pid, t.backing)
	peak := rss.Peak()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	r, err := parseWrk(string(out))
	if err != nil {
		return result{}, err
	}
	r.CPU, r.ClientCPU, r.Others, r.PeakRSS = u1.server-u0.server, u1.client-u0.client, others(u0, u1), peak
	r.backingCPU, r.xacts, r.from, r.to = u1.backing-u0.backing, u1.xacts-u0.xacts, u0.at, u1.at
	if r.Elapsed == 0 {
		r.Elapsed = u1.at.Sub(u0.at)
	}
	return r, nil
}

var (
	wrkTotal    = regexp.MustCompile(`(\d+) requests in ([\d.]+)(us|ms|s|m),\s+([\d.]+)([KMGT]?B) read`)
	wrkPct      = regexp.MustCompile(`(?m)^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$`)
	wrkNon2xx   = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSockErrs = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

func wrkDuration(v, unit string) time.Duration {
	f, _ := strconv.ParseFloat(v, 64)
	switch unit {
	case "us":
		return time.Duration(f * float64(time.Microsecond))
	case "ms":
		return time.Duration(f * float64(time.Millisecond))
	case "m":
		return time.Duration(f * float64(time.Minute))
	}
	return time.Duration(f * float64(time.Second))
}

func parseWrk(out string) (result, error) {
	var r result
	m := wrkTotal.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("cannot read wrk's output:\n%s", out)
	}
	r.Requests, _ = strconv.ParseInt(m[1], 10, 64)
	r.Elapsed = wrkDuration(m[2], m[3])
	for _, p := range wrkPct.FindAllStringSubmatch(out, -1) {
		d := wrkDuration(p[2], p[3])
		if p[1] == "50" {
			r.P50 = d
		} else {
			r.P99 = d
		}
	}
	if e := wrkNon2xx.FindStringSubmatch(out); e != nil {
		r.Errors, _ = strconv.ParseInt(e[1], 10, 64)
	}
	if e := wrkSockErrs.FindStringSubmatch(out); e != nil {
		for _, s := range e[1:] {
			n, _ := strconv.ParseInt(s, 10, 64)
			r.Errors += n
		}
	}
	r.Requests -= r.Errors
	return r, nil
}

// envOr returns the environment variable name, or def when unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && strings.TrimSpace(v) != "" {
		return v
	}
	return def
}
