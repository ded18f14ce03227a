package cachesize

import (
	"runtime"
	"testing"
)

// stamped is a cache of one entry stamped with the clock.
type stamped struct {
	lastUse uint32
	size    int64
	_       *byte // never in a tiny allocation block, which is freed late
}

func (s *stamped) drop(before uint32) int64 {
	if s.size == 0 || s.lastUse >= before {
		return 0
	}
	n := s.size
	s.size = 0
	return n
}

func TestDropUnused(t *testing.T) {
	old := &stamped{lastUse: Now(), size: 100}
	Register(old, (*stamped).drop)
	Tick()
	recent := &stamped{lastUse: Now(), size: 7}
	Register(recent, (*stamped).drop)

	if freed := DropUnused(recent.lastUse); freed != 100 || old.size != 0 || recent.size != 7 {
		t.Fatalf("DropUnused = %d, sizes left %d and %d; want 100 freed, the recent entry kept", freed, old.size, recent.size)
	}
	Tick()
	if freed := DropUnused(Now()); freed != 7 || recent.size != 0 {
		t.Fatalf("DropUnused = %d, %d left; want the other entry dropped once unused", freed, recent.size)
	}
	runtime.KeepAlive(old)
	runtime.KeepAlive(recent)
}

func TestRegisterHoldsCachesWeakly(t *testing.T) {
	count := func() int {
		registry.mu.Lock()
		defer registry.mu.Unlock()
		return len(registry.sweeps)
	}
	runtime.GC()
	DropUnused(0)
	before := count()
	Register(&stamped{size: 1}, (*stamped).drop)
	if count() != before+1 {
		t.Fatalf("%d caches registered, want %d", count(), before+1)
	}
	runtime.GC()
	DropUnused(0)
	if count() != before {
		t.Errorf("a collected cache still registered: %d caches, want %d", count(), before)
	}
}
