package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Targets of issue 15, reported, never asserted.
const (
	targetSmall    = 0.70     // of nginx's throughput on documents and small files
	targetSmallCPU = 1.5      // Arca's CPU per small response, at most this times nginx's
	targetLarge    = 0.95     // of nginx's throughput on the 5 MB file
	targetIdleRSS  = 30 << 20 // Arca's idle RSS
)

func fmtDur(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1fs", d.Seconds())
}

func fmtMB(b int64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
}

// print writes the tables as Markdown, so they can go into
// docs/PERFORMANCE.md as they are.
func (r *runner) print(w io.Writer) {
	fmt.Fprintf(w, "\nMachine: %s\nOptions: %s\n\n", machine(), r.optsText())
	if len(r.rows) > 0 {
		fmt.Fprintln(w, "| scenario | case | server | req/s | p50 | p99 | CPU/req | idle RSS | peak RSS | errors | vs nginx | others' CPU |")
		fmt.Fprintln(w, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
		for _, rw := range r.rows {
			if rw.Result == nil {
				fmt.Fprintf(w, "| %s | %s | %s | not run: %s | | | | | | | | |\n", rw.Scenario, rw.Case, rw.Server, rw.Skipped)
				continue
			}
			res := rw.Result
			vs := "-"
			if n := r.find(rw.Scenario, rw.Case, "nginx"); n != nil && n.RPS > 0 && rw.Server != "nginx" {
				vs = fmt.Sprintf("%.0f%%", 100*res.RPS/n.RPS)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %.0f | %s | %s | %s | %s | %s | %d | %s | %.0f%% |\n",
				rw.Scenario, rw.Case, rw.Server, res.RPS, fmtDur(res.P50), fmtDur(res.P99), fmtDur(res.CPUPerReq),
				fmtMB(res.IdleRSS), fmtMB(res.PeakRSS), res.Errors, vs, 100*res.Others)
		}
	}
	if len(r.installs) > 0 {
		fmt.Fprintf(w, "\n`npm install` of 200 packages, cold npm cache, warm server (%d measured runs after one warm-up run):\n\n", r.installRuns)
		fmt.Fprintln(w, "| server | median | runs | server CPU per install | server peak RSS |")
		fmt.Fprintln(w, "|---|--:|---|--:|--:|")
		for _, in := range r.installs {
			if in.Skipped != "" {
				fmt.Fprintf(w, "| %s | not run: %s | | | |\n", in.Server, in.Skipped)
				continue
			}
			var runs []string
			for _, d := range in.Runs {
				runs = append(runs, fmt.Sprintf("%.1fs", d.Seconds()))
			}
			fmt.Fprintf(w, "| %s | %.1fs | %s | %s | %s |\n", in.Server, in.Median.Seconds(), strings.Join(runs, ", "), fmtDur(in.CPU), fmtMB(in.PeakRSS))
		}
	}
	r.printBacking(w)
	if len(r.notes) > 0 {
		fmt.Fprintln(w, "\nServers (RSS summed over the process tree; anon is heap and stacks, file the mapped binary and libraries):")
		fmt.Fprintln(w)
		fmt.Fprintf(w, "| scenario | server | version | RSS after start | RSS right after seeding | anon / file right after seeding | RSS %s after seeding |\n", quietWait)
		fmt.Fprintln(w, "|---|---|---|--:|--:|--:|--:|")
		for _, n := range r.notes {
			if n.Unavailable != "" {
				fmt.Fprintf(w, "| %s | %s | not run: %s | | | | |\n", n.Scenario, n.Server, n.Unavailable)
				continue
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s / %s | %s |\n", n.Scenario, n.Server, n.Version, fmtMB(n.StartRSS), fmtMB(n.SeededRSS), fmtMB(n.SeededAnon), fmtMB(n.SeededFile), fmtMB(n.QuietRSS))
		}
	}
	r.printScale(w)
	r.printVersus(w)
	r.printTargets(w)
}

// printVersus puts Arca and nginx side by side for every case both ran:
// throughput and CPU per request, and their ratios. With several rounds,
// "rounds vs nginx" is the median of the round-by-round ratios (each
// Arca round against the nginx round next to it) and their range: the
// figure to read a large file's target from, since rounds of one server
// move more than the gap between the two. CPU per request is the figure
// to judge a change by on a busy machine; for large files it is split
// between the two ends (on loopback the receiver's TCP work runs partly
// in the sender's system calls and partly in the receiver's), so "with
// loader" adds the load generator's CPU per request, the whole cost of a
// download on this machine.
func (r *runner) printVersus(w io.Writer) {
	header := false
	seen := map[string]bool{}
	for _, rw := range r.rows {
		k := rw.Scenario + "\x00" + rw.Case
		a, n := r.find(rw.Scenario, rw.Case, "arca"), r.find(rw.Scenario, rw.Case, "nginx")
		if seen[k] || a == nil || n == nil || n.RPS == 0 || n.CPUPerReq == 0 {
			continue
		}
		seen[k] = true
		if !header {
			fmt.Fprintln(w, "\nArca beside nginx (same run):")
			fmt.Fprintln(w)
			fmt.Fprintln(w, "| scenario | case | Arca req/s | nginx req/s | vs nginx | rounds vs nginx (median, range) | Arca CPU/req | nginx CPU/req | CPU vs nginx | Arca with loader | nginx with loader | with loader vs nginx | file's folios Arca / nginx | others' CPU |")
			fmt.Fprintln(w, "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
			header = true
		}
		rounds := "-"
		if med, lo, hi, ok := pairedRatios(a, n); ok {
			rounds = fmt.Sprintf("%.0f%% (%.0f-%.0f%%)", 100*med, 100*lo, 100*hi)
		}
		aw, nw := a.CPUPerReq+a.ClientCPUPerReq, n.CPUPerReq+n.ClientCPUPerReq
		pages := "-"
		if a.Folios > 0 || n.Folios > 0 {
			pages = fmtCount(a.Folios) + " / " + fmtCount(n.Folios)
		}
		fmt.Fprintf(w, "| %s | %s | %.0f | %.0f | %.0f%% | %s | %s | %s | %.2fx | %s | %s | %.2fx | %s | %.0f%% |\n", rw.Scenario, rw.Case, a.RPS, n.RPS, 100*a.RPS/n.RPS, rounds,
			fmtDur(a.CPUPerReq), fmtDur(n.CPUPerReq), float64(a.CPUPerReq)/float64(n.CPUPerReq),
			fmtDur(aw), fmtDur(nw), float64(aw)/float64(nw), pages, 100*max(a.Others, n.Others))
	}
}

// pairedRatios returns the median, lowest and highest of a's requests per
// second over b's, round by round, when both ran the same rounds (more
// than one).
func pairedRatios(a, b *result) (med, lo, hi float64, ok bool) {
	if len(a.Rounds) < 2 || len(a.Rounds) != len(b.Rounds) {
		return 0, 0, 0, false
	}
	var rs []float64
	for i := range a.Rounds {
		if b.Rounds[i].RPS <= 0 {
			return 0, 0, 0, false
		}
		rs = append(rs, a.Rounds[i].RPS/b.Rounds[i].RPS)
	}
	slices.Sort(rs)
	med = rs[len(rs)/2]
	if len(rs)%2 == 0 {
		med = (rs[len(rs)/2-1] + rs[len(rs)/2]) / 2
	}
	return med, rs[0], rs[len(rs)-1], true
}

// fmtCount writes n, or "?" for 0 (not known).
func fmtCount(n int) string {
	if n == 0 {
		return "?"
	}
	return strconv.Itoa(n)
}

func (r *runner) find(scenario, c, server string) *result {
	for _, rw := range r.rows {
		if rw.Scenario == scenario && rw.Case == c && rw.Server == server {
			return rw.Result
		}
	}
	return nil
}

// printTargets says, for each case, whether Arca met its target.
func (r *runner) printTargets(w io.Writer) {
	fmt.Fprintln(w, "\nTargets (reported, not asserted):")
	fmt.Fprintln(w)
	seen := map[string]bool{}
	for _, rw := range r.rows {
		k := rw.Scenario + "\x00" + rw.Case
		if seen[k] {
			continue
		}
		seen[k] = true
		a, n := r.find(rw.Scenario, rw.Case, "arca"), r.find(rw.Scenario, rw.Case, "nginx")
		large := false
		for _, x := range r.rows {
			if x.Scenario == rw.Scenario && x.Case == rw.Case && x.Large {
				large = true
			}
		}
		if a == nil || n == nil || n.RPS == 0 {
			fmt.Fprintf(w, "- %s %s: not measured on both Arca and nginx\n", rw.Scenario, rw.Case)
			continue
		}
		ratio := a.RPS / n.RPS
		if large {
			if med, lo, hi, ok := pairedRatios(a, n); ok {
				fmt.Fprintf(w, "- %s %s: Arca at %.0f%% of nginx, the median of %d rounds side by side (%.0f-%.0f%%; median rounds %.0f and %.0f req/s) (target ≥ %.0f%%): %s\n",
					rw.Scenario, rw.Case, 100*med, len(a.Rounds), 100*lo, 100*hi, a.RPS, n.RPS, 100*targetLarge, metWord(med >= targetLarge))
				continue
			}
			fmt.Fprintf(w, "- %s %s: Arca %.0f req/s = %.0f%% of nginx's %.0f (target ≥ %.0f%%): %s\n",
				rw.Scenario, rw.Case, a.RPS, 100*ratio, n.RPS, 100*targetLarge, metWord(ratio >= targetLarge))
			continue
		}
		cpu := 0.0
		if n.CPUPerReq > 0 {
			cpu = float64(a.CPUPerReq) / float64(n.CPUPerReq)
		}
		fmt.Fprintf(w, "- %s %s: Arca %.0f req/s = %.0f%% of nginx's %.0f (target ≥ %.0f%%): %s; CPU per request %s = %.2fx nginx's %s (target ≤ %.1fx): %s\n",
			rw.Scenario, rw.Case, a.RPS, 100*ratio, n.RPS, 100*targetSmall, metWord(ratio >= targetSmall),
			fmtDur(a.CPUPerReq), cpu, fmtDur(n.CPUPerReq), targetSmallCPU, metWord(cpu > 0 && cpu <= targetSmallCPU))
	}
	for _, n := range r.notes {
		if n.Server != "arca" || n.Unavailable != "" {
			continue
		}
		var idle []int64
		for _, rw := range r.rows {
			if rw.Scenario == n.Scenario && rw.Server == "arca" && rw.Result != nil {
				idle = append(idle, rw.Result.IdleRSS)
			}
		}
		worst := max(n.StartRSS, n.QuietRSS)
		if len(idle) > 0 {
			worst = max(worst, slices.Max(idle))
		}
		fmt.Fprintf(w, "- %s: Arca idle RSS %s after start, %s %s after seeding (%s right after it), at most %s idle between cases (target < 30 MB): %s\n",
			n.Scenario, fmtMB(n.StartRSS), fmtMB(n.QuietRSS), quietWait, fmtMB(n.SeededRSS), fmtMB(worst), metWord(worst < targetIdleRSS))
	}
}

func metWord(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// printBacking writes what the database and blob store of an Arca on
// shared storage (-backend) cost per request, beside its own CPU time:
// what a replica pays for keeping its state outside the process.
func (r *runner) printBacking(w io.Writer) {
	var rows []row
	for _, rw := range r.rows {
		if rw.Result != nil && rw.Result.Backed {
			rows = append(rows, rw)
		}
	}
	var installs []installRow
	for _, in := range r.installs {
		if in.Backed && in.Skipped == "" {
			installs = append(installs, in)
		}
	}
	if len(rows) == 0 && len(installs) == 0 {
		return
	}
	fmt.Fprintln(w, "\nOn shared storage: the CPU time of the database and blob store (their process trees, apart from Arca's) and the database's transactions (pg_stat_database), per request:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| scenario | case | server | Arca CPU/req | database + blob store CPU/req | database transactions/req |")
	fmt.Fprintln(w, "|---|---|---|--:|--:|--:|")
	for _, rw := range rows {
		res := rw.Result
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %.2f |\n", rw.Scenario, rw.Case, rw.Server, fmtDur(res.CPUPerReq), fmtDur(res.BackingCPUPerReq), res.DBXactsPerReq)
	}
	for _, in := range installs {
		fmt.Fprintf(w, "| npm | `npm install` of 200 packages | %s | %s per install | %s per install | %d per install |\n", in.Server, fmtDur(in.CPU), fmtDur(in.BackingCPU), in.DBXacts)
	}
}
