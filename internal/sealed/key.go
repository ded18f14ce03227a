package sealed

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// EnvMasterKey names the environment variable holding the master key:
// base64 of 32 bytes; a comma-separated list while rotating (the current
// key first).
const EnvMasterKey = "ARCA_MASTER_KEY"

// KeyFile is the name of the master key file made in the data directory
// when no key is configured.
const KeyFile = "master.key"

// Source says where the master keys come from.
type Source struct {
	// Env is the value of ARCA_MASTER_KEY; it wins over File.
	Env string
	// File is the key file; "" is <Data>/master.key.
	File string
	Data string
	// Create makes the default key file with a new random key when there
	// is neither Env nor File and the default file does not exist (the
	// server's first start; tools beside a server never create one).
	Create bool
}

// Load returns a Box of the master keys src names, and the path of a key
// file it created ("" if none).
func Load(src Source) (box *Box, created string, err error) {
	if src.Env != "" {
		keys, err := parseKeys(strings.Split(src.Env, ","))
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", EnvMasterKey, err)
		}
		box, err := NewBox(keys...)
		return box, "", err
	}
	path := src.File
	if path == "" {
		path = filepath.Join(src.Data, KeyFile)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && src.File == "" && src.Create {
		key := make([]byte, KeySize)
		if _, err := rand.Read(key); err != nil {
			return nil, "", err
		}
		if err := CreatePrivate(path, strings.NewReader(base64.StdEncoding.EncodeToString(key)+"\n")); err != nil {
			return nil, "", fmt.Errorf("master key file: %w", err)
		}
		box, err := NewBox(key)
		return box, path, err
	}
	if err != nil {
		return nil, "", fmt.Errorf("master key file: %w (set %s or --master-key-file to the key the data directory was sealed with)", err, EnvMasterKey)
	}
	keys, err := parseKeys(strings.Split(string(b), "\n"))
	if err != nil {
		return nil, "", fmt.Errorf("master key file %s: %w", path, err)
	}
	box, err = NewBox(keys...)
	return box, "", err
}

// parseKeys decodes base64 keys, skipping blank entries.
func parseKeys(fields []string) ([][]byte, error) {
	var keys [][]byte
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		k, err := base64.StdEncoding.DecodeString(f)
		if err != nil || len(k) != KeySize {
			return nil, fmt.Errorf("a master key is the base64 of %d random bytes (e.g. `openssl rand -base64 32`)", KeySize)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no master key in it")
	}
	return keys, nil
}

// CreatePrivate writes what r holds into the new file path, readable by
// its owner only, synced; it fails if path exists.
func CreatePrivate(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
