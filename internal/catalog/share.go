package catalog

import (
	"math/bits"
	"unsafe"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/store"
)

// A package's versions repeat most of their metadata: the README, the
// summary, the home page, the licenses and often the dependencies are
// those of the version before. A kept list holds such parts once:
// shareRun makes each version from vs[from] on use the strings and
// slices of the version before it that are equal to its own (lengths
// compared first, so the cost is a few comparisons a field), and
// returns the bytes those versions hold, shared parts counted once.
// Listed versions are read-only, so sharing changes nothing a caller
// sees. Each version's assets are first given an array of their number
// (fit). vs[from:] must be versions no caller has seen yet.
func shareRun(vs []store.Version, from int) int64 {
	var n int64
	for i := from; i < len(vs); i++ {
		fit(&vs[i])
		var prev *store.Version
		if i > 0 {
			prev = &vs[i-1]
			share(prev, &vs[i])
		}
		n += heldSize(&vs[i], prev)
	}
	return n
}

// fit gives v's assets an array of their number: the store appends
// them one by one (a Maven version's three assets in an array of four).
func fit(v *store.Version) {
	if cap(v.Assets) > len(v.Assets) {
		v.Assets = append([]artifact.Asset(nil), v.Assets...)
	}
}

// share makes v use prev's strings and slices where they are equal.
func share(prev, v *store.Version) {
	shareString(&v.Status, prev.Status)
	shareString(&v.Origin.Type, prev.Origin.Type)
	shareString(&v.Origin.Repository, prev.Origin.Repository)
	shareString(&v.Origin.ExternalConnection, prev.Origin.ExternalConnection)
	m, pm := &v.Meta, &prev.Meta
	shareString(&m.DisplayName, pm.DisplayName)
	shareString(&m.Summary, pm.Summary)
	shareString(&m.HomePage, pm.HomePage)
	shareString(&m.SourceCodeRepository, pm.SourceCodeRepository)
	shareString(&m.Readme, pm.Readme)
	shareSlice(&m.Licenses, pm.Licenses, func(l, p *artifact.License) {
		shareString(&l.Name, p.Name)
		shareString(&l.URL, p.URL)
	})
	shareSlice(&m.Dependencies, pm.Dependencies, func(d, p *artifact.Dependency) {
		shareString(&d.Namespace, p.Namespace)
		shareString(&d.Package, p.Package)
		shareString(&d.DependencyType, p.DependencyType)
		shareString(&d.VersionRange, p.VersionRange)
	})
}

func shareString[S ~string](s *S, prev S) {
	if len(*s) == len(prev) && *s == prev {
		*s = prev
	}
}

// shareSlice makes *s prev when they are equal, and otherwise shares the
// strings of the elements at the same index.
func shareSlice[E comparable](s *[]E, prev []E, elem func(e, p *E)) {
	if len(*s) == len(prev) {
		equal := true
		for i := range prev {
			if (*s)[i] != prev[i] {
				equal = false
				break
			}
		}
		if equal {
			*s = prev
			return
		}
	}
	for i := range min(len(*s), len(prev)) {
		elem(&(*s)[i], &prev[i])
	}
}

// heldSize estimates the heap bytes v holds in a list: its slot in the
// array, and each string and slice it does not share with prev (nil:
// none), rounded up as the allocator does.
func heldSize(v, prev *store.Version) int64 {
	if prev == nil {
		prev = &store.Version{}
	}
	n := int64(unsafe.Sizeof(*v)) +
		stringSize(v.Version, prev.Version) + stringSize(v.Status, prev.Status) + stringSize(v.Revision, prev.Revision) +
		stringSize(v.Origin.Type, prev.Origin.Type) + stringSize(v.Origin.Repository, prev.Origin.Repository) +
		stringSize(v.Origin.ExternalConnection, prev.Origin.ExternalConnection)
	m, pm := &v.Meta, &prev.Meta
	n += stringSize(m.DisplayName, pm.DisplayName) + stringSize(m.Summary, pm.Summary) + stringSize(m.HomePage, pm.HomePage) +
		stringSize(m.SourceCodeRepository, pm.SourceCodeRepository) + stringSize(m.Readme, pm.Readme) +
		sliceSize(m.Extra, pm.Extra)
	n += elemsSize(m.Licenses, pm.Licenses, func(l, p artifact.License) int64 {
		return stringSize(l.Name, p.Name) + stringSize(l.URL, p.URL)
	})
	n += elemsSize(m.Dependencies, pm.Dependencies, func(d, p artifact.Dependency) int64 {
		return stringSize(d.Namespace, p.Namespace) + stringSize(d.Package, p.Package) +
			stringSize(d.DependencyType, p.DependencyType) + stringSize(d.VersionRange, p.VersionRange)
	})
	n += sliceSize(v.Assets, prev.Assets)
	for _, a := range v.Assets {
		n += allocSize(len(a.Name)) + allocSize(len(a.SHA256)) + allocSize(len(a.SHA1)) + allocSize(len(a.MD5)) + allocSize(len(a.SHA512))
	}
	return n
}

// elemsSize is the bytes of s's array and of its elements' strings (by
// strings, beside those of prev's element at the same index), unless s is
// prev.
func elemsSize[E any](s, prev []E, strings func(e, p E) int64) int64 {
	if sameArray(s, prev) {
		return 0
	}
	n := sliceSize(s, prev)
	for i, e := range s {
		var p E
		if i < len(prev) {
			p = prev[i]
		}
		n += strings(e, p)
	}
	return n
}

// stringSize is the bytes s holds unless it is prev's.
func stringSize[S ~string](s, prev S) int64 {
	if len(s) == 0 || unsafe.StringData(string(s)) == unsafe.StringData(string(prev)) {
		return 0
	}
	return allocSize(len(s))
}

// sliceSize is the bytes of s's array unless it is prev's.
func sliceSize[E any](s, prev []E) int64 {
	if cap(s) == 0 || sameArray(s, prev) {
		return 0
	}
	var e E
	return allocSize(cap(s) * int(unsafe.Sizeof(e)))
}

func sameArray[E any](s, prev []E) bool {
	return cap(s) > 0 && unsafe.SliceData(s) == unsafe.SliceData(prev)
}

// allocSize is about what the allocator takes for n bytes: small sizes
// come in classes at most an eighth apart (16 bytes apart up to 128),
// large ones in 8 KiB pages.
func allocSize(n int) int64 {
	switch {
	case n <= 0:
		return 0
	case n <= 8:
		return 8
	case n > 32<<10:
		return int64((n + 8<<10 - 1) &^ (8<<10 - 1))
	}
	step := max(16, 1<<(bits.Len(uint(n-1))-1)/8)
	return int64((n + step - 1) / step * step)
}
