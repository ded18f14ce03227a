package controlapi

import (
	"net/url"
	"strings"
)

// query is a request's query string, decoded as url.ParseQuery decodes it
// but into pairs held on the caller's stack: binding an input looks up
// each of its querystring members in it, where url.Values built a map and
// a slice per key on every request (GetPackageVersionAsset, on every
// generic download, sends eight).
type query struct {
	pairs [maxQueryPairs]queryPair
	n     int
	all   url.Values // the query decoded by net/url, when it has more pairs
}

type queryPair struct{ key, value string }

// maxQueryPairs is how many pairs query keeps itself; a longer query is
// left to url.ParseQuery.
const maxQueryPairs = 16

// parse reads raw. A pair url.ParseQuery would drop (one holding a
// semicolon, an empty one, one that does not unescape) is dropped here
// too.
func (q *query) parse(raw string) {
	q.n, q.all = 0, nil
	if strings.Count(raw, "&") >= maxQueryPairs {
		q.all, _ = url.ParseQuery(raw)
		return
	}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" || strings.IndexByte(pair, ';') >= 0 {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			continue
		}
		if v, err = url.QueryUnescape(v); err != nil {
			continue
		}
		q.pairs[q.n] = queryPair{k, v}
		q.n++
	}
}

// first returns key's first value, as url.Values's Get, and whether the
// query has key.
func (q *query) first(key string) (string, bool) {
	if q.all != nil {
		vs, ok := q.all[key]
		if !ok {
			return "", false
		}
		return vs[0], true
	}
	for _, p := range q.pairs[:q.n] {
		if p.key == key {
			return p.value, true
		}
	}
	return "", false
}

// values returns key's values in the order sent (nil if none).
func (q *query) values(key string) []string {
	if q.all != nil {
		return q.all[key]
	}
	var vs []string
	for _, p := range q.pairs[:q.n] {
		if p.key == key {
			vs = append(vs, p.value)
		}
	}
	return vs
}
