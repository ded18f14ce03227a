package middleware

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Client is what the edge knows about the client of a request: the
// address policies see as aws:SourceIp, and whether it came over TLS
// (aws:SecureTransport).
type Client struct {
	IP     string // the client's address, "" when unknown
	Secure bool
}

type clientKey struct{}

// ClientFrom returns the client recorded in ctx by Clients.
func ClientFrom(ctx context.Context) (Client, bool) {
	c, ok := ctx.Value(clientKey{}).(*Client)
	if !ok {
		return Client{}, false
	}
	return *c, true
}

// ClientIP returns the address r came from: the client Clients recorded
// (believing X-Forwarded-For only from trusted proxies), else the
// connection's peer.
func ClientIP(r *http.Request) string {
	if c, ok := ClientFrom(r.Context()); ok && c.IP != "" {
		return c.IP
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// WithClient returns ctx carrying c as the request's client, as Clients
// records it (tests and callers that serve requests without Clients).
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, &c)
}

// Clients records each request's client in its context. The address is
// the connection's peer. Only when the peer is one of the trusted proxies
// are X-Forwarded-For and X-Forwarded-Proto read: the client is then the
// right-most address in X-Forwarded-For that is not itself a trusted
// proxy, since each proxy appends the address it received the request
// from and only those appended by trusted proxies can be believed.
// Without trusted proxies the headers are ignored, so a client cannot
// choose its own aws:SourceIp.
func Clients(h http.Handler, trusted []netip.Prefix) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := r.Context().(*requestContext); ok && !c.hasClient {
			// Inside Wrap: the request's own context holds the client.
			c.client, c.hasClient = client(r, trusted), true
			h.ServeHTTP(w, r)
			return
		}
		h.ServeHTTP(w, r.WithContext(WithClient(r.Context(), client(r, trusted))))
	})
}

func client(r *http.Request, trusted []netip.Prefix) Client {
	c := Client{Secure: r.TLS != nil}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		c.IP = host
		return c
	}
	if peer.Is4() {
		c.IP = host // ParseAddr takes only canonical IPv4 text: String would copy it
	} else {
		peer = peer.Unmap()
		c.IP = peer.String()
	}
	if !within(peer, trusted) {
		return c
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a hop nobody can vouch for: keep the last trusted answer
		}
		c.IP = a.Unmap().String()
		if !within(a.Unmap(), trusted) {
			break
		}
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		c.Secure = strings.EqualFold(strings.TrimSpace(strings.Split(p, ",")[0]), "https")
	}
	return c
}

func within(a netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
