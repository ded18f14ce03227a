package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// procStat is what /proc says about one process.
type procStat struct {
	ppid  int
	ticks uint64 // utime + stime
	rss   int64  // bytes
}

// readStat reads /proc/<pid>/stat and statm.
func readStat(pid int) (procStat, bool) {
	dir := "/proc/" + strconv.Itoa(pid)
	b, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// The command name is in parentheses and may hold spaces: the fields
	// that follow start after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
	if len(f) < 13 {
		return procStat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	ut, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	s := procStat{ppid: ppid, ticks: ut + st}
	if m, err := os.ReadFile(dir + "/statm"); err == nil {
		if g := strings.Fields(string(m)); len(g) >= 2 {
			pages, _ := strconv.ParseInt(g[1], 10, 64)
			s.rss = pages * int64(os.Getpagesize())
		}
	}
	return s, true
}

// treeUsage returns the CPU time (utime+stime) and RSS summed over the
// process root and all its descendants: nginx's master and workers, a
// server started through a wrapper.
func treeUsage(root int) (cpu time.Duration, rss int64) {
	var ticks uint64
	for _, pid := range treePIDs(root) {
		if s, ok := readStat(pid); ok {
			ticks += s.ticks
			rss += s.rss
		}
	}
	return time.Duration(ticks) * time.Second / clockTicks, rss
}

// treePIDs returns root and all its descendants.
func treePIDs(root int) []int {
	all := map[int]procStat{}
	children := map[int][]int{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if s, ok := readStat(pid); ok {
			all[pid] = s
			children[s.ppid] = append(children[s.ppid], pid)
		}
	}
	var out []int
	var walk func(pid int)
	walk = func(pid int) {
		if _, ok := all[pid]; !ok {
			return
		}
		out = append(out, pid)
		for _, c := range children[pid] {
			walk(c)
		}
	}
	walk(root)
	return out
}

// rssSampler records the peak RSS of a process tree while it runs.
type rssSampler struct {
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	peak int64
}

// sampleRSS samples the RSS of pid's process tree every interval until
// Peak is called.
func sampleRSS(pid int, every time.Duration) *rssSampler {
	s := &rssSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			_, rss := treeUsage(pid)
			s.mu.Lock()
			s.peak = max(s.peak, rss)
			s.mu.Unlock()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Peak stops sampling and returns the largest RSS seen.
func (s *rssSampler) Peak() int64 {
	close(s.stop)
	<-s.done
	return s.peak
}

// systemBusy returns the CPU time all CPUs spent busy since boot, from
// the first line of /proc/stat (user, nice, system, irq, softirq, steal).
func systemBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var ticks uint64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		n, _ := strconv.ParseUint(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// usage is a snapshot of who used the CPU: the server's process tree,
// this process with its children (the load generator, wrk), and the
// machine as a whole.
type usage struct {
	at             time.Time
	server, client time.Duration
	system         time.Duration
	backing        time.Duration // the server's database and blob store
	xacts          int64         // the database's transactions
}

// snapshot reads the CPU time of the server (and what backs it), of this
// process and of the machine, now.
func snapshot(pid int, b *backing) usage {
	u := usage{at: time.Now(), system: systemBusy()}
	u.server, _ = treeUsage(pid)
	u.backing, u.xacts = b.usage()
	u.client = clientUsage()
	return u
}

// others returns the share of the machine's CPU capacity used between a
// and b by processes other than the server and the load generator: how
// much other work shared the machine during a measurement.
func others(a, b usage) float64 {
	capacity := b.at.Sub(a.at).Seconds() * float64(runtime.NumCPU())
	if capacity <= 0 {
		return 0
	}
	o := (b.system - a.system) - (b.server - a.server) - (b.client - a.client) - (b.backing - a.backing)
	return max(0, o.Seconds()/capacity)
}

// procStatus returns the anonymous and file-backed RSS of a process tree
// (from /proc/<pid>/status), to tell heap from mapped binary and
// libraries.
func procStatus(root int) (anon, file int64) {
	for _, pid := range treePIDs(root) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(l, ":")
			if !ok {
				continue
			}
			f := strings.Fields(v)
			if len(f) == 0 {
				continue
			}
			n, _ := strconv.ParseInt(f[0], 10, 64)
			switch k {
			case "RssAnon":
				anon += n << 10
			case "RssFile", "RssShmem":
				file += n << 10
			}
		}
	}
	return anon, file
}

// clientUsage is the CPU time of this process and of its children that
// are not servers (wrk).
func clientUsage() time.Duration {
	servers := map[int]bool{}
	roots := slices.Clone(apart)
	for _, s := range running {
		roots = append(roots, s.PID())
	}
	for _, root := range roots {
		for _, pid := range treePIDs(root) {
			servers[pid] = true
		}
	}
	var ticks uint64
	for _, pid := range treePIDs(os.Getpid()) {
		if servers[pid] {
			continue
		}
		if s, ok := readStat(pid); ok {
			ticks += s.ticks
		}
	}
	return time.Duration(ticks) * time.Second / clockTicks
}
