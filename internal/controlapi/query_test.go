package controlapi

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// checkQuery fails t unless query reads raw as url.ParseQuery does: the
// same keys, each with the same values in the same order.
func checkQuery(t *testing.T, raw string) {
	t.Helper()
	want, _ := url.ParseQuery(raw)
	var q query
	q.parse(raw)
	for k, vs := range want {
		if got := q.values(k); !slices.Equal(got, vs) {
			t.Fatalf("%q: values(%q) = %q, url.ParseQuery %q", raw, k, got, vs)
		}
		if v, ok := q.first(k); !ok || v != vs[0] {
			t.Fatalf("%q: first(%q) = %q, %v; url.ParseQuery %q", raw, k, v, ok, vs[0])
		}
	}
	// No key url.ParseQuery dropped is found: every key the pairs name,
	// decoded or not.
	for pair := range strings.SplitSeq(raw, "&") {
		k, _, _ := strings.Cut(pair, "=")
		for _, key := range []string{k, strings.ReplaceAll(k, "+", " ")} {
			if _, kept := want[key]; kept {
				continue
			}
			if v, ok := q.first(key); ok {
				t.Fatalf("%q: first(%q) = %q, url.ParseQuery drops the key", raw, key, v)
			}
			if vs := q.values(key); vs != nil {
				t.Fatalf("%q: values(%q) = %q, url.ParseQuery drops the key", raw, key, vs)
			}
		}
	}
}

func TestQueryAgreesWithNetURL(t *testing.T) {
	for _, raw := range []string{
		"",
		"domain=d&domain-owner=111122223333&repository=r&format=generic&namespace=ns&package=p&version=1.0.0&asset=a.bin",
		"a=1&a=2&b=&c",
		"a=%41%42&b+c=d+e&%zz=1&e=%zz&f=1;g=2&&h=3",
		"=x&a==b",
		strings.Repeat("k=v&", 15) + "k=last", // 16 pairs: kept here
		strings.Repeat("k=v&", 16) + "k=last", // 17: left to url.ParseQuery
		strings.Repeat("&", 40) + "a=1",
	} {
		checkQuery(t, raw)
	}
}

func FuzzQuery(f *testing.F) {
	f.Add("domain=d&domain-owner=111122223333&repository=r&format=generic&asset=a.bin")
	f.Add("a=1&a=2&b=&c&%zz=1&e=%zz&f=1;g=2&&h=%41+")
	f.Fuzz(checkQuery)
}
