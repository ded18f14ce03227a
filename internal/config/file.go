package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The config file (`arca serve --config FILE`, ARCA_CONFIG) is a subset of
// TOML: one `key = value` per line, with the flags' names as keys; a
// value is a "double-quoted" string (TOML's escapes), a 'literal' string,
// an integer, true or false, or, for a repeatable flag, an array of
// strings, which may span lines; # starts a comment. No tables, no dotted
// keys, no dates: every key of `arca serve` is a top-level scalar or list.
// TOML rather than JSON because operators comment their configuration;
// this subset rather than a TOML library because the standard library has
// none and the subset is all the keys need. A file any TOML parser reads
// the same way.
//
//	listen = "0.0.0.0:8700"
//	external-connection = [
//	  "public:npmjs=http://npm-mirror.internal:4873/",  # the team's mirror
//	]
//	audit-log-keep = 20

// FromFile applies the settings of the config file at path. Any error
// names the file and line: an unknown key, a key given twice, a value of
// the wrong shape or one its setting refuses.
func (c *Config) FromFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	return c.fromText(path, string(b))
}

func (c *Config) fromText(name, text string) error {
	entries, err := parseFile(text)
	if err != nil {
		return fmt.Errorf("%s:%w", name, err)
	}
	seen := map[string]int{}
	for _, e := range entries {
		s, ok := lookupKey(e.key)
		if !ok {
			return fmt.Errorf("%s:%d: unknown key %q (the keys are %s)", name, e.line, e.key, strings.Join(Keys(), ", "))
		}
		if first, dup := seen[e.key]; dup {
			return fmt.Errorf("%s:%d: key %q is already set on line %d", name, e.line, e.key, first)
		}
		seen[e.key] = e.line
		if e.array && !s.List {
			return fmt.Errorf("%s:%d: %s takes one value, not an array", name, e.line, e.key)
		}
		for _, v := range e.values {
			if err := s.apply(c, v); err != nil {
				return fmt.Errorf("%s:%d: %s: %w", name, e.line, e.key, err)
			}
		}
	}
	return nil
}

// entry is one `key = value` of a config file.
type entry struct {
	key    string
	line   int
	values []string
	array  bool
}

// fileError is a parse error at a line; it prints as "LINE: message", for
// the file name to go in front.
type fileError struct {
	line int
	msg  string
}

func (e *fileError) Error() string { return fmt.Sprintf("%d: %s", e.line, e.msg) }

// parseFile reads the TOML subset into entries.
func parseFile(text string) ([]entry, error) {
	if !utf8.ValidString(text) {
		return nil, &fileError{1, "the file is not UTF-8"}
	}
	p := &parser{s: text, line: 1}
	var entries []entry
	for {
		p.skipBlank(true)
		if p.eof() {
			return entries, nil
		}
		e, err := p.entry()
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
		p.skipBlank(false)
		if !p.eof() && p.peek() != '\n' {
			return nil, p.errorf("unexpected %q after the value of %s", p.rest(), e.key)
		}
	}
}

type parser struct {
	s    string
	pos  int
	line int
}

func (p *parser) eof() bool  { return p.pos >= len(p.s) }
func (p *parser) peek() byte { return p.s[p.pos] }

func (p *parser) errorf(format string, args ...any) error {
	return &fileError{p.line, fmt.Sprintf(format, args...)}
}

// rest is the remainder of the current line, for error messages.
func (p *parser) rest() string {
	r, _, _ := strings.Cut(p.s[p.pos:], "\n")
	return strings.TrimRight(r, "\r")
}

// skipBlank skips spaces, tabs and comments, and newlines too when
// newlines is true.
func (p *parser) skipBlank(newlines bool) {
	for !p.eof() {
		switch ch := p.peek(); {
		case ch == ' ' || ch == '\t' || ch == '\r':
			p.pos++
		case ch == '#':
			for !p.eof() && p.peek() != '\n' {
				p.pos++
			}
		case ch == '\n' && newlines:
			p.pos++
			p.line++
		default:
			return
		}
	}
}

func isBare(ch byte) bool {
	return ch == '-' || ch == '_' || ch == '+' || ch == '.' ||
		('a' <= ch && ch <= 'z') || ('A' <= ch && ch <= 'Z') || ('0' <= ch && ch <= '9')
}

