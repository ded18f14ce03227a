package audit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of a Log's configuration.
const (
	DefaultMaxSize   = 100 << 20 // bytes per file before it rotates
	DefaultKeep      = 10        // rotated files kept beside the current one
	DefaultQueueSize = 8192      // events waiting to be written
)

// Config configures a Log.
type Config struct {
	// Path is the file events are appended to; "" writes no file.
	Path string
	// MaxSize is the size in bytes past which the file rotates: PATH
	// becomes PATH.1, PATH.1 becomes PATH.2, and so on, and the oldest
	// beyond Keep is removed. 0 is DefaultMaxSize.
	MaxSize int64
	// Keep is how many rotated files are kept; 0 keeps none (the file
	// starts over when it is full).
	Keep int
	// Stdout, when set, receives every event as well (`--audit-log -` or
	// --audit-log-stdout).
	Stdout io.Writer
	// QueueSize bounds the events waiting to be written; 0 is
	// DefaultQueueSize. Events beyond it are dropped and counted.
	QueueSize int
	// Log receives the Log's own problems (drops, write errors).
	Log *slog.Logger
}

// Log writes events, one JSON object per line, from one goroutine.
type Log struct {
	cfg     Config
	queue   chan *Event
	done    chan struct{}
	dropped atomic.Uint64
	written atomic.Uint64

	closeOnce sync.Once
	closed    atomic.Bool
	mu        sync.RWMutex // held for reading while enqueueing, for writing by Close

	// Owned by the writing goroutine.
	file      *os.File
	buf       *bufio.Writer
	size      int64
	lastError int64 // unix second of the last write error logged
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
	l.file, l.size = f, st.Size()
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
				l.flush()
				l.reportDrops(reported)
				return
			}
			b, err := e.AppendJSON(line[:0])
			if err != nil {
				l.cfg.Log.Error("audit event", "error", err)
				continue
			}
			line = append(b, '\n')
			l.writeLine(line)
			if !pending {
				pending = true
				flush.Reset(flushDelay)
			}
		case <-flush.C:
			l.flush()
			pending = false
		case <-tick.C:
			reported = l.reportDrops(reported)
		}
	}
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
	if l.size > 0 && l.size+int64(len(line)) > l.cfg.MaxSize {
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

// rotate closes the file, shifts PATH.N to PATH.N+1 (dropping the oldest
// beyond Keep) and PATH to PATH.1, and opens a new PATH.
func (l *Log) rotate() error {
	l.flush()
	if err := l.file.Close(); err != nil {
		l.writeError(err)
	}
	l.file = nil
	p := l.cfg.Path
	name := func(i int) string { return p + "." + strconv.Itoa(i) }
	if l.cfg.Keep == 0 {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			l.writeError(err)
		}
	} else {
		if err := os.Remove(name(l.cfg.Keep)); err != nil && !errors.Is(err, os.ErrNotExist) {
			l.writeError(err)
		}
		for i := l.cfg.Keep - 1; i >= 1; i-- {
			if err := os.Rename(name(i), name(i+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
				l.writeError(err)
			}
		}
		if err := os.Rename(p, name(1)); err != nil {
			l.writeError(err)
		}
	}
	return l.openFile()
}
