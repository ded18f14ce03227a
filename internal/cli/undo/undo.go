// Package undo remembers what `arca login` changed in a user's files, so
// that `arca logout` can take exactly that back: the lines login replaced
// come back, the lines it added go, and every other line (the user's own
// edits since) stays.
//
// A Record keeps, for one file, the hunks of a line diff from the file
// before the first login to the file as the last login wrote it: the old
// lines themselves, and only a SHA-256 of each new line (the new lines
// hold the token). An old line that holds a credential (a token, a
// password, credentials in a URL) is not kept either: logout removes
// login's line and says that the previous one is gone. So the state file
// never holds a secret.
//
// Revert applies a Record backwards to a file's current content: it finds
// each hunk's new lines by their hashes (near where login wrote them, and
// between the same neighbours) and puts the old lines back. A later login
// over the same file first reverts the earlier record in memory, then
// records the diff from that base, so one logout undoes any number of
// logins. (EditScript, the line diff underneath, also prints what
// `arca login --dry-run` would change.)
package undo

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// Record is what login changed in one file.
type Record struct {
	Path string `json:"path"`
	// Created is set when the file did not exist before login: logout
	// removes it when nothing else is left in it.
	Created bool `json:"created,omitempty"`
	// Mode is the file's permission before login (which makes files that
	// hold a token 0600); zero when it did not exist.
	Mode uint32 `json:"mode,omitempty"`
	// Dirs are the directories login created for the file, deepest
	// first: logout removes those left empty.
	Dirs  []string `json:"dirs,omitempty"`
	Hunks []Hunk   `json:"hunks,omitempty"`
}

// Hunk is one change: at line At of the file login wrote, the lines Old
// (less Dropped credentials) were replaced by lines whose hashes are New.
type Hunk struct {
	At  int      `json:"at"`
	Old []string `json:"old,omitempty"`
	New []string `json:"new,omitempty"`
	// Before and After are the hashes of the lines around the new lines
	// ("" at the start or end of the file).
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	// Dropped counts the old lines not kept because they held a
	// credential.
	Dropped int `json:"dropped,omitempty"`
}

// hash is the SHA-256 of a line, in hex.
func hash(line string) string {
	h := sha256.Sum256([]byte(line))
	return hex.EncodeToString(h[:])
}

// secretRE matches a line that holds a credential: a key that names one,
// a URL with a password in it, or a long run of token characters.
var secretRE = regexp.MustCompile(`(?i)(authtoken|_auth\s*=|password|passwd|secret|api_?key|bearer\s|\btoken\s*[=:"]|://[^/@\s:]*:[^/@\s]*@|[A-Za-z0-9_\-.~+=]{60,})`)

// Secret reports whether a line holds a credential.
func Secret(line string) bool { return secretRE.MatchString(line) }

// lines splits content into lines, each with its "\n" (the last may lack
// one), so that joining them gives the bytes back.
func lines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	return strings.SplitAfter(string(b), "\n")
}

// trimEmpty drops the empty string SplitAfter leaves after a final "\n".
func trimEmpty(ls []string) []string {
	if n := len(ls); n > 0 && ls[n-1] == "" {
		return ls[:n-1]
	}
	return ls
}

// maxCells bounds the line diff's table; larger files are one hunk.
const maxCells = 4_000_000

// Edit is one step of an edit script: Kind ' ' keeps Line, '-' removes
// it, '+' adds it.
type Edit struct {
	Kind byte
	Line string
}

// EditScript returns the line edits from a to b along a longest common
// subsequence (all of a removed, then all of b added, when the files are
// too large for the table).
func EditScript(a, b []string) []Edit {
	var ops []Edit
	if len(a)*len(b) > maxCells {
		for _, l := range a {
			ops = append(ops, Edit{'-', l})
		}
		for _, l := range b {
			ops = append(ops, Edit{'+', l})
		}
		return ops
	}
	lcs := make([][]int32, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, Edit{' ', a[i]})
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, Edit{'-', a[i]})
			i++
		default:
			ops = append(ops, Edit{'+', b[j]})
			j++
		}
	}
	return ops
}

