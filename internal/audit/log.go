package audit

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of a Log's configuration.
const (
	DefaultMaxSize   = 100 << 20 // bytes per file before it rotates
	DefaultKeep      = 10        // rotated files kept beside the current one
	DefaultQueueSize = 8192      // events waiting to be written
	DefaultMaxAge    = 24 * time.Hour
	DefaultMinAge    = 7 * 24 * time.Hour
	// DefaultMaxTotal is the least disk cap of the rotated files (see
	// Config.MaxTotal).
	DefaultMaxTotal = 10 << 30
)

// Config configures a Log.
type Config struct {
	// Path is the file events are appended to; "" writes no file.
	Path string
	// MaxSize is the size in bytes past which the file rotates: PATH
	// becomes PATH.1.gz, PATH.1.gz becomes PATH.2.gz, and so on, and the
	// oldest beyond Keep is removed. 0 is DefaultMaxSize.
	MaxSize int64
	// Keep is how many rotated files are kept; 0 keeps none (the file
	// starts over when it is full), unless MinAge keeps more.
	Keep int
	// MaxAge is the age past which the file rotates even if it is not
	// full, so that retention is counted in days too; 0 is
	// DefaultMaxAge, negative never.
	MaxAge time.Duration
	// MinAge is the retention floor: a rotated file last written less
	// than MinAge ago is kept even beyond Keep (PATH.11, PATH.12, ...),
	// unless the rotated files together pass MaxTotal. 0 is
	// DefaultMinAge, negative no floor.
	MinAge time.Duration
	// MaxTotal caps the bytes of the rotated files: past it the oldest go
	// whatever their age. 0 is the larger of DefaultMaxTotal and twice
	// (Keep+1) times MaxSize.
	MaxTotal int64
	// Stdout, when set, receives every event as well (`--audit-log -` or
	// --audit-log-stdout).
	Stdout io.Writer
	// QueueSize bounds the events waiting to be written; 0 is
	// DefaultQueueSize. Events beyond it are dropped and counted.
	QueueSize int
	// Log receives the Log's own problems (drops, write errors).
	Log *slog.Logger
	// DataEvents selects the package reads that are recorded (CloudTrail's
	// data events); the zero value records none. Everything else (the
	// control plane, IAM, STS, every package write and every request that
	// failed) is always recorded.
	DataEvents DataEvents
}

// DataEvents selects the repositories whose package reads (successful
// ReadFromRepository requests) are recorded.
type DataEvents struct {
	// All records every repository's reads.
	All bool
	// Repositories records the reads of these, each "DOMAIN/REPOSITORY".
	Repositories map[string]bool
}

// Records reports whether reads of the repository are recorded.
func (d DataEvents) Records(domain, repository string) bool {
	return d.All || (len(d.Repositories) > 0 && d.Repositories[domain+"/"+repository])
}

// Log writes events, one JSON object per line, from one goroutine.
type Log struct {
	cfg     Config
	queue   chan *Event
	done    chan struct{}
	dropped atomic.Uint64
	written atomic.Uint64
	refused refusals

	closeOnce sync.Once
	closed    atomic.Bool
	mu        sync.RWMutex // held for reading while enqueueing, for writing by Close

	// Owned by the writing goroutine.
	file      *os.File
	buf       *bufio.Writer
	size      int64
	opened    time.Time // when the current file was opened
	lastError int64     // unix second of the last write error logged
	// compressing is closed when the last rotated file is compressed.
	compressing chan struct{}
}

