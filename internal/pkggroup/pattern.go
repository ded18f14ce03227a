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

// Formats are the formats' rules package groups follow (the server's
// format registry): which formats exist, whether their packages have a
// namespace, the normal form their names are matched in, and how
// decisions name a package.
type Formats interface {
	// Known reports whether f is a package format.
	Known(f artifact.Format) bool
	// HasNamespace reports whether packages of format f can have a
	// namespace (npm's optional scope; Maven, generic and Swift always
	// have one).
	HasNamespace(f artifact.Format) bool
	// NamespaceRequired reports whether every package of format f has a
	// namespace.
	NamespaceRequired(f artifact.Format) bool
	// Normalize returns ref as its format keys packages (PyPI's PEP 503
	// name; NuGet's, Swift's and Cargo's lower case): the form groups match.
	Normalize(ref artifact.PackageRef) artifact.PackageRef
	// Display names a package in messages as its format does ("npm
	// @scope/name", "maven group:artifact").
	Display(ref artifact.PackageRef) string
}

// Parse parses and validates a definition of a format fs knows.
func Parse(fs Formats, s string) (Pattern, error) {
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
	if !fs.Known(p.Format) {
		return bad("unknown package format %q", segs[0])
	}
	has, required := fs.HasNamespace(p.Format), fs.NamespaceRequired(p.Format)
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
	if n := fs.Normalize(artifact.PackageRef{Format: p.Format, Namespace: p.Namespace, Name: p.Name}); n.Namespace != p.Namespace || n.Name != p.Name {
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
