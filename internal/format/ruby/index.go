package ruby

import (
	"compress/gzip"
	"compress/zlib"
	"crypto/md5"
	"encoding/hex"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/deflate"
)

// The two indexes gem clients read, rendered from the gems of a
// repository: the Marshal index (gem install --source) and the compact
// index (Bundler).
//
// Spec: RubyGems' Gem::Indexer (specs.4.8.gz, latest_specs.4.8.gz,
// prerelease_specs.4.8.gz, quick/Marshal.4.8/*.gemspec.rz) and the
// compact index of rubygems/compact_index (versions, info/{name},
// names).

// Gem is one stored .gem: its spec and the SHA-256 of its bytes.
type Gem struct {
	Spec
	SHA256 string `json:"sha256"`
	// Pushed is when the gem was pushed: the compact index lists gems in
	// that order, so a push appends a line.
	Pushed time.Time `json:"pushed"`
}

// Which is one of the three lists of the Marshal index.
type Which int

const (
	Released    Which = iota // specs.4.8.gz: every version without a letter
	Latest                   // latest_specs.4.8.gz: the newest released version per name and platform
	Prereleases              // prerelease_specs.4.8.gz
)

// SpecsIndex renders a list of the Marshal index: gzip of a Marshal array
// of [name, Gem::Version, platform], by name, version and platform.
func SpecsIndex(gems []Gem, which Which) []byte {
	ids := make([]gemID, len(gems))
	for i, g := range gems {
		ids[i] = idOf(g)
	}
	return specsIndex(ids, which)
}

// gemID is what the Marshal index lists of a gem: a gem list keeps this
// much of each of its gems (their strings are the decoded gems').
type gemID struct{ name, version, platform string }

func idOf(g Gem) gemID { return gemID{g.Name, g.Version, g.Platform} }

// FullName is the gem's file stem, as Gem.FullName.
func (id gemID) FullName() string { return FullName(id.name, id.version, id.platform) }

// specsIndex is SpecsIndex of the gems ids names.
func specsIndex(ids []gemID, which Which) []byte {
	type tuple struct {
		name, platform string
		version        Version
		raw            string
	}
	var ts []tuple
	for _, g := range ids {
		v, err := ParseVersion(g.version)
		if err != nil || v.Prerelease() != (which == Prereleases) {
			continue
		}
		ts = append(ts, tuple{g.name, g.platform, v, g.version})
	}
	sort.SliceStable(ts, func(i, j int) bool {
		if ts[i].name != ts[j].name {
			return ts[i].name < ts[j].name
		}
		if c := ts[i].version.Compare(ts[j].version); c != 0 {
			return c < 0
		}
		return ts[i].platform < ts[j].platform
	})
	if which == Latest {
		// The last of each name and platform is its newest.
		newest := map[[2]string]int{}
		for i, t := range ts {
			newest[[2]string{t.name, t.platform}] = i
		}
		kept := ts[:0:0]
		for i, t := range ts {
			if newest[[2]string{t.name, t.platform}] == i {
				kept = append(kept, t)
			}
		}
		ts = kept
	}
	list := make([]any, len(ts))
	for i, t := range ts {
		list[i] = []any{t.name, gemVersion(t.raw), t.platform}
	}
	return deflate.Gzip(Marshal(list), gzip.DefaultCompression)
}

func gemVersion(v string) *UserMarshal {
	return &UserMarshal{Class: "Gem::Version", Data: []any{v}}
}

func gemRequirement(cs []Constraint) *UserMarshal {
	reqs := make([]any, len(cs))
	for i, c := range cs {
		reqs[i] = []any{c.Op, gemVersion(c.Version)}
	}
	return &UserMarshal{Class: "Gem::Requirement", Data: []any{reqs}}
}

// specificationVersion is the gemspec format the quick gemspec is in
// (RubyGems' Gem::Specification::CURRENT_SPECIFICATION_VERSION, which
// reads 19 fields).
const specificationVersion = 4