// Open opens the log (creating its file and directory) and starts its
// writer.
func Open(cfg Config) (*Log, error) {
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = DefaultMaxSize
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.Keep < 0 {
		cfg.Keep = 0
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.MinAge == 0 {
		cfg.MinAge = DefaultMinAge
	}
	if cfg.MaxTotal <= 0 {
		cfg.MaxTotal = max(DefaultMaxTotal, 2*int64(cfg.Keep+1)*cfg.MaxSize)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	l := &Log{cfg: cfg, queue: make(chan *Event, cfg.QueueSize), done: make(chan struct{})}
	if cfg.Path != "" {
		if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
			return nil, fmt.Errorf("audit log: %w", err)
		}
		if err := l.openFile(); err != nil {
			return nil, err
		}
	}
	go l.run()
	return l, nil
}

func (l *Log) openFile() error {
	f, err := os.OpenFile(l.cfg.Path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("audit log: %w", err)
	}
	l.file, l.size, l.opened = f, st.Size(), time.Now()
	if l.buf == nil {
		l.buf = bufio.NewWriterSize(f, 64<<10)
	} else {
		l.buf.Reset(f)
	}
	return nil
}

// Write queues e to be written and returns at once. When the queue is
// full, or the log is closed, e is dropped and counted.
func (l *Log) Write(e *Event) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed.Load() {
		l.dropped.Add(1)
		return
	}
	select {
	case l.queue <- e:
	default:
		l.dropped.Add(1)
	}
}

// Refused takes the event of a request that identified no caller and
// failed: it is counted into its source's summary for the interval, which
// the writer writes when the interval ends (see RefusalInterval).
func (l *Log) Refused(e *Event) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed.Load() {
		l.dropped.Add(1)
		return
	}
	l.refused.add(e, time.Now())
}

// Dropped returns how many events were dropped so far.
func (l *Log) Dropped() uint64 { return l.dropped.Load() }

// Written returns how many events were written so far.
func (l *Log) Written() uint64 { return l.written.Load() }

// Close writes the events still queued, flushes and closes the file.
func (l *Log) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closed.Store(true)
		close(l.queue)
		l.mu.Unlock()
		<-l.done
		l.waitCompressed()
	})
	if l.file != nil {
		return l.file.Close()
	}
	return nil
}

// flushDelay is how long written events may wait in the buffer for
// others: under load one write carries many events instead of one each.
const flushDelay = 20 * time.Millisecond

// run writes queued events until the queue is closed. Events reach the
// file within flushDelay of being written (at once when the buffer fills),
// and drops are reported at most once a second.
func (l *Log) run() {
	defer close(l.done)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	flush := time.NewTimer(flushDelay)
	flush.Stop()
	pending := false // buffered events wait for the flush timer
	var reported uint64
	var line []byte
	for {
		select {
		case e, ok := <-l.queue:
			if !ok {
				for _, e := range l.refused.take(time.Now(), true) {
					line = l.writeEvent(line, e)
				}
				l.flush()
				l.reportDrops(reported)
				return
			}
			line = l.writeEvent(line, e)
			if !pending {
				pending = true
				flush.Reset(flushDelay)
			}
		case <-flush.C:
			l.flush()
			pending = false
		case <-tick.C:
			reported = l.reportDrops(reported)
			if sums := l.refused.take(time.Now(), false); len(sums) > 0 {
				for _, e := range sums {
					line = l.writeEvent(line, e)
				}
				l.flush()
			}
		}
	}
}

// writeEvent writes e's line, using line's storage, and returns it for the
// next.
func (l *Log) writeEvent(line []byte, e *Event) []byte {
	b, err := e.AppendJSON(line[:0])
	if err != nil {
		l.cfg.Log.Error("audit event", "error", err)
		return line
	}
	line = append(b, '\n')
	l.writeLine(line)
	return line
}

func (l *Log) reportDrops(reported uint64) uint64 {
	if d := l.dropped.Load(); d > reported {
		l.cfg.Log.Warn("audit events dropped: the audit log cannot keep up", "dropped", d-reported, "dropped_total", d)
		return d
	}
	return reported
}

// writeLine appends one event's line, rotating first if it would make the
// file larger than MaxSize.
func (l *Log) writeLine(line []byte) {
	if l.cfg.Stdout != nil {
		if _, err := l.cfg.Stdout.Write(line); err != nil {
			l.writeError(err)
		}
	}
	if l.file == nil {
		l.written.Add(1)
		return
	}
	if l.size > 0 && (l.size+int64(len(line)) > l.cfg.MaxSize || l.cfg.MaxAge > 0 && time.Since(l.opened) >= l.cfg.MaxAge) {
		if err := l.rotate(); err != nil {
			l.writeError(err)
		}
	}
	if l.file == nil {
		return // rotation failed to reopen
	}
	n, err := l.buf.Write(line)
	l.size += int64(n)
	if err != nil {
		l.writeError(err)
		return
	}
	l.written.Add(1)
}

