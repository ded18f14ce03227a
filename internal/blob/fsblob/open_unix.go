//go:build unix

package fsblob

import (
	"os"
	"syscall"
)

// openRead opens a blob for reading. os.Open would try to add the file to
// the network poller, which regular files never join: four fcntl calls and
// a failing epoll_ctl on every open, on every download. A file made with
// os.NewFile from a blocking descriptor skips that and still goes out with
// sendfile.
func openRead(path string) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}
