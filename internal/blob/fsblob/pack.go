package fsblob

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"time"

	_ "modernc.org/sqlite" // the driver "sqlite", as the metadata store uses

	"github.com/arcahq/arca/internal/blob"
)

// PackMax is the size up to which a blob goes into the pack rather than a
// file of its own. A file costs a whole 4 KiB block at least, and at scale
// a fan-out directory of 4 KiB more per blob; a row in the pack costs its
// size plus about 70 bytes. What a file wastes (half a block on average)
// stays the same as blobs grow, so the gain is large for small blobs and
// fades: at 64 KiB it is 3%, and larger blobs gain more from sendfile.
// docs/PERFORMANCE.md ("Blob layout") has the measurements.
const PackMax = 64 << 10

// packFile is the pack's name under the root.
const packFile = "pack.db"

// packSchema is the pack's one table. Rows are appended in id order, so the
// table's pages fill completely; the digest's index holds 32-byte keys.
// size comes before data so that Stat and Walk never read a blob's bytes
// beyond its first page.
const packSchema = `CREATE TABLE IF NOT EXISTS blobs (
	id     INTEGER PRIMARY KEY,
	digest BLOB    NOT NULL UNIQUE,
	size   INTEGER NOT NULL,
	mtime  INTEGER NOT NULL, -- Unix nanoseconds of the last commit
	data   BLOB    NOT NULL
)`

// pack is root/pack.db, the SQLite database (WAL mode) that holds the
// blobs of at most PackMax bytes. SQLite keeps a commit durable (the WAL is
// fsynced before it returns), a row whole or absent, and several
// processes over one file consistent.
type pack struct {
	write *sql.DB // one connection; nil when opened read-only
	read  *sql.DB

	// Prepared once: parsing the SQL would cost a read more than the
	// query itself. put and del are nil when opened read-only.
	get, stat, put, del *sql.Stmt
}

// errNotPacked says the pack does not hold a digest.
var errNotPacked = errors.New("not in the pack")

// openPack opens root/pack.db, creating it (mode 0600) unless readOnly. A
// read-only open of a missing pack returns nil and no error: a store made
// before packs existed.
func openPack(ctx context.Context, root string, readOnly bool) (*pack, error) {
	path := root + string(os.PathSeparator) + packFile
	if readOnly {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		read, err := openPackPool(path, false, true)
		if err != nil {
			return nil, err
		}
		p := &pack{read: read}
		if err := p.prepare(ctx); err != nil {
			p.close()
			return nil, fmt.Errorf("fsblob: %s: %w", path, err)
		}
		return p, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, filePerm)
	if err == nil {
		err = f.Close()
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("fsblob: create %s: %w", path, err)
	}
	write, err := openPackPool(path, true, false)
	if err != nil {
		return nil, err
	}
	if _, err := write.ExecContext(ctx, packSchema); err != nil {
		write.Close()
		return nil, fmt.Errorf("fsblob: %s: %w", path, err)
	}
	read, err := openPackPool(path, false, false)
	if err != nil {
		write.Close()
		return nil, err
	}
	p := &pack{write: write, read: read}
	if err := p.prepare(ctx); err != nil {
		p.close()
		return nil, fmt.Errorf("fsblob: %s: %w", path, err)
	}
	return p, nil
}

// prepare prepares the pack's statements.
func (p *pack) prepare(ctx context.Context) (err error) {
	if p.get, err = p.read.PrepareContext(ctx, `SELECT size, mtime, data FROM blobs WHERE digest = ?`); err != nil {
		return err
	}
	if p.stat, err = p.read.PrepareContext(ctx, `SELECT size, mtime FROM blobs WHERE digest = ?`); err != nil {
		return err
	}
	if p.write == nil {
		return nil
	}
	if p.put, err = p.write.PrepareContext(ctx, `INSERT INTO blobs (digest, size, mtime, data) VALUES (?, ?, ?, ?)
		ON CONFLICT (digest) DO UPDATE SET mtime = excluded.mtime`); err != nil {
		return err
	}
	p.del, err = p.write.PrepareContext(ctx, `DELETE FROM blobs WHERE digest = ?`)
	return err
}

