package errkind

import (
	"errors"
	"fmt"
	"testing"
)

func TestIsMatchesKindOnly(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", NotFoundf("Domain d not found").OnResource("domain", "d"))
	if !errors.Is(err, ErrNotFound) {
		t.Error("a wrapped NotFound is not ErrNotFound")
	}
	if errors.Is(err, ErrConflict) {
		t.Error("a NotFound matched ErrConflict")
	}
	// A specific error is not a sentinel: matching it must not match all of its kind.
	if errors.Is(NotFoundf("x"), NotFoundf("y")) {
		t.Error("two specific errors matched each other")
	}
	if KindOf(err) != NotFound || KindOf(errors.New("plain")) != Internal {
		t.Error("KindOf")
	}
	e := As(errors.New("disk on fire"))
	if e.Kind != Internal || e.Message != "internal error" {
		t.Errorf("As(plain) = %+v; internals must not reach clients", e)
	}
}
