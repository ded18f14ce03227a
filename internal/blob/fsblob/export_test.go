package fsblob

// SetPackMax changes the size up to which s packs blobs; -1 packs none.
func SetPackMax(s *Store, n int64) { s.packMax = n }
