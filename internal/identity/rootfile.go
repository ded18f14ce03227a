package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// RootFile is the name of the file in the data directory that keeps
// generated root credentials.
const RootFile = "root-credentials.json"

// LoadOrCreateRoot returns the root credentials kept in dataDir, creating
// them (mode 0600) on first start. created reports whether they are new.
// A non-empty accountID is the account the credentials must belong to:
// new credentials get it, and kept credentials of another account are an
// error rather than a silent switch of accounts.
func LoadOrCreateRoot(dataDir, accountID string) (r Root, created bool, err error) {
	path := filepath.Join(dataDir, RootFile)
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &r); err != nil {
			return Root{}, false, fmt.Errorf("%s: %w", path, err)
		}
		if err := r.Validate(); err != nil {
			return Root{}, false, fmt.Errorf("%s: %w", path, err)
		}
		if accountID != "" && accountID != r.AccountID {
			return Root{}, false, fmt.Errorf("%s holds credentials of account %s, not %s", path, r.AccountID, accountID)
		}
		return r, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Root{}, false, err
	}
	r = GenerateRoot()
	if accountID != "" {
		r.AccountID = accountID
	}
	b, _ = json.MarshalIndent(r, "", "  ")
	if err := writeFileAtomic(path, append(b, '\n'), 0o600); err != nil {
		return Root{}, false, err
	}
	return r, true, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so a crash never leaves a half-written file.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after the rename
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
