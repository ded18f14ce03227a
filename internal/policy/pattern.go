package policy

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A pattern is one compiled Action, Resource or condition value: a run of
// tokens (literal characters, the wildcards * and ?, and policy variables)
// plus a fast path for the shapes nearly every policy uses ("*", an exact
// string, a prefix followed by "*"). Compiling happens once, in Parse;
// matching allocates nothing (a variable is expanded into a buffer on the
// stack).
type pattern struct {
	mode matchMode
	lit  string // the literal for modeExact and modePrefix
	fold bool   // compare case-insensitively
	toks []tok
	vars []variable
	// need are the literal runs of a case-sensitive modeGlob pattern
	// that s must contain to match: a quick no for most strings (resource
	// ARNs of other domains and repositories) before glob walks them.
	need []string
}

type matchMode uint8

const (
	modeGlob   matchMode = iota // general wildcard match over toks
	modeAny                     // "*": matches everything
	modeExact                   // no wildcards, no variables
	modePrefix                  // a literal followed by "*"
	modeVars                    // holds variables: expand from the request, then glob
)

type tokKind uint8

const (
	tokLit tokKind = iota
	tokStar
	tokQuest
	tokVar
)

type tok struct {
	kind tokKind
	r    rune  // the character of a tokLit
	v    int32 // the index in pattern.vars of a tokVar
}

// A variable is a ${key} or ${key, 'default'} reference.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
type variable struct {
	key        ckey
	def        string
	hasDefault bool
}

// patternOpts says how to read a pattern's text.
type patternOpts struct {
	wild bool // * and ? are wildcards (Action, Resource, StringLike, ArnLike)
	vars bool // ${...} is a policy variable (Version 2012-10-17, where IAM allows them)
	fold bool // match case-insensitively
}

// compilePattern reads src. The only errors are malformed variables.
func compilePattern(src string, o patternOpts) (pattern, error) {
	p := pattern{fold: o.fold}
	for i := 0; i < len(src); {
		if o.vars && strings.HasPrefix(src[i:], "${") {
			end := strings.IndexByte(src[i:], '}')
			if end < 0 {
				return p, fmt.Errorf("unterminated policy variable in %q", src)
			}
			inner := src[i+2 : i+end]
			i += end + 1
			switch inner {
			case "*", "?", "$":
				// ${*}, ${?} and ${$} stand for the literal characters.
				p.toks = append(p.toks, tok{kind: tokLit, r: rune(inner[0])})
				continue
			}
			v, err := parseVariable(inner)
			if err != nil {
				return p, fmt.Errorf("%v in %q", err, src)
			}
			p.toks = append(p.toks, tok{kind: tokVar, v: int32(len(p.vars))})
			p.vars = append(p.vars, v)
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		i += size
		switch {
		case o.wild && r == '*':
			if n := len(p.toks); n > 0 && p.toks[n-1].kind == tokStar {
				continue // ** is *
			}
			p.toks = append(p.toks, tok{kind: tokStar})
		case o.wild && r == '?':
			p.toks = append(p.toks, tok{kind: tokQuest})
		default:
			p.toks = append(p.toks, tok{kind: tokLit, r: r})
		}
	}
	p.mode = p.pickMode()
	return p, nil
}

func parseVariable(inner string) (variable, error) {
	var v variable
	name, def, hasDef := strings.Cut(inner, ",")
	name = strings.TrimSpace(name)
	if vendor, key, ok := strings.Cut(name, ":"); !ok || vendor == "" || key == "" || strings.ContainsAny(name, " \t*?$'{") {
		return v, fmt.Errorf("policy variable ${%s} is not of the form ${vendor:key}", inner)
	}
	v.key = newKey(name)
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return v, fmt.Errorf("the default value of policy variable ${%s} must be in single quotes", inner)
		}
		v.def, v.hasDefault = def[1:len(def)-1], true
	}
	return v, nil
}

func (p *pattern) pickMode() matchMode {
	if len(p.vars) > 0 {
		return modeVars
	}
	if len(p.toks) == 1 && p.toks[0].kind == tokStar {
		return modeAny
	}
	var b strings.Builder
	for i, t := range p.toks {
		switch {
		case t.kind == tokLit:
			b.WriteRune(t.r)
		case t.kind == tokStar && i == len(p.toks)-1:
			p.lit = b.String()
			if p.fold && !isASCII(p.lit) {
				p.lit = ""
				return modeGlob
			}
			return modePrefix
		default:
			p.need = p.literalRuns()
			return modeGlob
		}
	}
	p.lit = b.String()
	return modeExact
}

