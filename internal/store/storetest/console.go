package storetest

import (
	"testing"
	"time"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

func consoleTests() []namedTest {
	return []namedTest{{"ConsoleSessions", testConsoleSessions}}
}

func testConsoleSessions(t *testing.T, s store.Store) {
	t0 := now()
	a := store.ConsoleSession{ID: "aa", AccountID: acctA, PrincipalARN: "arn:aws:iam::" + acctA + ":user/u", UserID: "AIDAU",
		CSRF: "c", ResetRequired: true, CreatedAt: t0, LastSeen: t0}
	b := store.ConsoleSession{ID: "bb", AccountID: acctA, PrincipalARN: "arn:aws:iam::" + acctA + ":root", CSRF: "d",
		CreatedAt: t0.Add(-13 * time.Hour), LastSeen: t0}
	c := store.ConsoleSession{ID: "cc", AccountID: acctA, PrincipalARN: b.PrincipalARN, CSRF: "e",
		CreatedAt: t0.Add(-time.Hour), LastSeen: t0.Add(-31 * time.Minute)}
	for _, x := range []store.ConsoleSession{a, b, c} {
		must(t, s.CreateConsoleSession(ctx, x))
	}
	wantKind(t, s.CreateConsoleSession(ctx, a), errkind.ErrConflict, "CreateConsoleSession twice")
	got, err := s.GetConsoleSession(ctx, "aa")
	must(t, err)
	if got != a {
		t.Fatalf("GetConsoleSession = %+v, want %+v", got, a)
	}
	must(t, s.TouchConsoleSession(ctx, "aa", t0.Add(time.Minute)))
	must(t, s.SetConsoleSessionReset(ctx, "aa", false))
	got, err = s.GetConsoleSession(ctx, "aa")
	must(t, err)
	if !got.LastSeen.Equal(t0.Add(time.Minute)) || got.ResetRequired {
		t.Fatalf("after Touch and SetReset: %+v", got)
	}
	wantKind(t, s.TouchConsoleSession(ctx, "zz", t0), errkind.ErrNotFound, "TouchConsoleSession missing")
	wantKind(t, s.SetConsoleSessionReset(ctx, "zz", true), errkind.ErrNotFound, "SetConsoleSessionReset missing")
	// Idle for 30 minutes, or 12 hours old: b and c go, a stays.
	n, err := s.DeleteExpiredConsoleSessions(ctx, t0.Add(-30*time.Minute), t0.Add(-12*time.Hour))
	must(t, err)
	if n != 2 {
		t.Fatalf("DeleteExpiredConsoleSessions removed %d, want 2", n)
	}
	for _, id := range []string{"bb", "cc"} {
		_, err := s.GetConsoleSession(ctx, id)
		wantKind(t, err, errkind.ErrNotFound, "an expired session")
	}
	must(t, s.DeleteConsoleSession(ctx, "aa"))
	wantKind(t, s.DeleteConsoleSession(ctx, "aa"), errkind.ErrNotFound, "DeleteConsoleSession twice")
}