func (p *parser) bare() string {
	start := p.pos
	for !p.eof() && isBare(p.peek()) {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *parser) entry() (entry, error) {
	e := entry{line: p.line}
	if p.peek() == '[' {
		return e, p.errorf("tables (%s) are not part of the config file: every key is top-level", p.rest())
	}
	e.key = p.bare()
	if e.key == "" || strings.ContainsAny(e.key, "+.") {
		return e, p.errorf("expected a key (letters, digits, - and _), found %q", p.rest())
	}
	p.skipBlank(false)
	if p.eof() || p.peek() != '=' {
		return e, p.errorf("expected = after the key %s", e.key)
	}
	p.pos++
	p.skipBlank(false)
	if !p.eof() && p.peek() == '[' {
		e.array = true
		p.pos++
		for {
			p.skipBlank(true)
			if p.eof() {
				return e, p.errorf("the array of %s (line %d) is not closed with ]", e.key, e.line)
			}
			if p.peek() == ']' {
				p.pos++
				return e, nil
			}
			v, err := p.value(e.key)
			if err != nil {
				return e, err
			}
			e.values = append(e.values, v)
			p.skipBlank(true)
			if !p.eof() && p.peek() == ',' {
				p.pos++
			} else if p.eof() || p.peek() != ']' {
				return e, p.errorf("expected , or ] in the array of %s", e.key)
			}
		}
	}
	v, err := p.value(e.key)
	if err != nil {
		return e, err
	}
	e.values = []string{v}
	return e, nil
}

// value reads a string, an integer or a boolean, as the text a flag
// would have.
func (p *parser) value(key string) (string, error) {
	if p.eof() || p.peek() == '\n' {
		return "", p.errorf("%s has no value", key)
	}
	switch p.peek() {
	case '"':
		return p.basicString(key)
	case '\'':
		p.pos++
		end := strings.IndexAny(p.s[p.pos:], "'\n")
		if end < 0 || p.s[p.pos+end] != '\'' {
			return "", p.errorf("the string of %s is not closed with '", key)
		}
		v := p.s[p.pos : p.pos+end]
		p.pos += end + 1
		return v, nil
	}
	word := p.bare()
	switch {
	case word == "true" || word == "false":
		return word, nil
	case word != "":
		digits := strings.ReplaceAll(word, "_", "")
		if _, err := strconv.ParseInt(digits, 10, 64); err == nil && !strings.HasPrefix(word, "_") && !strings.HasSuffix(word, "_") {
			return strings.TrimPrefix(digits, "+"), nil
		}
	}
	return "", p.errorf("the value of %s must be a quoted string, an integer, true or false; found %q", key, word+p.rest())
}

// basicString reads a "double-quoted" string with TOML's escapes.
func (p *parser) basicString(key string) (string, error) {
	p.pos++ // the opening quote
	var b strings.Builder
	for {
		if p.eof() || p.peek() == '\n' {
			return "", p.errorf("the string of %s is not closed with \"", key)
		}
		ch := p.peek()
		p.pos++
		switch {
		case ch == '"':
			return b.String(), nil
		case ch == '\\':
			if p.eof() {
				continue
			}
			esc := p.peek()
			p.pos++
			switch esc {
			case '"', '\\':
				b.WriteByte(esc)
			case 'b':
				b.WriteByte('\b')
			case 't':
				b.WriteByte('\t')
			case 'n':
				b.WriteByte('\n')
			case 'f':
				b.WriteByte('\f')
			case 'r':
				b.WriteByte('\r')
			case 'u', 'U':
				n := 4
				if esc == 'U' {
					n = 8
				}
				if p.pos+n > len(p.s) {
					return "", p.errorf("a \\%c escape in the string of %s needs %d hex digits", esc, key, n)
				}
				r, err := strconv.ParseUint(p.s[p.pos:p.pos+n], 16, 32)
				if err != nil || !utf8.ValidRune(rune(r)) {
					return "", p.errorf("a \\%c escape in the string of %s needs %d hex digits of a Unicode scalar value", esc, key, n)
				}
				b.WriteRune(rune(r))
				p.pos += n
			default:
				return "", p.errorf("\\%c is not an escape of TOML (in the string of %s)", esc, key)
			}
		case ch < 0x20 && ch != '\t' || ch == 0x7f:
			return "", p.errorf("a control character in the string of %s", key)
		default:
			b.WriteByte(ch)
		}
	}
}