// writeError logs a write failure, at most once a second.
func (l *Log) writeError(err error) {
	if now := time.Now().Unix(); now != l.lastError {
		l.lastError = now
		l.cfg.Log.Error("writing the audit log", "error", err)
	}
}

func (l *Log) flush() {
	if l.buf != nil && l.buf.Buffered() > 0 {
		if err := l.buf.Flush(); err != nil {
			l.writeError(err)
		}
	}
}

// rotate closes the file, shifts PATH.N.gz to PATH.N+1.gz and PATH to
// PATH.1, opens a new PATH, and then removes the oldest rotated files
// beyond Keep that are older than MinAge, and beyond MaxTotal whatever
// their age. PATH.1 is then compressed to PATH.1.gz beside the writer
// (compressing is not waited for by requests; the next rotation and Close
// wait for it).
func (l *Log) rotate() error {
	l.flush()
	if err := l.file.Close(); err != nil {
		l.writeError(err)
	}
	l.file = nil
	l.waitCompressed()
	p := l.cfg.Path
	// name returns the rotated file of slot i as it is on disk: gzipped,
	// or not (yet, or written before rotated files were compressed).
	name := func(i int) string {
		n := p + "." + strconv.Itoa(i)
		if _, err := os.Lstat(n + ".gz"); err == nil {
			return n + ".gz"
		}
		return n
	}
	exists := func(n string) bool { _, err := os.Lstat(n); return err == nil }
	n := 0 // rotated files: slots 1 to n
	for exists(name(n + 1)) {
		n++
	}
	for i := n; i >= 1; i-- {
		from := name(i)
		to := p + "." + strconv.Itoa(i+1)
		if strings.HasSuffix(from, ".gz") {
			to += ".gz"
		}
		if err := os.Rename(from, to); err != nil {
			l.writeError(err)
		}
	}
	if err := os.Rename(p, p+".1"); err != nil {
		l.writeError(err)
	}
	l.prune(n+1, name)
	done := make(chan struct{})
	l.compressing = done
	go func() {
		defer close(done)
		if err := compressFile(p + ".1"); err != nil {
			l.writeError(err)
		}
	}()
	return l.openFile()
}

// waitCompressed waits for the last rotated file to be compressed.
func (l *Log) waitCompressed() {
	if l.compressing != nil {
		<-l.compressing
		l.compressing = nil
	}
}

// compressFile replaces path with path.gz, written beside it first so
// that a crash leaves one whole file or the other.
func compressFile(path string) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := path + ".gz.tmp"
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(out)
	_, err = io.Copy(zw, in)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path+".gz")
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Remove(path)
}

// prune removes rotated files, the oldest (highest number) first, while
// there are more than Keep of them and the oldest is older than MinAge, or
// while together they pass MaxTotal.
func (l *Log) prune(n int, name func(int) string) {
	var total int64
	mtimes := make([]time.Time, n+1)
	sizes := make([]int64, n+1)
	for i := 1; i <= n; i++ {
		if fi, err := os.Stat(name(i)); err == nil {
			mtimes[i], sizes[i] = fi.ModTime(), fi.Size()
			total += fi.Size()
		}
	}
	now := time.Now()
	for i := n; i >= 1; i-- {
		old := l.cfg.MinAge < 0 || now.Sub(mtimes[i]) >= l.cfg.MinAge
		if !(i > l.cfg.Keep && old) && total <= l.cfg.MaxTotal {
			return
		}
		if err := os.Remove(name(i)); err != nil && !errors.Is(err, os.ErrNotExist) {
			l.writeError(err)
			return
		}
		total -= sizes[i]
	}
}
