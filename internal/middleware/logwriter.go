package middleware

import (
	"io"
	"sync"
	"time"
)

// LogWriter batches log lines: one write to the terminal or file per
// FlushDelay (or per 32 KB) instead of one per line. Under load the access
// log writes a line per request, and a system call per line costs a
// busy server several percent of its CPU.
//
// A line reaches the underlying writer within FlushDelay of being written,
// and at once when Close is called; a crash loses at most FlushDelay of
// lines.
type LogWriter struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	timer   *time.Timer
	pending bool // the timer is armed for what buf holds
	closed  bool
}

// FlushDelay is how long a log line may wait in a LogWriter.
const FlushDelay = 50 * time.Millisecond

const logBufSize = 32 << 10

// NewLogWriter returns a LogWriter in front of w.
func NewLogWriter(w io.Writer) *LogWriter {
	l := &LogWriter{w: w, buf: make([]byte, 0, logBufSize)}
	l.timer = time.AfterFunc(FlushDelay, func() { l.Flush() })
	l.timer.Stop()
	return l
}

// Write queues p, which log handlers give whole lines at a time.
func (l *LogWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || len(p) > logBufSize {
		if err := l.flushLocked(); err != nil {
			return 0, err
		}
		return l.w.Write(p)
	}
	if len(l.buf)+len(p) > logBufSize {
		if err := l.flushLocked(); err != nil {
			return 0, err
		}
	}
	l.buf = append(l.buf, p...)
	if !l.pending {
		l.pending = true
		l.timer.Reset(FlushDelay)
	}
	return len(p), nil
}

// Flush writes what is queued.
func (l *LogWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.flushLocked()
}

func (l *LogWriter) flushLocked() error {
	l.pending = false
	if len(l.buf) == 0 {
		return nil
	}
	_, err := l.w.Write(l.buf)
	l.buf = l.buf[:0]
	return err
}

// Close flushes and makes later writes go straight through.
func (l *LogWriter) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	l.timer.Stop()
	return l.flushLocked()
}
