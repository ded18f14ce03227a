// Command load runs Arca's package endpoints side by side with reference
// servers on this machine and prints, for each scenario and server,
// requests per second, p50/p99 latency, server CPU time per request and
// RSS (idle before the load, peak during it). The figures go into
// docs/PERFORMANCE.md.
//
//	go run ./bench/load -scenarios npm,pypi,maven
//
// It builds arca from this module, installs the reference servers when
// they are missing (nginx and wrk from Debian with apt-get, Verdaccio from
// the npm registry with npm, pypiserver from PyPI with pip into a venv,
// Reposilite from Maven Central with mvn) into a cache directory, starts
// every server on a free 127.0.0.1 port with its data in a temporary
// directory, seeds the same content into each, measures, and tears
// everything down. Arca runs with token checks on: every request carries
// the token from GetAuthorizationToken (Bearer for npm, Basic aws:TOKEN
// for PyPI, Maven and NuGet).
//
// Scenarios:
//
//	npm    a package document with 200 versions (abbreviated, gzip, as npm
//	       asks), a 10 KB and a 5 MB tarball, against Verdaccio and nginx;
//	       then `npm install` of 200 interdependent packages published with
//	       `npm publish` (cold npm cache, warm server)
//	pypi   the simple-index page of a project with 1,000 files (as pip
//	       asks), a 10 KB and a 5 MB file, against pypiserver and nginx
//	maven  maven-metadata.xml, a 10 KB and a 5 MB jar, against Reposilite
//	       and nginx
//	nuget  the flat-container index and the registration index of a
//	       package with 32 versions, a 10 KB and a 5 MB nupkg, against
//	       nginx (no other NuGet V3 server runs here)
//	cargo  the sparse index file of a crate with 32 versions, a 10 KB and
//	       a 5 MB .crate, against nginx
//	ruby   Bundler's compact-index info file of a gem with 32 versions, a
//	       10 KB and a 5 MB .gem, against nginx
//	swift  the release list of a Swift package with 32 versions (SE-0292
//	       4.1), a 10 KB and a 5 MB source archive, against nginx
//	generic a 10 KB and a 5 MB asset read with GetPackageVersionAsset
//	       (SigV4), against nginx
//	scale  Arca alone, as data grows: one package of each -scale-formats
//	       grown through -scale-versions (publish cost, the read after the
//	       seeding on its own, first read after a publish, document reads idle and beside a client publishing
//	       nonstop, RSS; Swift also its identifiers lookup of the
//	       package's repository URL). The nonstop publisher's payloads
//	       are built before its window (at most 256 MB of them), so the
//	       window holds its requests only; a second table gives its
//	       publishes/s and the server's CPU per publish in the window
//	       (the window's server CPU less the reads at their idle
//	       CPU/req), and the CPU split: cores of the server and of this
//	       process (readers and publisher), idle and busy. With
//	       -scale-busy-rate the publisher is paced at that many
//	       publishes/s instead of nonstop: a nonstop publisher takes
//	       the machine's share the scheduler gives it whatever a
//	       publish costs (a cheaper publish makes it faster), a paced
//	       one a share that falls with the cost. Then, with -scale-packages, a
//	       repository grown to that many packages by -scale-writers
//	       concurrent writers
//	       (npm and PyPI: publish rate, p50, p99 and server CPU per
//	       publish, reads of a document and a file, RSS, data on disk);
//	       -scale-versions "" runs only the packages growth
//
// With -backend postgres,s3 every scenario runs a second Arca beside the
// embedded one, seeded and measured alike (the scale scenario runs each
// growth on one, then on the other), on the storage several replicas
// share: a PostgreSQL server (scripts/postgres.sh starts one from
// Debian's package, or -database names one) and versitygw (installed with
// go install when missing), each with a schema and a bucket of its own. A table then gives what its
// database and blob store cost per request: their CPU time and the
// database's transactions. -backend postgres or -backend s3 alone moves
// only one of the two.
//
// The load generator is Go's net/http client with keep-alive over -c
// connections (or wrk with -loader wrk), -warmup then -duration per case.
// It runs on the same machine as the servers, so on a small machine it
// takes CPU from them: compare servers with each other, within one run.
// -large-only measures only the 5 MB file cases (one serving path for
// every format: their figures should agree within one run). A large
// file's cost also depends on how the kernel caches its pages (in folios
// as large as the writes that filled them, when memory allows): nginx's
// copy is written in one write, Arca's blob a MiB at a time (blob.Spool).
// Beside nginx, -rounds N gives the median of the N round-by-round
// ratios, the figure to read the 95% target from.
//
// Nothing here runs under `go test`: this is a command.
package main

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "load: "+format+"\n", args...)
}

