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

func TestAWSType(t *testing.T) {
	for k, want := range map[Kind]string{
		Validation: "ValidationException", NotFound: "ResourceNotFoundException", Conflict: "ConflictException",
		AccessDenied: "AccessDeniedException", Unavailable: "InternalServerException", Kind(99): "InternalServerException",
	} {
		if got := k.AWSType(); got != want {
			t.Errorf("%v.AWSType() = %q, want %q", k, got, want)
		}
	}
	for k := range Kind(len(kindNames)) {
		if k.AWSType() == "" {
			t.Errorf("%v has no AWS error type", k)
		}
	}
}
