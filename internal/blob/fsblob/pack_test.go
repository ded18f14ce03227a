package fsblob_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/blob"
	"github.com/arcahq/arca/internal/blob/fsblob"
)

// packRows reads the pack's rows (digest hex → bytes) with SQL, as an
// operator would: the pack's table is part of the layout.
func packRows(t *testing.T, root string) map[string][]byte {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(root, "pack.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT digest, size, data FROM blobs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string][]byte{}
	for rows.Next() {
		var d, data []byte
		var size int
		if err := rows.Scan(&d, &size, &data); err != nil {
			t.Fatal(err)
		}
		if size != len(data) {
			t.Errorf("row %x: size %d, %d bytes", d, size, len(data))
		}
		got[hex.EncodeToString(d)] = data
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

// setPackedModTime sets a packed blob's modification time with SQL.
func setPackedModTime(t *testing.T, root string, d blob.Digest, at time.Time) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(root, "pack.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE blobs SET mtime = ? WHERE digest = ?`, at.UnixNano(), d[:]); err != nil {
		t.Fatal(err)
	}
}

// readAll reads blob d of s whole.
func readAll(t *testing.T, s blob.Store, d blob.Digest) []byte {
	t.Helper()
	rc, _, err := s.Open(t.Context(), d)
	if err != nil {
		t.Fatalf("Open(%s): %v", d, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func filePath(root string, h string) string {
	return filepath.Join(root, "sha256", h[:2], h[2:4], h)
}

// A blob of at most PackMax bytes is a row of root/pack.db, not a file; the
// pack is private; Open hands out the bytes in memory.
func TestPackLayout(t *testing.T) {
	root := t.TempDir()
	s := newStore(t, root)
	for _, data := range [][]byte{[]byte("small"), bytes.Repeat([]byte{'x'}, fsblob.PackMax), {}} {
		info, err := blob.Put(t.Context(), s, bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		h := hex.EncodeToString(sum[:])
		if got, ok := packRows(t, root)[h]; !ok || !bytes.Equal(got, data) {
			t.Errorf("%d bytes: pack row %v, %d bytes; want the blob", len(data), ok, len(got))
		}
		if _, err := os.Stat(filePath(root, h)); !os.IsNotExist(err) {
			t.Errorf("%d bytes: a file at %s as well (%v)", len(data), filePath(root, h), err)
		}
		rc, _, err := s.Open(t.Context(), info.Digest)
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := rc.(interface{ Bytes() []byte }); !ok || !bytes.Equal(m.Bytes(), data) {
			t.Errorf("Open returned %T, want the bytes in memory (Bytes)", rc)
		}
		rc.Close()
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(filepath.Join(root, "pack.db"))
		if err != nil || fi.Mode().Perm()&^0o600 != 0 {
			t.Errorf("pack.db: %v, mode %v; want at most 0600", err, fi.Mode().Perm())
		}
	}
	if names := tmpFiles(t, root); len(names) != 0 {
		t.Errorf("root/tmp holds %v after Commit, want nothing", names)
	}
}

// A directory written before the pack existed (every blob a file) keeps
// working: its blobs are found, walked, deduplicated against and deleted
// where they are.
func TestOldLayout(t *testing.T) {
	root := t.TempDir()
	old := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	blobs := map[string][]byte{}
	for _, data := range [][]byte{[]byte("an old small blob"), large("an old large blob"), []byte("an old damaged blob")} {
		sum := sha256.Sum256(data)
		h := hex.EncodeToString(sum[:])
		p := filePath(root, h)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		blobs[h] = data
	}
	s := newStore(t, root)
	ctx := t.Context()
	for h, data := range blobs {
		d, _ := blob.ParseDigest(h)
		info, err := s.Stat(ctx, d)
		if err != nil || info.Size != int64(len(data)) || !info.ModTime.Equal(old) {
			t.Errorf("Stat(old %s) = %+v, %v; want size %d, ModTime %v", h, info, err, len(data), old)
		}
		if got := readAll(t, s, d); !bytes.Equal(got, data) {
			t.Errorf("Open(old %s) read %q", h, got)
		}
	}
	seen := 0
	if err := s.Walk(ctx, func(i blob.Info) error {
		if _, ok := blobs[i.Digest.String()]; !ok {
			t.Errorf("Walk reported %s", i.Digest)
		}
		seen++
		return nil
	}); err != nil || seen != len(blobs) {
		t.Errorf("Walk saw %d blobs (%v), want %d", seen, err, len(blobs))
	}

	// Committing an old small blob's bytes again refreshes its file and
	// packs nothing.
	small := []byte("an old small blob")
	info, err := blob.Put(ctx, s, bytes.NewReader(small))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filePath(root, info.Digest.String()))
	if err != nil || time.Since(fi.ModTime()) > time.Hour {
		t.Errorf("the old file after a deduplicating Commit: %v, %v; want it refreshed", err, fi)
	}
	if rows := packRows(t, root); len(rows) != 0 {
		t.Errorf("pack holds %d rows after a commit of an old file's bytes, want none", len(rows))
	}

	// A damaged file (wrong size) does not absorb a commit: the bytes go
	// into the pack and the file goes.
	damaged := []byte("an old damaged blob")
	dsum := sha256.Sum256(damaged)
	dh := hex.EncodeToString(dsum[:])
	if err := os.Truncate(filePath(root, dh), 3); err != nil {
		t.Fatal(err)
	}
	if _, err := blob.Put(ctx, s, bytes.NewReader(damaged)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filePath(root, dh)); !os.IsNotExist(err) {
		t.Errorf("the damaged file is still there: %v", err)
	}
	if got := readAll(t, s, blob.Digest(dsum)); !bytes.Equal(got, damaged) {
		t.Errorf("after recommit, Open read %q, want %q", got, damaged)
	}

	for h := range blobs {
		d, _ := blob.ParseDigest(h)
		if err := s.Delete(ctx, d); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stat(ctx, d); err == nil {
			t.Errorf("%s still there after Delete", h)
		}
	}
}

// Two stores over one directory (two processes over one data directory,
// as replicas over one database run) see each other's blobs, and
// committing the same bytes from both at once leaves one copy.
func TestTwoStoresOneDirectory(t *testing.T) {
	root := t.TempDir()
	a, b := newStore(t, root), newStore(t, root)
	ctx := t.Context()
	var wg sync.WaitGroup
	for _, s := range []*fsblob.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				if _, err := blob.Put(ctx, s, bytes.NewReader([]byte(fmt.Sprint("blob ", i)))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, s := range []*fsblob.Store{a, b} {
		n := 0
		if err := s.Walk(ctx, func(blob.Info) error { n++; return nil }); err != nil || n != 20 {
			t.Errorf("Walk saw %d blobs (%v), want 20", n, err)
		}
	}
	info, err := blob.Put(ctx, a, bytes.NewReader([]byte("from a")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stat(ctx, info.Digest); err != nil {
		t.Errorf("b does not see a's blob: %v", err)
	}
	if err := b.Delete(ctx, info.Digest); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Stat(ctx, info.Digest); err == nil {
		t.Error("a still sees the blob b deleted")
	}
}

// Existing reads a closed store's pack and files, writes nothing, and
// finds the pack one self-contained file.
func TestExisting(t *testing.T) {
	root := t.TempDir()
	s := newStore(t, root)
	small, big := []byte("small"), large("big")
	for _, data := range [][]byte{small, big} {
		if _, err := blob.Put(t.Context(), s, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(filepath.Join(root, "pack.db"+suffix)); !os.IsNotExist(err) {
			t.Errorf("pack.db%s after Close: %v; want none", suffix, err)
		}
	}
	e, err := fsblob.Existing(root)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	for _, data := range [][]byte{small, big} {
		if got := readAll(t, e, blob.Digest(sha256.Sum256(data))); !bytes.Equal(got, data) {
			t.Errorf("Existing read %d bytes, want %d", len(got), len(data))
		}
	}
	if _, err := blob.Put(t.Context(), e, bytes.NewReader([]byte("new"))); err == nil {
		t.Error("Put into a store opened by Existing succeeded")
	}
	for _, data := range [][]byte{small, big} {
		d := blob.Digest(sha256.Sum256(data))
		if err := e.Delete(t.Context(), d); err == nil {
			t.Error("Delete from a store opened by Existing succeeded")
		}
		if got := readAll(t, e, d); !bytes.Equal(got, data) {
			t.Errorf("after a refused Delete, read %d bytes, want %d", len(got), len(data))
		}
	}
	// A store made before the pack: Existing reads its files and creates
	// no pack.
	oldRoot := t.TempDir()
	if err := os.Mkdir(filepath.Join(oldRoot, "sha256"), 0o700); err != nil {
		t.Fatal(err)
	}
	o, err := fsblob.Existing(oldRoot)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Walk(t.Context(), func(blob.Info) error { return nil }); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(oldRoot, "pack.db")); !os.IsNotExist(err) {
		t.Errorf("Existing created a pack: %v", err)
	}
}

// crashRootEnv names the store the child of TestCrashAfterCommit commits to.
const crashRootEnv = "FSBLOB_CRASH_ROOT"

// TestCrashAfterCommit kills a process right after its Commits returned
// (before it writes anything else, or closes the store): the blobs, packed
// and file, are there when the store is opened again.
func TestCrashAfterCommit(t *testing.T) {
	if root := os.Getenv(crashRootEnv); root != "" {
		crashChild(root)
		return
	}
	root := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashAfterCommit$")
	cmd.Env = append(os.Environ(), crashRootEnv+"="+root)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var committed []string
	sc := bufio.NewScanner(out)
	for len(committed) < 2 && sc.Scan() {
		committed = append(committed, sc.Text())
	}
	cmd.Process.Kill()
	cmd.Wait()
	if len(committed) != 2 {
		t.Fatalf("the child committed %v, want 2 blobs", committed)
	}
	s := newStore(t, root)
	for _, want := range [][]byte{[]byte("committed, then killed"), large("committed, then killed")} {
		d := blob.Digest(sha256.Sum256(want))
		if got := readAll(t, s, d); !bytes.Equal(got, want) {
			t.Errorf("blob %s after the crash: %d bytes, want %d", d, len(got), len(want))
		}
	}
}

// crashChild commits two blobs, says so on stdout, and waits to be killed.
func crashChild(root string) {
	s, err := fsblob.New(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for _, data := range [][]byte{[]byte("committed, then killed"), large("committed, then killed")} {
		info, err := blob.Put(context.Background(), s, bytes.NewReader(data))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Println(info.Digest)
	}
	time.Sleep(time.Hour)
}
