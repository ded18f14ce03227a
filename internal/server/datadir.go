package server

import (
	"fmt"
	"log/slog"
	"os"
)

// privateDataDir creates the data directory readable by its owner only
// (0700), and tightens an existing one that the group or others can read
// or enter, with a warning: the directory holds the metadata database
// (IAM secret keys, token signing keys), the generated root credentials
// and the audit log. A private directory keeps everything under it out of
// other users' reach, whatever the modes of the files inside; the files
// that hold secrets are also created 0600 themselves.
func privateDataDir(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		log.Warn("the data directory was open to other users; making it private (0700)", "data", dir, "mode", fmt.Sprintf("%#o", perm))
		if err := os.Chmod(dir, perm&^0o077|0o700); err != nil {
			return fmt.Errorf("data directory: make it private: %w", err)
		}
	}
	return nil
}
