package throttle

import (
	"context"
	"time"

	"golang.org/x/sync/semaphore"
)

// Budget is a server-wide bound on the request bytes held in memory at
// once. A request reserves what it may buffer before reading it, waits up
// to a short while for room, and is refused when there is none.
type Budget struct {
	total int64
	wait  time.Duration
	sem   *semaphore.Weighted
}

// NewBudget returns a budget of total bytes; requests wait up to wait for
// room. A nil *Budget reserves nothing.
func NewBudget(total int64, wait time.Duration) *Budget {
	if total <= 0 {
		return nil
	}
	return &Budget{total: total, wait: wait, sem: semaphore.NewWeighted(total)}
}

// Reserve takes n bytes of the budget (all of it when n is larger), waiting
// up to the budget's wait, or until ctx ends, for room.
func (b *Budget) Reserve(ctx context.Context, n int64) (release func(), ok bool) {
	if b == nil || n <= 0 {
		return func() {}, true
	}
	n = min(n, b.total)
	if !b.sem.TryAcquire(n) {
		ctx, cancel := context.WithTimeout(ctx, b.wait)
		defer cancel()
		if b.sem.Acquire(ctx, n) != nil {
			return nil, false
		}
	}
	return func() { b.sem.Release(n) }, true
}
