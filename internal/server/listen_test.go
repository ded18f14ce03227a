package server

import (
	"bytes"
	"log/slog"
	"net"
	"strings"
	"testing"
)

func TestWarnIfExposed(t *testing.T) {
	for _, c := range []struct {
		addr string
		warn bool
	}{
		{"127.0.0.1:8700", false},
		{"[::1]:8700", false},
		{"127.0.0.2:8700", false},
		{"0.0.0.0:8700", true},
		{"[::]:8700", true},
		{"192.0.2.10:8700", true},
	} {
		addr, err := net.ResolveTCPAddr("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		warnIfExposed(addr, slog.New(slog.NewTextHandler(&buf, nil)))
		if got := strings.Contains(buf.String(), "level=WARN"); got != c.warn {
			t.Errorf("%s: warned %v, want %v: %s", c.addr, got, c.warn, buf.String())
		}
	}
}
