package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

// A large file's cost depends on how the kernel caches its pages: in
// folios as large as the writes that filled them when memory allows, and
// sendfile and the receiving end pay per folio. So that a large case's
// figures say what layout each server's file had, the served file is
// found among the server's open files during the load (servedFile) and
// its folios counted afterwards (folios). Both need root (the page flags
// in /proc/kpageflags); without it the layout is not reported.

// servedFile watches the process tree rooted at pid until stop is closed
// and returns the first open regular file of size bytes it sees ("" if
// none): the file the server sends.
func servedFile(pid int, size int64, stop <-chan struct{}) string {
	for {
		for _, p := range treePIDs(pid) {
			fds, _ := filepath.Glob("/proc/" + strconv.Itoa(p) + "/fd/*")
			for _, fd := range fds {
				target, err := os.Readlink(fd)
				if err != nil || !filepath.IsAbs(target) {
					continue
				}
				if fi, err := os.Stat(target); err == nil && fi.Mode().IsRegular() && fi.Size() == size {
					return target
				}
			}
		}
		select {
		case <-stop:
			return ""
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// folios counts the page-cache folios holding the file at path, mapping
// it (its pages are cached: the load just read them) and reading each
// page's frame from /proc/self/pagemap and flags from /proc/kpageflags.
// ok is false when they cannot be read.
func folios(path string) (n int, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return 0, false
	}
	pm, err := os.Open("/proc/self/pagemap")
	if err != nil {
		return 0, false
	}
	defer pm.Close()
	kf, err := os.Open("/proc/kpageflags")
	if err != nil {
		return 0, false
	}
	defer kf.Close()
	m, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		return 0, false
	}
	defer syscall.Munmap(m)
	const (
		present      = 1 << 63
		pfnMask      = 1<<55 - 1
		compoundTail = 1 << 16 // KPF_COMPOUND_TAIL: a page inside a folio, not its first
	)
	page := os.Getpagesize()
	base := uintptr(unsafe.Pointer(&m[0]))
	var b [8]byte
	for off := 0; off < len(m); off += page {
		if _, err := pm.ReadAt(b[:], int64((base+uintptr(off))/uintptr(page)*8)); err != nil {
			return 0, false
		}
		e := binary.LittleEndian.Uint64(b[:])
		if e&present == 0 || e&pfnMask == 0 { // no frame number: not root
			return 0, false
		}
		if _, err := kf.ReadAt(b[:], int64(e&pfnMask*8)); err != nil {
			return 0, false
		}
		if binary.LittleEndian.Uint64(b[:])&compoundTail == 0 {
			n++
		}
	}
	return n, true
}
