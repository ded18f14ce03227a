package upstreamtest

import (
	"sync"
	"time"
)

// Clock is a clock that moves only when told, for the TTLs and failure
// memories of the registry clients (their Config.Now):
//
//	clock := upstreamtest.NewClock()
//	reg := npm.NewConnection(upstream.Config{URL: fake.URL, Now: clock.Now})
//	clock.Advance(upstream.DefaultTTL) // the cached document is stale
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at a fixed time, 2025-01-01 00:00 UTC.
func NewClock() *Clock { return &Clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock d forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