// QuickSpec renders quick/Marshal.4.8/{full name}.gemspec.rz: the
// zlib-deflated Marshal of a Gem::Specification, which Marshal writes
// through Gem::Specification#_dump as the Marshal of an array of its
// fields in a fixed order (Gem::Specification._load reads them back).
func QuickSpec(s *Spec) []byte {
	deps := make([]any, len(s.Dependencies))
	for i, d := range s.Dependencies {
		req := gemRequirement(d.Requirements)
		deps[i] = &Object{Class: "Gem::Dependency", Ivars: [][2]any{
			{Symbol("@name"), d.Name},
			{Symbol("@requirement"), req},
			{Symbol("@type"), Symbol(d.Type)},
			{Symbol("@prerelease"), false},
			{Symbol("@version_requirements"), req},
		}}
	}
	var email any
	switch len(s.Email) {
	case 0:
	case 1:
		email = s.Email[0]
	default:
		email = s.Email
	}
	metadata := &Hash{}
	keys := make([]string, 0, len(s.Metadata))
	for k := range s.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		metadata.Pairs = append(metadata.Pairs, [2]any{k, s.Metadata[k]})
	}
	date := s.Date
	if len(date) >= 10 {
		date = date[:10]
	}
	if date == "" {
		date = "1980-01-02"
	}
	rubygems := s.RubygemsVersion
	if rubygems == "" {
		rubygems = "3.3.15"
	}
	fields := []any{
		rubygems,
		specificationVersion,
		s.Name,
		gemVersion(s.Version),
		date,
		s.Summary,
		gemRequirement(orAny(s.RequiredRuby)),
		gemRequirement(orAny(s.RequiredRubygems)),
		s.Platform,
		deps,
		"", // rubyforge_project, which RubyGems no longer reads
		email,
		orEmpty(s.Authors),
		nilIfEmpty(s.Description),
		nilIfEmpty(s.Homepage),
		true, // has_rdoc
		s.Platform,
		orEmpty(s.Licenses),
		metadata,
	}
	return deflate.Zlib(Marshal(&UserDump{Class: "Gem::Specification", Data: Marshal(fields)}), zlib.DefaultCompression)
}

func orAny(cs []Constraint) []Constraint {
	if len(cs) == 0 {
		return []Constraint{{Op: ">=", Version: "0"}}
	}
	return cs
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// InfoFile renders the compact index's info/{name}: a line per gem, in
// the order given (the order they were pushed, so that a new gem appends
// a line): its version and platform, its runtime dependencies, its
// checksum and its Ruby and RubyGems requirements.
func InfoFile(gems []Gem) []byte {
	var b strings.Builder
	b.WriteString(infoHeader)
	for _, g := range gems {
		b.WriteString(infoLine(g))
	}
	return []byte(b.String())
}

// infoHeader begins every info file.
const infoHeader = "---\n"

// infoLine is a gem's line of the info file, newline included.
func infoLine(g Gem) string {
	var b strings.Builder
	b.WriteString(indexEntry(g))
	b.WriteString(" ")
	var deps []string
	for _, d := range g.Dependencies {
		if d.Type == "runtime" {
			deps = append(deps, d.Name+":"+compactRequirement(d.Requirements))
		}
	}
	b.WriteString(strings.Join(deps, ","))
	b.WriteString("|checksum:" + g.SHA256)
	if r := compactRequirement(g.RequiredRuby); r != "" && r != ">= 0" {
		b.WriteString(",ruby:" + r)
	}
	if r := compactRequirement(g.RequiredRubygems); r != "" && r != ">= 0" {
		b.WriteString(",rubygems:" + r)
	}
	b.WriteString("\n")
	return b.String()
}

func compactRequirement(cs []Constraint) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Op + " " + c.Version
	}
	return strings.Join(parts, "&")
}

// The versions file is append-only, as the compact index requires:
// Bundler keeps it, asks for the bytes after those it holds (Range), and
// fetches it whole only when the result's MD5 is not the ETag. It is
// rendered from history: a line per push of a gem file, in push order,
// and a line removing a version's files when it stops being listed
// (yanked, archived, disposed) at its last status change, each line
// with the MD5 of the gem's info file after it. So a push or a yank
// appends a line; what cannot be told from the catalog (a deleted
// version, a version listed again) changes earlier lines, and Bundler
// then fetches the file whole.

// VersionsEvent is one line of the versions file: a gem's files added
// ("1.0.0", "1.0.0-java") or removed ("-1.0.0") at a moment, and the MD5
// of the gem's info file after it.
type VersionsEvent struct {
	At      time.Time
	Name    string
	Entries []string
	InfoMD5 string
}

// GemVersion is what History needs of a version: its gems, whether it is
// listed (Published), and when its status last changed.
type GemVersion struct {
	Gems    []Gem
	Listed  bool
	Changed time.Time
}

// History returns the versions file's lines of the gem name, in order,
// from its versions; the last line carries the MD5 of info, the info
// file served now (a line is added if the history does not end there).
func History(name string, versions []GemVersion, info []byte) []VersionsEvent {
	events, _ := history(name, versions, MD5(info))
	return events
}