// row is one measured (or skipped) case on one server.
type row struct {
	Scenario string  `json:"scenario"`
	Case     string  `json:"case"`
	Large    bool    `json:"large"` // a large file: the 95% target
	Server   string  `json:"server"`
	Result   *result `json:"result,omitempty"`
	Skipped  string  `json:"skipped,omitempty"`
}

// installRow is one server's `npm install` timing.
type installRow struct {
	Server   string          `json:"server"`
	Runs     []time.Duration `json:"runs_ns,omitempty"`
	Median   time.Duration   `json:"median_ns"`
	CPU      time.Duration   `json:"cpu_per_install_ns"` // server CPU per install
	Requests int             `json:"requests_per_install,omitempty"`
	PeakRSS  int64           `json:"peak_rss"`
	Skipped  string          `json:"skipped,omitempty"`
	// With a database and blob store apart from the server: their CPU
	// time and the database's transactions per install.
	Backed     bool          `json:"backed,omitempty"`
	BackingCPU time.Duration `json:"backing_cpu_per_install_ns,omitempty"`
	DBXacts    int64         `json:"db_transactions_per_install,omitempty"`
}

// serverNote records what each server was and how much memory it held.
type serverNote struct {
	Scenario    string `json:"scenario"`
	Server      string `json:"server"`
	Version     string `json:"version"`
	StartRSS    int64  `json:"start_rss"`  // right after start, before seeding
	SeededRSS   int64  `json:"seeded_rss"` // after seeding, before any load
	SeededAnon  int64  `json:"seeded_anon"`
	SeededFile  int64  `json:"seeded_file"`
	QuietRSS    int64  `json:"quiet_rss"` // quietWait after seeding, no requests in between
	Unavailable string `json:"unavailable,omitempty"`
}

type runner struct {
	opts              loadOpts
	root              string // the module
	dir               string // temporary directory of this run
	cache             string // installed reference servers
	install           bool
	arcaBin           string
	installRuns       int
	rounds            int
	hold              time.Duration
	skipInstall       bool
	largeOnly         bool // -large-only: only the 5 MB file cases
	reposiliteJarPath string
	backends          *backends // -backend: a second Arca on shared storage, nil for none

	rows     []row
	installs []installRow
	notes    []serverNote

	scaleFormats       []string
	scaleVersionCounts []int
	scalePackages      []int
	scaleWriters       int
	scaleBusyRate      float64 // the busy publisher's publishes/s; 0: nonstop
	scaleRows          []scaleRow
	scalePackageRows   []scalePackagesRow
	scaleStarts        []scaleStart
}

