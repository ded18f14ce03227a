//go:build !unix

package fsblob

import "os"

// openRead opens a blob for reading.
func openRead(path string) (*os.File, error) { return os.Open(path) }
