package cargo

// IndexCacheBytes bounds the memory of rendered index files.
const IndexCacheBytes = 16 << 20

// indexKey names a rendered index file.
type indexKey struct {
	repository int64
	name       string // the collision name
}
