// Package cachesize divides the server's one memory budget for caches
// (--cache-bytes) among its caches. Every cache is declared with its size
// at the default budget (its share); a server given another budget
// scales every share alike, so that the caches together stay within the
// budget whatever it is. The shares at the default budget:
//
//	catalog   version lookups 8 MiB, version lists 24 MiB; repositories,
//	          resource attributes and package groups 2 MiB
//	resolve   packages' candidates kept between views 12 MiB
//	npm       documents 32 MiB (of which runs 16 MiB), version manifests
//	          24 MiB (of which packages' sorted versions 8 MiB)
//	pypi      pages 24 MiB (of which runs 12 MiB), release entries 8 MiB,
//	          releases kept in order 6 MiB, version orders 2 MiB
//	maven     metadata with the listings of versions it was made from
//	          16 MiB (of which runs of versions 2 MiB)
//	cargo     index files 8 MiB, index lines 3 MiB, runs of lines 2 MiB,
//	          crates' versions in order 3 MiB
//	nuget     documents 10 MiB, version briefs 2 MiB, decoded entries 2 MiB,
//	          version orders 2 MiB
//	ruby      gem lists 10 MiB, decoded gems 4 MiB, versions files 2 MiB
//	swift     release lists with their listings of versions 4 MiB (of
//	          which runs of entries 768 KiB)
//	writers   records of who wrote what (package rendered), 256 KiB in
//	          each of the 7 formats above
//	counters  the change counters caches key on (package generation) 4 MiB
//	identity  credentials, principals and their policies 4 MiB
//	tokens    authorization tokens verified (package token) 256 KiB
//	authz     compiled policies and principals' policies 4 MiB
//	external connections' documents 28 MiB, shared among them
//	small blobs 4 MiB (not scaled)
//
// 256 MiB in all, within Default (a test in package server adds the
// shares up and fails past it). Each cache counts the
// bytes it holds (keys, values and its own overhead), not entries, and
// drops the least recently used beyond its share (a Map: those unused
// for the last second first, then any); one entry larger than a quarter
// of its share is not kept at all. What the change counters and the
// writers' records drop leaves a mark in a bucket (a floor) so that
// nothing cached under a dropped value looks fresh. While the server is
// quiet, entries nobody used for a few seconds go too (Register,
// DropUnused): a share is what a cache may hold under load, not what an
// idle server keeps. The public registries'
// documents are the exception: they stay, to be served when a registry
// cannot be reached.
package cachesize

// Default is the budget of a server not told otherwise: 256 MiB.
const Default = 256 << 20

// Min is the least budget a server accepts.
const Min = 4 << 20

// Share returns the bytes a cache of size atDefault (at the Default
// budget) may hold under budget; budget 0 is Default.
func Share(atDefault, budget int64) int64 {
	if budget <= 0 || budget == Default {
		return atDefault
	}
	return max(1, atDefault*(budget>>10)/(Default>>10))
}
