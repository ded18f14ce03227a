package cachesize

import (
	"fmt"
	"testing"
)

// Filled far past its bound, a Map holds no more bytes than the bound,
// keeps what was just stored, and a dropped key is only a miss.
func TestMapStaysWithinItsBound(t *testing.T) {
	const bound = 64 << 10
	m := NewMap[string, int](bound)
	t.Cleanup(m.Clear) // DropUnused in other tests counts what it frees
	for i := range 10_000 {
		k := fmt.Sprint("key-", i)
		m.Store(k, i, StringBytes(k)+8)
		if m.Bytes() > bound {
			t.Fatalf("after %d stores the map holds %d bytes, over its bound %d", i+1, m.Bytes(), bound)
		}
		if v, ok := m.Load(k); !ok || v != i {
			t.Fatalf("Load(%q) = %d, %v just after storing it", k, v, ok)
		}
	}
	held := 0
	for i := range 10_000 {
		if v, ok := m.Load(fmt.Sprint("key-", i)); ok {
			if v != i {
				t.Fatalf("key-%d holds %d", i, v)
			}
			held++
		}
	}
	if held == 0 || held >= 10_000 {
		t.Errorf("%d of 10000 entries held within %d bytes", held, bound)
	}
	if per := m.Bytes() / int64(held); per < EntryOverhead {
		t.Errorf("%d bytes counted per entry, less than the overhead %d", per, EntryOverhead)
	}
}

func TestMapReplaceDeleteAndTooLarge(t *testing.T) {
	m := NewMap[string, string](4096)
	m.Store("a", "x", 10)
	m.Store("a", "y", 20)
	if v, _ := m.Load("a"); v != "y" || m.Bytes() != 20+EntryOverhead {
		t.Errorf("after a replace: %q, %d bytes; want y, %d", v, m.Bytes(), 20+EntryOverhead)
	}
	m.Store("a", "huge", 2000)
	if _, ok := m.Load("a"); ok || m.Bytes() != 0 {
		t.Errorf("an entry over a quarter of the bound was kept (or the old one left): %d bytes", m.Bytes())
	}
	m.Store("b", "x", 1)
	m.Delete("b")
	m.Store("c", "x", 1)
	m.Clear()
	if _, ok := m.Load("c"); ok || m.Bytes() != 0 {
		t.Errorf("Clear left %d bytes", m.Bytes())
	}
}

func TestMapDropsUnused(t *testing.T) {
	m := NewMap[string, int](1 << 20)
	t.Cleanup(m.Clear)
	m.Store("old", 1, 8)
	Tick()
	m.Store("new", 2, 8)
	if freed := m.dropUnused(Now()); freed != 8+EntryOverhead {
		t.Errorf("dropUnused freed %d, want %d", freed, 8+EntryOverhead)
	}
	if _, ok := m.Load("old"); ok {
		t.Error("the unused entry is still there")
	}
	if _, ok := m.Load("new"); !ok || m.Bytes() != 8+EntryOverhead {
		t.Errorf("the recent entry went, or the count is off: %d", m.Bytes())
	}
}

// A Map made for large entries keeps one up to its largest; NewMap's
// stops at a quarter of the bound.
func TestMapOfLargeKeepsLargeEntries(t *testing.T) {
	const max = 1 << 20
	small, large := NewMap[string, int](max), NewMapOfLarge[string, int](max, max/2)
	t.Cleanup(large.Clear) // the other tests count what every Map drops
	small.Store("k", 1, max/3)
	large.Store("k", 1, max/3)
	if _, ok := small.Load("k"); ok {
		t.Error("NewMap kept an entry of a third of its bound")
	}
	if _, ok := large.Load("k"); !ok {
		t.Error("NewMapOfLarge(max, max/2) did not keep an entry of a third of its bound")
	}
	large.Store("k2", 2, max/2+1)
	if _, ok := large.Load("k2"); ok {
		t.Error("NewMapOfLarge kept an entry over its largest")
	}
}
