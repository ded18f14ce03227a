package audit

import (
	"maps"
	"sync"
	"time"
)

// Refusals of strangers are counted, not logged one by one: a request that
// identified no caller and failed (no credentials, a garbage token, a bad
// signature, an unknown access key) costs its sender nothing, so one event
// each would let anyone flood the log and rotate the real events out of
// it. Instead each source address gets one summary event per
// RefusalInterval and per service and error code: the first refusal's
// event, with additionalEventData.refusedRequests the count and
// firstEventTime and lastEventTime the span. At most maxRefusalSources
// summaries are kept per interval; refusals beyond them are counted in one
// more summary with no source address. A refusal therefore reaches the log
// within RefusalInterval (and at Close).
const (
	RefusalInterval   = time.Minute
	maxRefusalSources = 100
)

type refusalKey struct{ ip, source, code string }

type refusal struct {
	first *Event
	count int
	last  string // eventTime of the latest
}

// refusals gathers the refusals of one interval.
type refusals struct {
	mu     sync.Mutex
	start  time.Time // of the interval; zero when empty
	byKey  map[refusalKey]*refusal
	others *refusal
}

func (r *refusals) add(e *Event, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.start.IsZero() {
		r.start = now
	}
	k := refusalKey{e.SourceIPAddress, e.EventSource, e.ErrorCode}
	agg := r.byKey[k]
	if agg == nil {
		if len(r.byKey) >= maxRefusalSources {
			if r.others == nil {
				first := *e
				first.SourceIPAddress, first.UserAgent = "", ""
				first.RequestParameters = nil
				r.others = &refusal{first: &first}
			}
			agg = r.others
		} else {
			if r.byKey == nil {
				r.byKey = map[refusalKey]*refusal{}
			}
			agg = &refusal{first: e}
			r.byKey[k] = agg
		}
	}
	agg.count++
	agg.last = e.EventTime
}

// take returns the summaries gathered so far if the interval began at
// least RefusalInterval before now (any age when force is set), and starts
// a new interval.
func (r *refusals) take(now time.Time, force bool) []*Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.start.IsZero() || (!force && now.Sub(r.start) < RefusalInterval) {
		return nil
	}
	out := make([]*Event, 0, len(r.byKey)+1)
	for _, agg := range r.byKey {
		out = append(out, agg.summary())
	}
	if r.others != nil {
		out = append(out, r.others.summary())
	}
	r.start, r.byKey, r.others = time.Time{}, nil, nil
	return out
}

func (agg *refusal) summary() *Event {
	e := *agg.first
	e.AdditionalEventData = maps.Clone(e.AdditionalEventData)
	if e.AdditionalEventData == nil {
		e.AdditionalEventData = map[string]any{}
	}
	e.AdditionalEventData["refusedRequests"] = agg.count
	e.AdditionalEventData["firstEventTime"] = agg.first.EventTime
	e.AdditionalEventData["lastEventTime"] = agg.last
	return &e
}