// literalRuns returns the runs of two or more literal characters after
// the first wildcard, for a case-sensitive pattern. A leading run is left
// to glob, which compares it first and stops at its first difference;
// the runs after a wildcard are where glob would search.
func (p *pattern) literalRuns() []string {
	if p.fold {
		return nil
	}
	var runs []string
	var b strings.Builder
	end := func() {
		if b.Len() >= 2 {
			runs = append(runs, b.String())
		}
		b.Reset()
	}
	wild := false
	for _, t := range p.toks {
		switch {
		case t.kind != tokLit:
			if wild {
				end()
			}
			b.Reset()
			wild = true
		default:
			b.WriteRune(t.r)
		}
	}
	if wild {
		end()
	}
	return runs
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// match reports whether s matches the whole pattern. It is unknown when a
// variable cannot be resolved from the request.
func (p *pattern) match(s string, r *Request) tri {
	switch p.mode {
	case modeAny:
		return yes
	case modeExact:
		if p.fold {
			return triOf(strings.EqualFold(s, p.lit))
		}
		return triOf(s == p.lit)
	case modePrefix:
		if p.fold {
			return triOf(hasPrefixFoldASCII(s, p.lit))
		}
		return triOf(strings.HasPrefix(s, p.lit))
	case modeVars:
		var buf [128]tok
		toks, ok := p.expand(r, buf[:0])
		if !ok {
			return unknown
		}
		return triOf(glob(toks, s, p.fold))
	}
	for _, n := range p.need {
		if !strings.Contains(s, n) {
			return no
		}
	}
	return triOf(glob(p.toks, s, p.fold))
}

// matchARN compares an ARN the way the ARN condition operators do: each of
// the six colon-separated parts on its own, wildcards never crossing a
// colon, except that the pattern's last part is matched against all the
// rest of the ARN (a resource part may itself contain colons).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
func (p *pattern) matchARN(s string, r *Request) tri {
	toks := p.toks
	if p.mode == modeVars {
		var buf [128]tok
		var ok bool
		if toks, ok = p.expand(r, buf[:0]); !ok {
			return unknown
		}
	}
	var starts [6]int // where each of the ARN's six parts begins in s
	n := 1
	for i := 0; i < len(s) && n < 6; i++ {
		if s[i] == ':' {
			starts[n] = i + 1
			n++
		}
	}
	if n < 6 {
		return no // not an ARN
	}
	part, from := 0, 0
	for i := 0; i <= len(toks); i++ {
		last := i == len(toks)
		if !last && (part == 5 || toks[i].kind != tokLit || toks[i].r != ':') {
			continue
		}
		end := len(s)
		if !last {
			end = starts[part+1] - 1
		}
		if !glob(toks[from:i], s[starts[part]:end], p.fold) {
			return no
		}
		part, from = part+1, i+1
	}
	return yes
}

// expand replaces each variable with the literal characters of its value.
// A variable resolves when its key has exactly one value in the request, or
// else when it has a default; a multivalued key cannot be a variable.
func (p *pattern) expand(r *Request, buf []tok) ([]tok, bool) {
	for _, t := range p.toks {
		if t.kind != tokVar {
			buf = append(buf, t)
			continue
		}
		v := &p.vars[t.v]
		vals := r.lookup(&v.key)
		var val string
		switch {
		case vals.len() == 1:
			val = vals.at(0)
		case vals.len() == 0 && v.hasDefault:
			val = v.def
		default:
			return nil, false
		}
		for _, c := range val {
			buf = append(buf, tok{kind: tokLit, r: c})
		}
	}
	return buf, true
}

// glob matches s against toks: * is any run of characters (including
// none), ? is exactly one character, the rest are literal. It is the classic
// two-pointer matcher that backtracks only to the last *, so it runs in
// O(len(toks)*len(s)) at worst and allocates nothing. A * followed by a
// single-byte literal jumps to that literal's next occurrence instead of
// trying every position (the common resource patterns, such as
// "arn:aws:codeartifact:*:*:repository/my-domain/*", then cost a few
// byte scans).
func glob(toks []tok, s string, fold bool) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		c, size := rune(s[i]), 1
		if c >= utf8.RuneSelf {
			c, size = utf8.DecodeRuneInString(s[i:])
		}
		if p < len(toks) {
			switch t := toks[p]; t.kind {
			case tokStar:
				j := skipTo(toks, p+1, s, i, fold)
				if j < 0 {
					return false
				}
				starP, starI = p, j
				p, i = p+1, j
				continue
			case tokQuest:
				p++
				i += size
				continue
			case tokLit:
				if t.r == c || fold && foldEqual(t.r, c) {
					p++
					i += size
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, sz := utf8.DecodeRuneInString(s[starI:])
		if starI = skipTo(toks, starP+1, s, starI+sz, fold); starI < 0 {
			return false
		}
		i, p = starI, starP+1
	}
	for p < len(toks) && toks[p].kind == tokStar {
		p++
	}
	return p == len(toks)
}

// skipTo returns the first index at or after from where toks[p] can match
// in s, when toks[p] is a single-byte literal compared with case: where
// that byte next occurs, or -1 when it occurs no more (nothing after a *
// can then match). Otherwise it returns from.
func skipTo(toks []tok, p int, s string, from int, fold bool) int {
	if fold || p >= len(toks) || from >= len(s) {
		return from
	}
	t := toks[p]
	if t.kind != tokLit || t.r >= utf8.RuneSelf {
		return from
	}
	j := strings.IndexByte(s[from:], byte(t.r))
	if j < 0 {
		return -1
	}
	return from + j
}

// foldEqual reports whether a and b are the same letter under Unicode
// simple case folding, as strings.EqualFold decides.
func foldEqual(a, b rune) bool {
	if a == b {
		return true
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

// hasPrefixFoldASCII reports whether s starts with the ASCII string prefix,
// ignoring case the way glob does.
func hasPrefixFoldASCII(s, prefix string) bool {
	i := 0
	for j := 0; j < len(prefix); j++ {
		if i >= len(s) {
			return false
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if !foldEqual(rune(prefix[j]), c) {
			return false
		}
		i += size
	}
	return true
}