// openPackPool opens a pool on the pack: the writer (one connection, every
// commit fsynced) or readers.
func openPackPool(path string, writer, readOnly bool) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	// The blobs are read once each by the cache above (blobcache) and the
	// kernel caches the file: a small page cache per connection is enough.
	q.Add("_pragma", "cache_size(-128)")
	conns := 4
	switch {
	case writer:
		q.Add("_pragma", "journal_mode(WAL)")
		// FULL: a commit survives power loss, not just a crash of the process.
		q.Add("_pragma", "synchronous(FULL)")
		// The WAL is checkpointed at 4 MiB (SQLite's default); one that grew
		// past it while readers held the checkpoint back shrinks again.
		q.Add("_pragma", "journal_size_limit(4194304)")
		conns = 1
	case readOnly:
		q.Set("mode", "ro")
	default:
		q.Add("_pragma", "query_only(1)")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("fsblob: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	return db, nil
}

// close closes the pack. It first tries to leave the pack one
// self-contained file (rollback journal instead of WAL, which needs a
// writable directory even to read), which SQLite allows only when no other
// connection, of this process or another, has it open; New turns WAL on
// again.
func (p *pack) close() error {
	for _, st := range []*sql.Stmt{p.get, p.stat, p.put, p.del} {
		if st != nil {
			st.Close()
		}
	}
	if p.write != nil {
		if err := p.read.Close(); err != nil {
			p.write.Close()
			return err
		}
		_, _ = p.write.Exec(`PRAGMA busy_timeout = 0; PRAGMA journal_mode = DELETE`)
		return p.write.Close()
	}
	return p.read.Close()
}

// load returns a blob's bytes, or errNotPacked. The query takes
// microseconds and is not cancelled: with a cancellable ctx database/sql
// would start a goroutine per query to watch it, a third of the CPU a
// read costs.
func (p *pack) load(ctx context.Context, d blob.Digest) ([]byte, blob.Info, error) {
	var data []byte
	var size, mtime int64
	err := p.get.QueryRowContext(context.WithoutCancel(ctx), d[:]).Scan(&size, &mtime, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, blob.Info{}, errNotPacked
	}
	if err != nil {
		return nil, blob.Info{}, err
	}
	return data, blob.Info{Digest: d, Size: size, ModTime: time.Unix(0, mtime)}, nil
}

// info describes a blob, or returns errNotPacked.
func (p *pack) info(ctx context.Context, d blob.Digest) (blob.Info, error) {
	var size, mtime int64
	err := p.stat.QueryRowContext(context.WithoutCancel(ctx), d[:]).Scan(&size, &mtime)
	if errors.Is(err, sql.ErrNoRows) {
		return blob.Info{}, errNotPacked
	}
	if err != nil {
		return blob.Info{}, err
	}
	return blob.Info{Digest: d, Size: size, ModTime: time.Unix(0, mtime)}, nil
}

// store stores data under d, committed at now; if d is stored already it
// only sets its modification time (deduplication). The row is durable
// when store returns.
func (p *pack) store(ctx context.Context, d blob.Digest, data []byte, now time.Time) error {
	if p.put == nil {
		return errReadOnly
	}
	if data == nil {
		data = []byte{} // NOT NULL: the empty blob is an empty BLOB
	}
	_, err := p.put.ExecContext(ctx, d[:], len(data), now.UnixNano(), data)
	return err
}

// remove removes d's row, if any.
func (p *pack) remove(ctx context.Context, d blob.Digest) error {
	if p.del == nil {
		return errReadOnly
	}
	_, err := p.del.ExecContext(ctx, d[:])
	return err
}

var errReadOnly = errors.New("the store was opened to be read (Existing)")

// walkPage is how many rows walk reads per query; fn runs between queries,
// never inside one, so it may use the store.
const walkPage = 1000

// walk calls fn for every row, in id order, until fn returns an error,
// which walk returns unchanged (wrapped errors are the pack's own).
func (p *pack) walk(ctx context.Context, fn func(blob.Info) error) error {
	var after int64
	for {
		page, n, last, err := p.page(ctx, after)
		if err != nil {
			return &packError{err}
		}
		for _, info := range page {
			if err := fn(info); err != nil {
				return err
			}
		}
		if n < walkPage {
			return nil
		}
		after = last
	}
}

// packError marks an error of the pack's own in walk, to tell it from fn's.
type packError struct{ err error }

func (e *packError) Error() string { return e.err.Error() }
func (e *packError) Unwrap() error { return e.err }

// page reads up to walkPage rows with ids above after: n rows, the last
// with id last.
func (p *pack) page(ctx context.Context, after int64) (infos []blob.Info, n int, last int64, err error) {
	rows, err := p.read.QueryContext(ctx, `SELECT id, digest, size, mtime FROM blobs WHERE id > ? ORDER BY id LIMIT ?`, after, walkPage)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var key []byte
		var size, mtime int64
		if err := rows.Scan(&last, &key, &size, &mtime); err != nil {
			return nil, 0, 0, err
		}
		n++
		var d blob.Digest
		if len(key) != len(d) {
			continue // not a digest: nothing this package wrote
		}
		copy(d[:], key)
		infos = append(infos, blob.Info{Digest: d, Size: size, ModTime: time.Unix(0, mtime)})
	}
	return infos, n, last, rows.Err()
}

// packedReader is what Open returns for a packed blob: the bytes in
// memory, whose Bytes lets a handler send them in one write (as it does
// for blobcache's).
type packedReader struct {
	*bytes.Reader
	data []byte
}

// Bytes returns the whole blob. The caller must not modify it.
func (r packedReader) Bytes() []byte { return r.data }

// Close does nothing: the bytes are garbage once unreferenced.
func (packedReader) Close() error { return nil }