// history is History given the MD5 of the info file served now; it also
// returns the MD5 of the info file its lines replay to (the file's
// header and the lines of the gems listed after the last line): when it
// is that of the file served, no line was added and a push after the
// last line appends exactly its own (gemList.extend).
func history(name string, versions []GemVersion, infoMD5 string) ([]VersionsEvent, string) {
	type change struct {
		at      time.Time
		removed bool
		gems    []Gem
	}
	changes := make([]change, 0, len(versions)+len(versions)/8)
	for _, v := range versions {
		var last time.Time
		for i, g := range v.Gems {
			changes = append(changes, change{at: g.Pushed, gems: v.Gems[i : i+1]}) // not copied
			if g.Pushed.After(last) {
				last = g.Pushed
			}
		}
		if !v.Listed && len(v.Gems) > 0 {
			at := v.Changed
			if !at.After(last) {
				at = last.Add(time.Microsecond)
			}
			changes = append(changes, change{at: at, removed: true, gems: v.Gems})
		}
	}
	slices.SortStableFunc(changes, func(a, b change) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		if a.removed != b.removed {
			if a.removed {
				return 1
			}
			return -1
		}
		return strings.Compare(a.gems[0].FullName(), b.gems[0].FullName())
	})
	var listed []Gem // in push order, as the info file lists them
	// The info file after each change, hashed as it grows: a push appends
	// its line, so only a removal hashes the file again (a package of
	// thousands of versions hashed its whole file at every one).
	var lines []string
	sum := md5.New()
	sum.Write([]byte(infoHeader))
	var out []VersionsEvent
	for _, c := range changes {
		ev := VersionsEvent{At: c.at, Name: name}
		removed := false
		for _, g := range c.gems {
			entry := indexEntry(g)
			if c.removed {
				ev.Entries = append(ev.Entries, "-"+entry)
				for i := len(listed) - 1; i >= 0; i-- {
					if listed[i].FullName() == g.FullName() {
						listed, lines = slices.Delete(listed, i, i+1), slices.Delete(lines, i, i+1)
						removed = true
					}
				}
			} else {
				ev.Entries = append(ev.Entries, entry)
				l := infoLine(g)
				listed, lines = append(listed, g), append(lines, l)
				if !removed {
					sum.Write([]byte(l))
				}
			}
		}
		if removed {
			sum.Reset()
			sum.Write([]byte(infoHeader))
			for _, l := range lines {
				sum.Write([]byte(l))
			}
		}
		ev.InfoMD5 = hex.EncodeToString(sum.Sum(nil))
		out = append(out, ev)
	}
	replayed := hex.EncodeToString(sum.Sum(nil))
	if len(listed) > 0 && (len(out) == 0 || out[len(out)-1].InfoMD5 != infoMD5) {
		var at time.Time
		if len(out) > 0 {
			at = out[len(out)-1].At
		}
		out = append(out, VersionsEvent{At: at, Name: name, Entries: []string{indexEntry(listed[len(listed)-1])}, InfoMD5: infoMD5})
	}
	return out, replayed
}

// indexEntry is a gem's entry in a line of the versions file: its
// version, and its platform if not ruby.
func indexEntry(g Gem) string {
	if g.Platform != "ruby" && g.Platform != "" {
		return g.Version + "-" + g.Platform
	}
	return g.Version
}

// versionsCreated is the versions file's created_at: the file is rendered
// from the catalog's history, so it names no moment of its own.
const versionsCreated = "created_at: 1970-01-01T00:00:00Z\n---\n"

// VersionsFile renders the compact index's versions: its header, then
// the events of every gem by time (then name).
func VersionsFile(events []VersionsEvent) []byte {
	var b strings.Builder
	b.WriteString(versionsCreated)
	b.Write(versionsLines(events))
	return []byte(b.String())
}

func versionsLines(events []VersionsEvent) []byte {
	sort.SliceStable(events, func(i, j int) bool {
		if !events[i].At.Equal(events[j].At) {
			return events[i].At.Before(events[j].At)
		}
		return events[i].Name < events[j].Name
	})
	var b strings.Builder
	for _, e := range events {
		b.WriteString(e.Name + " " + strings.Join(e.Entries, ",") + " " + e.InfoMD5 + "\n")
	}
	return []byte(b.String())
}

// AppendVersions renders a versions file that is public (a registry's
// versions file, header included) followed by the lines of events: a
// compact index client takes a name's versions from every line and its
// info checksum from the last.
func AppendVersions(public []byte, events []VersionsEvent) []byte {
	own := versionsLines(events)
	out := make([]byte, 0, len(public)+1+len(own))
	out = append(out, public...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, own...)
}

// NamesFile renders the compact index's names.
func NamesFile(names []string) []byte {
	sort.Strings(names)
	return []byte("---\n" + strings.Join(names, "\n") + "\n")
}

// MD5 is the hex MD5 of b, the compact index's checksum of a file.
func MD5(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}
