package pkggroup

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

// Level is how much of a package path a definition fixes; a higher level
// is more specific.
type Level int

// The levels, least specific first.
const (
	LevelAll             Level = iota // /*
	LevelFormat                       // /npm/*
	LevelNamespacePrefix              // /maven/com.anycompany~
	LevelNamespace                    // /npm/space/*
	LevelNamePrefix                   // /npm/space/anycompany-ui~
	LevelExact                        // /maven/org.apache/log4j$
)

// Root is the definition of the group every domain has.
const Root = "/*"

// Length limits of a definition (the model's PackageGroupPattern).
const (
	MinLength = 2
	MaxLength = 520
)

// Pattern is a parsed definition.
type Pattern struct {
	Text      string
	Level     Level
	Format    artifact.Format
	Namespace string // the namespace, or its prefix at LevelNamespacePrefix
	Name      string // the name, or its prefix at LevelNamePrefix

	// weakNamespace and weakName are Namespace and Name in their weak
	// form, computed once by Parse.
	weakNamespace, weakName string
}

// namespaced reports whether a format has namespaces, and whether it
// requires one (Maven, generic and Swift packages always have one).
func namespaced(f artifact.Format) (has, required bool) {
	switch f {
	case artifact.NPM:
		return true, false
	case artifact.Maven, artifact.Generic, artifact.Swift:
		return true, true
	}
	return false, false
}

func knownFormat(f artifact.Format) bool {
	switch f {
	case artifact.NPM, artifact.PyPI, artifact.Maven, artifact.NuGet, artifact.Generic, artifact.Ruby, artifact.Swift, artifact.Cargo:
		return true
	}
	return false
}

// Parse parses and validates a definition.
func Parse(s string) (Pattern, error) {
	bad := func(why string, args ...any) (Pattern, error) {
		return Pattern{}, errkind.Validationf("Invalid package group definition %q: "+why, append([]any{s}, args...)...).WithReason("FIELD_VALIDATION_FAILED")
	}
	if n := utf8.RuneCountInString(s); n < MinLength || n > MaxLength {
		return bad("it must be %d to %d characters long", MinLength, MaxLength)
	}
	if !utf8.ValidString(s) {
		return bad("it is not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.Is(unicode.C, r) {
			return bad("it contains whitespace or a control character")
		}
	}
	if s[0] != '/' {
		return bad("it must start with /, as a package path does (/format/namespace/name)")
	}
	p := Pattern{Text: s}
	segs := strings.Split(s[1:], "/")
	last := segs[len(segs)-1]
	if len(segs) > 3 {
		return bad("a package path has at most three components (format, namespace, name)")
	}
	if len(segs) == 1 {
		if last != "*" {
			return bad("after the format comes /*, /namespace or //name; a definition ends with *, ~ or $")
		}
		return Pattern{Text: s, Level: LevelAll}, nil
	}
	p.Format = artifact.Format(segs[0])
	if !knownFormat(p.Format) {
		return bad("unknown package format %q (one of npm, pypi, maven, nuget, generic, ruby, swift, cargo)", segs[0])
	}
	has, required := namespaced(p.Format)
	// The components before the last one are written out in full.
	for _, c := range segs[1 : len(segs)-1] {
		if err := checkComponent(c); err != "" {
			return bad("%s", err)
		}
	}
	suffix, body := suffixOf(last)
	if last == "*" {
		suffix, body = '*', ""
	}
	switch {
	case suffix == 0:
		return bad("a definition ends with * (every value of the next component), ~ (a prefix) or $ (an exact name)")
	case suffix == '*' && body != "":
		return bad("* stands alone after a / (every value of the next component); for a prefix use ~")
	case suffix != '*' && body == "":
		return bad("%c must follow a namespace or name", suffix)
	}
	if body != "" {
		if err := checkComponent(body); err != "" {
			return bad("%s", err)
		}
	}
	if suffix == '~' {
		r, _ := utf8.DecodeLastRuneInString(body)
		if !isWord(r) {
			return bad("~ must follow a word character (a letter or digit); after %q use /* instead", string(r))
		}
	}
	switch len(segs) {
	case 2: // /f/*, /f/ns~
		switch suffix {
		case '*':
			p.Level = LevelFormat
		case '~':
			if !has {
				return bad("%s packages have no namespace: write /%s//name~ for a name prefix", p.Format, p.Format)
			}
			p.Level, p.Namespace = LevelNamespacePrefix, body
		default:
			return bad("$ needs a full package path: /format/namespace/name$")
		}
	case 3: // /f/ns/*, /f/ns/name~, /f/ns/name$
		p.Namespace = segs[1]
		switch {
		case !has && p.Namespace != "":
			return bad("%s packages have no namespace: leave the namespace segment empty (/%s//name)", p.Format, p.Format)
		case required && p.Namespace == "":
			return bad("%s packages always have a namespace: it must be given with a name", p.Format)
		}
		switch suffix {
		case '*':
			p.Level = LevelNamespace
		case '~':
			p.Level, p.Name = LevelNamePrefix, body
		case '$':
			p.Level, p.Name = LevelExact, body
		}
	}
	if n := Normalize(p.Format, p.Namespace, p.Name); n.Namespace != p.Namespace || n.Name != p.Name {
		return bad("%s names are matched in their normal form: write %q", p.Format, n.Namespace+"/"+n.Name)
	}
	p.weakNamespace, p.weakName = Weak(p.Namespace), Weak(p.Name)
	return p, nil
}

