// Command hostile repeats, against a real `arca serve`, each attack of
// issue 16 (a hostile run's findings: unbounded bodies, forms, archives,
// connections, audit flushing, leftover bytes, unchecked input), samples
// the server's resident memory and open file descriptors
// (/proc/PID/status, /proc/PID/fd) while each runs, and prints one line
// per attack: PASS or FAIL, what the server answered, and the figures.
//
//	go run ./bench/hostile          # the short form (scripts/test.sh), under a minute
//	go run ./bench/hostile -long    # the sizes of the original run: minutes, GBs of traffic
//	go run ./bench/hostile -arca ./arca -run wheel,flood
//
// It exits non-zero if any attack fails. Linux only (it reads /proc).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// sizes are how hard each attack pushes.
type sizes struct {
	controlBody    int64 // a signed control-plane body
	formParts      int   // PyPI form parts with 9 MiB names
	floodRequests  int   // unauthenticated requests
	idleConns      int   // idle connections beyond --max-connections
	maxConnections int
	metadataRounds int // rounds of 8 concurrent .metadata GETs
	rejectedUpload int64
	npmDocs        int // concurrent 32 MiB npm documents
}

var (
	short = sizes{controlBody: 256 << 20, formParts: 10, floodRequests: 20_000, idleConns: 1_100, maxConnections: 1_000,
		metadataRounds: 5, rejectedUpload: 64 << 20, npmDocs: 16}
	long = sizes{controlBody: 2 << 30, formParts: 100, floodRequests: 2_200_000, idleConns: 20_100, maxConnections: 10_000,
		metadataRounds: 100, rejectedUpload: 1 << 30, npmDocs: 16}
)

// An attack runs against s and says what the server did; an error is a
// failure. rssBound is the most the server's resident memory may grow
// over its level before the attack.
type attack struct {
	name     string
	what     string
	rssBound int64
	run      func(ctx context.Context, s *server, z sizes) (string, error)
}

func main() {
	longForm := flag.Bool("long", false, "the sizes of the original hostile run (minutes, GBs of traffic)")
	bin := flag.String("arca", "", "the arca binary; built from this checkout when empty")
	only := flag.String("run", "", "comma-separated attack names to run (all when empty)")
	flag.Parse()
	z := short
	if *longForm {
		z = long
	}
	if limit := raiseFileLimit(); z.idleConns > limit-500 {
		// The client needs a descriptor per connection too.
		z.idleConns = limit - 500
	}
	if *bin == "" {
		b, err := build()
		if err != nil {
			fail("building arca: %v", err)
		}
		*bin = b
	}
	ctx := context.Background()
	s, err := start(ctx, *bin, "--max-connections", fmt.Sprint(z.maxConnections), "--buffer-budget", "256MiB")
	if err != nil {
		fail("starting arca: %v", err)
	}
	defer s.stop()
	fmt.Printf("arca serve pid %d at %s (%s form): %s\n", s.pid, s.url, map[bool]string{false: "short", true: "long"}[*longForm], s.figures())

	// The slow body takes a 30-second window to be cut off: it runs
	// beside the others and reports last.
	slow := make(chan string, 1)
	var slowErr error
	var wg sync.WaitGroup
	if selected(*only, "slow-body") {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var d string
			d, slowErr = slowBody(ctx, s)
			slow <- d
		}()
	}
	failed := 0
	for _, a := range attacks {
		if !selected(*only, a.name) {
			continue
		}
		if !report(s, a, func() (string, error) { return a.run(ctx, s, z) }) {
			failed++
		}
	}
	if selected(*only, "slow-body") {
		if !report(s, attack{name: "slow-body", what: "a 10 GB Content-Length body trickled at 1 byte/s on npm, PyPI and Maven", rssBound: 64 << 20},
			func() (string, error) { wg.Wait(); return <-slow, slowErr }) {
			failed++
		}
	}
	if failed > 0 {
		fmt.Printf("FAIL: %d attacks\n", failed)
		os.Exit(1)
	}
	fmt.Println("ok: every attack held")
}

func selected(only, name string) bool {
	if only == "" {
		return true
	}
	for _, n := range strings.Split(only, ",") {
		if strings.TrimSpace(n) == name {
			return true
		}
	}
	return false
}

// report runs one attack while sampling the server and prints its line.
func report(s *server, a attack, run func() (string, error)) bool {
	before := s.sample()
	w := s.watch()
	t0 := time.Now()
	detail, err := run()
	peak := w.stop()
	if err == nil && a.rssBound > 0 && peak.rss-before.rss > a.rssBound {
		err = fmt.Errorf("RSS grew by %d MiB, more than %d MiB", (peak.rss-before.rss)>>20, a.rssBound>>20)
	}
	if err == nil && !s.alive() {
		err = fmt.Errorf("the server died: %s", s.stderrTail())
	}
	status := "PASS"
	if err != nil {
		status, detail = "FAIL", err.Error()
	}
	fmt.Printf("%s %-18s %s: %s [%.1fs; RSS %d -> peak %d MiB; fds %d -> peak %d]\n", status, a.name, a.what, detail,
		time.Since(t0).Seconds(), before.rss>>20, peak.rss>>20, before.fds, peak.fds)
	return err == nil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "hostile: "+format+"\n", args...)
	os.Exit(2)
}

// raiseFileLimit lets this process hold as many connections as it may,
// and returns how many descriptors that is.
func raiseFileLimit() int {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) != nil {
		return 1024
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return int(min(l.Cur, 1<<30))
}