func main() {
	var (
		scenarios  = flag.String("scenarios", envOr("BENCH_SCENARIOS", "npm,pypi,maven"), "comma-separated scenarios: npm, pypi, maven, nuget, cargo, ruby, swift, generic, scale (BENCH_SCENARIOS)")
		conns      = flag.Int("c", atoiOr(envOr("BENCH_CONNS", "16"), 16), "concurrent keep-alive connections (BENCH_CONNS)")
		duration   = flag.Duration("duration", durOr(envOr("BENCH_DURATION", "10s")), "measured time per case and server (BENCH_DURATION)")
		warmup     = flag.Duration("warmup", durOr(envOr("BENCH_WARMUP", "2s")), "warm-up before each measurement (BENCH_WARMUP)")
		loader     = flag.String("loader", envOr("BENCH_LOADER", "go"), "load generator: go (net/http) or wrk (BENCH_LOADER)")
		cacheDir   = flag.String("cache", envOr("BENCH_CACHE", defaultCache()), "where reference servers are installed (BENCH_CACHE)")
		noInstall  = flag.Bool("no-install", false, "never install anything; skip servers that are missing")
		arcaBin    = flag.String("arca", "", "use this arca binary instead of building one")
		rounds     = flag.Int("rounds", atoiOr(envOr("BENCH_ROUNDS", "1"), 1), "rounds per case, servers alternating; the median round is reported (BENCH_ROUNDS)")
		installs   = flag.Int("install-runs", atoiOr(envOr("BENCH_INSTALL_RUNS", "3"), 3), "measured `npm install` runs per server (BENCH_INSTALL_RUNS)")
		skipNPMI   = flag.Bool("skip-npm-install", false, "leave out the npm install scenario")
		largeOnly  = flag.Bool("large-only", false, "measure only the 5 MB file cases of the scenarios")
		jsonOut    = flag.String("json", "", "also write the figures as JSON to this file")
		keep       = flag.Bool("keep", false, "keep the temporary directory (servers' data and logs)")
		hold       = flag.Duration("hold", 0, "after seeding each scenario, wait this long before measuring (to attach a profiler; PIDs are logged)")
		scaleFmts  = flag.String("scale-formats", "npm,pypi,maven", "formats of the scale scenario: npm, pypi, maven, cargo, nuget, ruby, swift")
		scaleVers  = flag.String("scale-versions", "100,1000,5000", "version counts the scale scenario measures one package at (\"\": not measured, packages growth only)")
		scalePkgs  = flag.String("scale-packages", "", "package counts the scale scenario measures a repository at (\"\": not measured), e.g. 1000,10000,100000")
		scaleWrite = flag.Int("scale-writers", 16, "concurrent writers filling the repository with packages")
		scaleRate  = flag.Float64("scale-busy-rate", 0, "publishes/s of the scale scenario's busy publisher, paced (0: nonstop, as fast as the server answers)")
		reposilite = flag.String("reposilite-jar", envOr("BENCH_REPOSILITE_JAR", ""), "a Reposilite jar to use instead of fetching one (BENCH_REPOSILITE_JAR)")
		backend    = flag.String("backend", envOr("BENCH_BACKEND", ""), "in every scenario, a second Arca beside the embedded one, on postgres, s3 or both (postgres,s3) (BENCH_BACKEND)")
		database   = flag.String("database", envOr("BENCH_DATABASE", ""), "with -backend postgres, this PostgreSQL server (a role that may create schemas) instead of one started with scripts/postgres.sh (BENCH_DATABASE)")
	)
	flag.Parse()
	backs, err := parseBackends(*backend)
	if err != nil {
		logf("%v", err)
		os.Exit(2)
	}
	if *loader != "go" && *loader != "wrk" {
		logf("-loader must be go or wrk")
		os.Exit(2)
	}
	root, err := moduleRoot()
	if err != nil {
		logf("%v", err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "arca-load-")
	if err != nil {
		logf("%v", err)
		os.Exit(1)
	}
	versionCounts, err := sortedCounts(*scaleVers)
	if err != nil {
		logf("-scale-versions: %v", err)
		os.Exit(2)
	}
	packageCounts, err := sortedCounts(*scalePkgs)
	if err != nil {
		logf("-scale-packages: %v", err)
		os.Exit(2)
	}
	r := &runner{
		opts: loadOpts{conns: *conns, warmup: *warmup, duration: *duration, loader: *loader},
		root: root, dir: dir, cache: *cacheDir, install: !*noInstall,
		installRuns: *installs, rounds: *rounds, hold: *hold, skipInstall: *skipNPMI, largeOnly: *largeOnly, reposiliteJarPath: *reposilite,
		scaleFormats: strings.Split(*scaleFmts, ","), scaleVersionCounts: versionCounts, scalePackages: packageCounts, scaleWriters: max(1, *scaleWrite), scaleBusyRate: max(0, *scaleRate),
		backends: backs,
	}
	if backs != nil {
		if err := backs.start(root, *database, r.install); err != nil {
			logf("-backend: %v", err)
			backs.stop(root)
			os.Exit(1)
		}
	}
	// Servers are stopped by each scenario; a signal ends the run the same
	// way (the deferred stops run as main returns).
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		logf("interrupted: stopping servers")
		stopAll()
		if backs != nil {
			backs.stop(root)
		}
		if !*keep {
			os.RemoveAll(dir)
		}
		os.Exit(130)
	}()
	code := r.main(*scenarios, *arcaBin)
	stopAll()
	if backs != nil {
		backs.stop(root)
	}
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(map[string]any{"rows": r.rows, "npm_install": r.installs, "servers": r.notes, "scale": r.scaleRows, "scale_packages": r.scalePackageRows, "machine": machine(), "options": r.optsText()}, "", "  ")
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			logf("%v", err)
			code = 1
		}
	}
	if *keep {
		logf("kept %s", dir)
	} else {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

func (r *runner) main(scenarios, arcaBin string) int {
	if err := os.MkdirAll(r.cache, 0o755); err != nil {
		logf("%v", err)
		return 1
	}
	if arcaBin == "" {
		logf("building arca")
		bin, err := buildArca(r.root, r.dir)
		if err != nil {
			logf("%v", err)
			return 1
		}
		arcaBin = bin
	}
	r.arcaBin = arcaBin
	failed := false
	for _, s := range strings.Split(scenarios, ",") {
		var err error
		switch strings.TrimSpace(s) {
		case "npm":
			err = r.npm()
		case "pypi":
			err = r.pypi()
		case "maven":
			err = r.maven()
		case "nuget":
			err = r.nuget()
		case "cargo":
			err = r.cargo()
		case "ruby":
			err = r.ruby()
		case "swift":
			err = r.swift()
		case "generic":
			err = r.generic()
		case "scale":
			err = r.scale()
		case "":
			continue
		default:
			err = fmt.Errorf("unknown scenario %q (npm, pypi, maven, nuget, cargo, ruby, swift, generic, scale)", s)
		}
		if err != nil {
			logf("scenario %s: %v", s, err)
			failed = true
		}
	}
	r.print(os.Stdout)
	if failed {
		return 1
	}
	return 0
}

// running servers, stopped at the end whatever happens.
var running []server

type server interface {
	Stop()
	PID() int
}

func track(s server) { running = append(running, s) }

func stopAll() {
	for i := len(running) - 1; i >= 0; i-- {
		running[i].Stop()
	}
	running = nil
}

// contender is one server in a case: its name, the root of its process
// tree, and the request to load it with.
type contender struct {
	server string
	pid    int
	t      target
}

// measureCase loads each contender in turn with the same request, for
// r.rounds rounds, and keeps each server's median round by requests per
// second. The servers alternate, and their order turns around every round
// (A B, B A, A B, ...), so that other work on the machine, and its drift
// over the case, falls on all of them alike; every round's figures are
// kept, for the ratio of two servers round by round (pairedRatios).
func (r *runner) measureCase(scenario, name string, large bool, cs []contender) {
	if r.largeOnly && !large {
		return
	}
	results := make([][]result, len(cs))
	failed := make([]string, len(cs))
	for round := 1; round <= r.rounds; round++ {
		for j := range cs {
			i := j
			if round%2 == 0 {
				i = len(cs) - 1 - j
			}
			c := cs[i]
			if failed[i] != "" {
				continue
			}
			logf("%s / %s / %s (round %d of %d): %s", scenario, name, c.server, round, r.rounds, c.t.url)
			res, err := measure(c.t, c.pid, r.opts)
			if err != nil {
				failed[i] = "failed: " + firstLine(err.Error())
				logf("  %v", err)
				continue
			}
			logf("  %.0f req/s, p50 %s, p99 %s, CPU/req %s (load generator %s), errors %d, others used %.0f%% of the machine%s",
				res.RPS, fmtDur(res.P50), fmtDur(res.P99), fmtDur(res.CPUPerReq), fmtDur(res.ClientCPUPerReq), res.Errors, 100*res.Others, foliosNote(res.Folios))
			results[i] = append(results[i], res)
		}
	}
	for i, c := range cs {
		rw := row{Scenario: scenario, Case: name, Large: large, Server: c.server, Skipped: failed[i]}
		if failed[i] == "" && len(results[i]) > 0 {
			rs := slices.Clone(results[i])
			slices.SortFunc(rs, func(a, b result) int { return cmp.Compare(a.RPS, b.RPS) })
			med := rs[len(rs)/2]
			for _, x := range results[i] {
				med.Rounds = append(med.Rounds, roundFigures{RPS: x.RPS, CPUPerReq: x.CPUPerReq, ClientCPUPerReq: x.ClientCPUPerReq})
			}
			rw.Result = &med
		}
		r.rows = append(r.rows, rw)
	}
}

// foliosNote says how many folios held a large file, when known.
func foliosNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", the file in %d page-cache folios", n)
}