// suffixOf splits the suffix off the last component.
func suffixOf(last string) (byte, string) {
	if last == "" {
		return 0, ""
	}
	switch c := last[len(last)-1]; c {
	case '*', '~', '$':
		return c, last[:len(last)-1]
	}
	return 0, last
}

// checkComponent returns why a namespace or name component is not
// acceptable, or "".
func checkComponent(c string) string {
	if strings.ContainsAny(c, "*~$#") {
		return "the characters * ~ $ # may not appear inside a namespace or name (a suffix ends the definition)"
	}
	return ""
}

// Normalize returns a package's namespace and name in the form package
// groups match: the form its format keys packages by.
func Normalize(f artifact.Format, namespace, name string) artifact.PackageRef {
	ref := artifact.PackageRef{Format: f, Namespace: namespace, Name: name}
	switch f {
	case artifact.NuGet:
		ref.Name = strings.ToLower(name)
	case artifact.Swift:
		ref.Namespace, ref.Name = strings.ToLower(namespace), strings.ToLower(name)
	case artifact.PyPI:
		// PyPI's normal form, which the catalog keys projects by.
		ref.Name = pep503(name)
	}
	return ref
}

// pep503 is the normal form of a PyPI project name, as format/pypi's
// NormalizeName (pypi.Rules.Normalize) computes it; pkggroup sits below
// the catalog and cannot import the format.
//
// Spec: https://packaging.python.org/en/latest/specifications/name-normalization/
func pep503(name string) string {
	var b strings.Builder
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '_' || c == '.':
			sep = true
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if sep {
			b.WriteByte('-')
			sep = false
		}
		b.WriteByte(c)
	}
	if sep {
		b.WriteByte('-')
	}
	return b.String()
}

// isWord reports whether r can continue a word: a letter, digit or mark.
func isWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// prefixMatch reports whether s starts with prefix on a word boundary:
// s is prefix, or the character after it is not a word character.
func prefixMatch(s, prefix string) bool {
	if !strings.HasPrefix(s, prefix) {
		return false
	}
	if len(s) == len(prefix) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[len(prefix):])
	return !isWord(r)
}

// Matches reports whether ref matches p exactly (case-sensitively).
func (p *Pattern) Matches(ref artifact.PackageRef) bool {
	return p.matches(ref.Format, ref.Namespace, ref.Name, p.Namespace, p.Name)
}

// matches matches a package's namespace and name against the pattern's
// pns and pname: its own, or their weak forms.
func (p *Pattern) matches(f artifact.Format, ns, name, pns, pname string) bool {
	switch p.Level {
	case LevelAll:
		return true
	case LevelFormat:
		return f == p.Format
	case LevelNamespacePrefix:
		return f == p.Format && prefixMatch(ns, pns)
	case LevelNamespace:
		return f == p.Format && ns == pns
	case LevelNamePrefix:
		return f == p.Format && ns == pns && prefixMatch(name, pname)
	}
	return f == p.Format && ns == pns && name == pname
}

// Covers reports whether every package q matches also matches p, p being
// another definition: whether p is an ancestor of q in the tree.
func (p Pattern) Covers(q Pattern) bool {
	if p.Text == q.Text || p.Level > q.Level {
		return false
	}
	switch p.Level {
	case LevelAll:
		return true
	case LevelFormat:
		return q.Level > LevelFormat && q.Format == p.Format
	case LevelNamespacePrefix:
		// q's namespace, or namespace prefix, starts with p's prefix.
		return q.Format == p.Format && prefixMatch(q.Namespace, p.Namespace)
	case LevelNamespace:
		return q.Level > LevelNamespace && q.Format == p.Format && q.Namespace == p.Namespace
	case LevelNamePrefix:
		return q.Format == p.Format && q.Namespace == p.Namespace && prefixMatch(q.Name, p.Name)
	}
	return false
}

// moreSpecific reports whether p is more specific than q, for two
// definitions that match the same package.
func (p Pattern) moreSpecific(q Pattern) bool {
	if p.Level != q.Level {
		return p.Level > q.Level
	}
	if a, b := len(p.Namespace)+len(p.Name), len(q.Namespace)+len(q.Name); a != b {
		return a > b
	}
	return p.Text < q.Text // a stable choice between weak look-alikes
}
