package cachesize

import (
	"sync"
	"sync/atomic"
	"weak"
)

// Caches also give back what nobody uses. Each stamps an entry with the
// coarse clock (Now) whenever it keeps or serves it, and registers itself
// (Register); DropUnused drops every registered cache's entries last
// used before a tick. The server ticks the clock every half second and,
// while it is quiet, drops what has not been used for a few seconds, so
// that an idle server holds its start-up memory and not its last burst's
// (internal/server, trimWhenIdle). Reading the clock is one atomic load:
// a cache hit pays nothing else.

// clock is the coarse clock: the number of Tick calls so far.
var clock atomic.Uint32

// Now returns the coarse clock's reading, for stamping an entry in use.
func Now() uint32 { return clock.Load() }

// Tick advances the coarse clock by one and returns its new reading.
func Tick() uint32 { return clock.Add(1) }

// registry holds the registered caches weakly: a cache that nothing else
// references is collected as usual, and its sweep goes at the next
// DropUnused.
var registry struct {
	mu     sync.Mutex
	sweeps []func(before uint32) (freed int64, alive bool)
}

// Register makes DropUnused call drop on c, which must drop c's entries
// last used before the tick it is given and return the bytes they held
// (as c counts them against its share).
func Register[T any](c *T, drop func(c *T, before uint32) int64) {
	w := weak.Make(c)
	registry.mu.Lock()
	defer registry.mu.Unlock()
	registry.sweeps = append(registry.sweeps, func(before uint32) (int64, bool) {
		c := w.Value()
		if c == nil {
			return 0, false
		}
		return drop(c, before), true
	})
}

// DropUnused drops the entries of every registered cache last used
// before tick before, and returns the bytes they held.
func DropUnused(before uint32) int64 {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	var freed int64
	alive := registry.sweeps[:0]
	for _, sweep := range registry.sweeps {
		n, ok := sweep(before)
		freed += n
		if ok {
			alive = append(alive, sweep)
		}
	}
	clear(registry.sweeps[len(alive):])
	registry.sweeps = alive
	return freed
}