// skip records a server that could not run in a scenario.
func (r *runner) skip(scenario, server, why string, cases ...string) {
	r.notes = append(r.notes, serverNote{Scenario: scenario, Server: server, Unavailable: why})
	for _, c := range cases {
		r.rows = append(r.rows, row{Scenario: scenario, Case: c, Server: server, Skipped: why})
	}
}

// note records a server's version and RSS once it is seeded (after
// -hold, if given).
func (r *runner) note(scenario, server, version string, pid int, start int64) {
	if r.hold > 0 {
		logf("holding %s for %s: %s is pid %d", scenario, r.hold, server, pid)
		time.Sleep(r.hold)
	}
	_, rss := treeUsage(pid)
	anon, file := procStatus(pid)
	time.Sleep(quietWait)
	_, quiet := treeUsage(pid)
	r.notes = append(r.notes, serverNote{Scenario: scenario, Server: server, Version: version, StartRSS: start, SeededRSS: rss, SeededAnon: anon, SeededFile: file, QuietRSS: quiet})
}

// quietWait is how long a server is left without requests after seeding
// before its idle memory is taken: right after a burst of uploads a
// server is not idle yet, and Arca keeps cache entries for 10 s after
// their last use before it gives them back (internal/server,
// keepUnused).
const quietWait = 12 * time.Second

// startRSS is a server's RSS a second after it started.
func startRSS(pid int) int64 {
	time.Sleep(time.Second)
	_, rss := treeUsage(pid)
	return rss
}

func (r *runner) optsText() string {
	return fmt.Sprintf("loader=%s connections=%d warmup=%s duration=%s rounds=%d", r.opts.loader, r.opts.conns, r.opts.warmup, r.opts.duration, r.rounds)
}

// moduleRoot is the directory of the module this command belongs to.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run this from the arca module (go run ./bench/load)")
	}
	return filepath.Dir(mod), nil
}

func defaultCache() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "arca-bench")
	}
	return filepath.Join(os.TempDir(), "arca-bench")
}

// machine describes where the figures were taken.
func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			mem = f[1] + " kB"
		}
	}
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	return fmt.Sprintf("%d CPUs (%s), %s RAM, %s/%s, %s, load average before the run %s",
		runtime.NumCPU(), model, mem, runtime.GOOS, runtime.GOARCH, runtime.Version(), load)
}

func atoiOr(s string, def int) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n <= 0 {
		return def
	}
	return n
}

func durOr(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		logf("bad duration %q: %v", s, err)
		os.Exit(2)
	}
	return d
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
