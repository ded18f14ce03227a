package middleware

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClients(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	for _, tc := range []struct {
		name, remote, xff, proto string
		trusted                  []netip.Prefix
		want                     Client
	}{
		{"no proxies: headers ignored", "203.0.113.5:4000", "198.51.100.1", "https", nil, Client{IP: "203.0.113.5"}},
		{"untrusted peer: headers ignored", "203.0.113.5:4000", "198.51.100.1", "https", proxies, Client{IP: "203.0.113.5"}},
		{"trusted proxy: its client", "10.1.2.3:4000", "198.51.100.1", "https", proxies, Client{IP: "198.51.100.1", Secure: true}},
		{"a forged hop before the real client is not believed", "10.1.2.3:4000", "6.6.6.6, 198.51.100.1", "http", proxies, Client{IP: "198.51.100.1"}},
		{"a chain of trusted proxies", "10.1.2.3:4000", "198.51.100.1, 192.0.2.7, 10.9.9.9", "", proxies, Client{IP: "198.51.100.1"}},
		{"garbage hop: the last trusted answer", "10.1.2.3:4000", "not-an-ip, 10.9.9.9", "", proxies, Client{IP: "10.9.9.9"}},
		{"IPv4 in IPv6", "[::ffff:10.1.2.3]:4000", "198.51.100.1", "", proxies, Client{IP: "198.51.100.1"}},
		{"trusted proxy, no header", "10.1.2.3:4000", "", "", proxies, Client{IP: "10.1.2.3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got Client
			h := Clients(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				got, _ = ClientFrom(r.Context())
			}), tc.trusted)
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if tc.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			h.ServeHTTP(httptest.NewRecorder(), r)
			if got != tc.want {
				t.Errorf("client = %+v, want %+v", got, tc.want)
			}
		})
	}
}