// Diff returns the hunks that turn old into new.
func Diff(old, new []byte) []Hunk {
	b := trimEmpty(lines(new))
	ops := EditScript(trimEmpty(lines(old)), b)
	// Each run of changes becomes one hunk per replaced line (so that a
	// line the user changed since does not keep login's other lines from
	// going), and one for the lines added or removed beyond those.
	var hunks []Hunk
	j := 0 // line index in new
	add := func(old []string, n int) {
		h := Hunk{At: j}
		if j > 0 {
			h.Before = hash(b[j-1])
		}
		for _, l := range old {
			if Secret(l) {
				h.Dropped++
			} else {
				h.Old = append(h.Old, l)
			}
		}
		for ; n > 0; n-- {
			h.New = append(h.New, hash(b[j]))
			j++
		}
		if j < len(b) {
			h.After = hash(b[j])
		}
		hunks = append(hunks, h)
	}
	for k := 0; k < len(ops); {
		if ops[k].Kind == ' ' {
			j++
			k++
			continue
		}
		var dels []string
		adds := 0
		for ; k < len(ops) && ops[k].Kind != ' '; k++ {
			if ops[k].Kind == '-' {
				dels = append(dels, ops[k].Line)
			} else {
				adds++
			}
		}
		pairs := min(len(dels), adds)
		for p := 0; p < pairs; p++ {
			add(dels[p:p+1], 1)
		}
		if len(dels) > pairs || adds > pairs {
			add(dels[pairs:], adds-pairs)
		}
	}
	return hunks
}

// Revert takes the hunks back out of cur. It returns the result and the
// number of hunks whose lines it could not find (the user changed them
// since): those are left as they are.
func Revert(cur []byte, hunks []Hunk) ([]byte, int) {
	ls := trimEmpty(lines(cur))
	hs := make([]string, len(ls))
	for i, l := range ls {
		hs[i] = hash(l)
	}
	missed := 0
	// Last first, so that the positions of earlier hunks hold.
	for k := len(hunks) - 1; k >= 0; k-- {
		h := hunks[k]
		at := find(hs, h)
		if at < 0 {
			missed++
			continue
		}
		n := len(h.New)
		ls = splice(ls, at, n, h.Old)
		oh := make([]string, len(h.Old))
		for i, l := range h.Old {
			oh[i] = hash(l)
		}
		hs = splice(hs, at, n, oh)
	}
	// A file whose last line lost its "\n" to a removed line gets it
	// back only if the original had it: the old lines carry their own.
	return []byte(strings.Join(ls, "")), missed
}

// find returns where h's new lines are in hs: the match between the same
// neighbours nearest h.At, else (for a hunk that added lines) the match
// nearest h.At; -1 when there is none.
func find(hs []string, h Hunk) int {
	n := len(h.New)
	best, bestCtx := -1, -1
	dist := func(p int) int {
		if p < h.At {
			return h.At - p
		}
		return p - h.At
	}
	for p := 0; p+n <= len(hs); p++ {
		match := true
		for i := 0; i < n && match; i++ {
			match = hs[p+i] == h.New[i]
		}
		if !match {
			continue
		}
		before := p == 0 && h.Before == "" || p > 0 && hs[p-1] == h.Before
		after := p+n == len(hs) && h.After == "" || p+n < len(hs) && hs[p+n] == h.After
		if before || after {
			if bestCtx < 0 || dist(p) < dist(bestCtx) {
				bestCtx = p
			}
		}
		if n > 0 && (best < 0 || dist(p) < dist(best)) {
			best = p
		}
	}
	if bestCtx >= 0 {
		return bestCtx
	}
	return best
}

// splice replaces s[at:at+n] by with.
func splice(s []string, at, n int, with []string) []string {
	out := make([]string, 0, len(s)-n+len(with))
	out = append(out, s[:at]...)
	out = append(out, with...)
	return append(out, s[at+n:]...)
}
