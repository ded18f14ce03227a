package respond

import (
	"context"
	"io"
	"net"
	"sync"
)

// Coalescing writes.
//
// net/http writes a response through a 4 KB buffer: a 10 KB asset leaves
// as a 4 KB write (headers and the start of the body) and a 6 KB one, and
// on loopback or a LAN each write costs a pass through the TCP stack that
// is most of a small response's CPU. When the body is in memory, Bytes
// holds the connection's writes, flushes the response into the hold and
// releases it as one write.

// Listener returns ln with connections whose writes Bytes can hold. Serve
// with ConnContext as the http.Server's ConnContext.
func Listener(ln net.Listener) net.Listener { return listener{ln} }

type listener struct{ net.Listener }

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c}, nil
}

type connKey struct{}

// ConnContext is the http.Server hook that lets a request's handler find
// its connection.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*conn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

func connOf(ctx context.Context) *conn {
	c, _ := ctx.Value(connKey{}).(*conn)
	return c
}

// holdSize bounds what one hold keeps: a small asset and its headers.
// Bigger responses go out as they come.
const holdSize = SmallBody + 4<<10

var holdBufs = sync.Pool{New: func() any { b := make([]byte, 0, holdSize); return &b }}

// conn is a connection whose writes can be held. net/http writes to a
// connection only from the goroutine serving its current request, so the
// hold needs no lock.
type conn struct {
	net.Conn
	held *[]byte // non-nil while writes are held
}

func (c *conn) Write(p []byte) (int, error) {
	if c.held == nil {
		return c.Conn.Write(p)
	}
	if b := *c.held; len(b)+len(p) <= cap(b) {
		*c.held = append(b, p...)
		return len(p), nil
	}
	if err := c.writeHeld(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// ReadFrom keeps sendfile: net/http hands files to the connection's
// ReadFrom, which a wrapper would otherwise hide.
func (c *conn) ReadFrom(r io.Reader) (int64, error) {
	if c.held != nil {
		if err := c.writeHeld(); err != nil {
			return 0, err
		}
	}
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

// CloseWrite passes through what net/http uses to end a connection
// gracefully.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *conn) hold() {
	b := holdBufs.Get().(*[]byte)
	*b = (*b)[:0]
	c.held = b
}

// release sends what was held, in one write, and stops holding.
func (c *conn) release() error {
	err := c.writeHeld()
	holdBufs.Put(c.held)
	c.held = nil
	return err
}

func (c *conn) writeHeld() error {
	b := *c.held
	*c.held = b[:0]
	if len(b) == 0 {
		return nil
	}
	_, err := c.Conn.Write(b)
	return err
}
