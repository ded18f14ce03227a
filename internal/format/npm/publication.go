package npm

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/arcahq/arca/internal/errkind"
)

// Publish is the body of "npm publish" (PUT /{name}), and also of the
// commands that send a whole package document back (npm deprecate, npm
// star): the package document with, for a publish, the new version's
// manifest and its tarball in _attachments.
//
// Spec: the npm registry's publish request, as libnpmpublish builds it
// (https://github.com/npm/cli/tree/latest/workspaces/libnpmpublish), and
// docs/CLIENTS.md §4.1-§4.3 for what npm, yarn and pnpm send.
type Publish struct {
	ID       string                     // "_id"
	Name     string                     // "name"
	DistTags map[string]string          // "dist-tags"
	Versions map[string]json.RawMessage // "versions": version -> manifest
	Readme   string                     // top-level "readme" (yarn sends it)
	// Users is set when the body has "users", which only npm star sends.
	Users bool
	// Attachments are the "_attachments", by file name.
	Attachments map[string]Attachment
}

// Attachment is a file of "_attachments"; its bytes went to the callback
// of ParsePublish.
type Attachment struct {
	ContentType string
	Length      int64 // as declared; -1 when absent
	Size        int64 // the decoded bytes
}

// Limits bound what ParsePublish reads.
type Limits struct {
	// Metadata bounds the bytes of the body outside attachment data.
	Metadata int64
	// Attachment bounds the decoded bytes of each attachment.
	Attachment int64
}

// DefaultLimits are the limits of the publish endpoint: 32 MiB of package
// document, and the User Guide's 1 GB asset quota per tarball.
var DefaultLimits = Limits{Metadata: 32 << 20, Attachment: 1 << 30}

// AttachFunc receives the decoded bytes of one attachment while the body
// is read, with what was parsed before it (every client sends "versions"
// before "_attachments"). Reading data to its end is optional: the rest is
// skipped. An error stops the parse and is returned as is.
type AttachFunc func(p *Publish, file string, data io.Reader) error

// ParsePublish reads a publish body from r without holding attachments in
// memory: their base64 data streams, decoded, to attach (nil skips them).
// It is strict where npm's registry is: one JSON object, no duplicate keys
// at the top level or in an attachment, nothing after the object. Other
// fields of the document are validated as JSON and ignored.
func ParsePublish(r io.Reader, limits Limits, attach AttachFunc) (*Publish, error) {
	s := &scanner{r: bufio.NewReaderSize(r, 64<<10), budget: limits.Metadata}
	p := &Publish{}
	err := s.document(p, limits, attach)
	if err == nil {
		return p, nil
	}
	var ce *callbackError
	if errors.As(err, &ce) {
		return nil, ce.err
	}
	var e *errkind.Error
	if errors.As(err, &e) {
		return nil, err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, errkind.Validationf("Invalid publish body: unexpected end of JSON")
	}
	return nil, errkind.Validationf("Invalid publish body: %v", err)
}

// set decodes a top-level member of the body into p: the members Publish
// has, with the types encoding/json would decode them to; the others are
// only checked to be JSON.
func (p *Publish) set(key string, raw []byte) error {
	var err error
	switch key {
	case "_id":
		err = json.Unmarshal(raw, &p.ID)
	case "name":
		err = json.Unmarshal(raw, &p.Name)
	case "dist-tags":
		err = json.Unmarshal(raw, &p.DistTags)
	case "versions":
		err = json.Unmarshal(raw, &p.Versions)
	case "readme":
		// yarn sends "" and others omit it; a readme that is not a string
		// is not worth refusing a publish for.
		if !json.Valid(raw) {
			return fmt.Errorf("field readme is not valid JSON")
		}
		json.Unmarshal(raw, &p.Readme)
		return nil
	case "users":
		p.Users = string(raw) != "null"
		fallthrough
	default:
		if !json.Valid(raw) {
			return fmt.Errorf("field %q is not valid JSON", key)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("field %q: %v", key, err)
	}
	return nil
}

// scanner reads JSON by hand, because encoding/json holds every string in
// memory and a tarball's base64 can be over a gigabyte. Values other than
// attachment data are captured whole (bounded by budget) and decoded with
// encoding/json.
type scanner struct {
	r      *bufio.Reader
	budget int64 // metadata bytes left
}

func (s *scanner) readByte() (byte, error) {
	if s.budget <= 0 {
		return 0, errkind.Quotaf("The package document of a publish request is larger than the limit")
	}
	s.budget--
	return s.r.ReadByte()
}

// next returns the next byte that is not JSON whitespace.
func (s *scanner) next() (byte, error) {
	for {
		c, err := s.readByte()
		if err != nil || !isSpace(c) {
			return c, err
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) expect(want byte) error {
	c, err := s.next()
	if err != nil {
		return err
	}
	if c != want {
		return fmt.Errorf("expected %q, found %q", want, c)
	}
	return nil
}

// object reads the members of an object whose "{" was read, calling
// member with each key after its ":".
func (s *scanner) object(member func(key string) error) error {
	seen := map[string]bool{}
	c, err := s.next()
	if err != nil {
		return err
	}
	if c == '}' {
		return nil
	}
	for {
		if c != '"' {
			return fmt.Errorf("expected a member name, found %q", c)
		}
		var buf bytes.Buffer
		buf.WriteByte('"')
		if err := s.captureString(&buf); err != nil {
			return err
		}
		var key string
		if err := json.Unmarshal(buf.Bytes(), &key); err != nil {
			return err
		}
		if seen[key] {
			return fmt.Errorf("duplicate member %q", key)
		}
		seen[key] = true
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		if c, err = s.next(); err != nil {
			return err
		}
		if c == '}' {
			return nil
		}
		if c != ',' {
			return fmt.Errorf("expected ',' or '}', found %q", c)
		}
		if c, err = s.next(); err != nil {
			return err
		}
	}
}

func (s *scanner) document(p *Publish, limits Limits, attach AttachFunc) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	err := s.object(func(key string) error {
		if key == "_attachments" {
			return s.attachments(p, limits, attach)
		}
		raw, err := s.value()
		if err != nil {
			return err
		}
		return p.set(key, raw)
	})
	if err != nil {
		return err
	}
	// Nothing but whitespace may follow.
	for {
		c, err := s.r.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if !isSpace(c) {
			return fmt.Errorf("data after the JSON object")
		}
	}
}

// value captures one JSON value.
func (s *scanner) value() ([]byte, error) {
	var buf bytes.Buffer
	c, err := s.next()
	if err != nil {
		return nil, err
	}
	buf.WriteByte(c)
	switch c {
	case '"':
		err = s.captureString(&buf)
	case '{', '[':
		err = s.captureNested(&buf)
	default:
		// A number or a literal: up to the next delimiter, validated by
		// the caller's decoding.
		for {
			b, err := s.r.Peek(1)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			if isSpace(b[0]) || b[0] == ',' || b[0] == '}' || b[0] == ']' {
				break
			}
			c, err := s.readByte()
			if err != nil {
				return nil, err
			}
			buf.WriteByte(c)
		}
	}
	return buf.Bytes(), err
}

// captureString appends a string's bytes after its opening quote, up to
// and including its closing quote.
func (s *scanner) captureString(buf *bytes.Buffer) error {
	for {
		c, err := s.readByte()
		if err != nil {
			return err
		}
		buf.WriteByte(c)
		switch c {
		case '"':
			return nil
		case '\\':
			c, err := s.readByte()
			if err != nil {
				return err
			}
			buf.WriteByte(c)
		}
	}
}

// captureNested appends an object's or array's bytes after its opening
// bracket, up to its closing one. Brackets are only counted here; the
// caller's decoding checks that they pair up.
func (s *scanner) captureNested(buf *bytes.Buffer) error {
	depth := 1
	for depth > 0 {
		c, err := s.readByte()
		if err != nil {
			return err
		}
		buf.WriteByte(c)
		switch c {
		case '"':
			if err := s.captureString(buf); err != nil {
				return err
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return nil
}

// attachments reads "_attachments": null or an object of file name ->
// {"content_type", "data", "length"}.
func (s *scanner) attachments(p *Publish, limits Limits, attach AttachFunc) error {
	c, err := s.next()
	if err != nil {
		return err
	}
	if c == 'n' {
		for _, want := range []byte("ull") {
			if c, err := s.readByte(); err != nil || c != want {
				return fmt.Errorf("invalid literal in _attachments")
			}
		}
		return nil
	}
	if c != '{' {
		return fmt.Errorf("_attachments is not an object")
	}
	if p.Attachments == nil {
		p.Attachments = map[string]Attachment{}
	}
	return s.object(func(file string) error {
		if err := s.expect('{'); err != nil {
			return fmt.Errorf("attachment %q is not an object", file)
		}
		a := Attachment{Length: -1}
		err := s.object(func(key string) error {
			if key == "data" {
				n, err := s.data(p, file, limits, attach)
				a.Size = n
				return err
			}
			raw, err := s.value()
			if err != nil {
				return err
			}
			switch key {
			case "content_type":
				err = json.Unmarshal(raw, &a.ContentType)
			case "length":
				if err = json.Unmarshal(raw, &a.Length); err == nil && a.Length < 0 {
					err = errors.New("a length is not negative")
				}
			default:
				if !json.Valid(raw) {
					err = errors.New("not valid JSON")
				}
			}
			if err != nil {
				return fmt.Errorf("attachment %q: field %q: %v", file, key, err)
			}
			return nil
		})
		p.Attachments[file] = a
		return err
	})
}

// data streams an attachment's base64 string, decoded, to attach, and
// returns how many bytes it decoded to.
func (s *scanner) data(p *Publish, file string, limits Limits, attach AttachFunc) (int64, error) {
	if err := s.expect('"'); err != nil {
		return 0, fmt.Errorf("attachment %q: data is not a string", file)
	}
	// Newlines are all base64 lets a client add; anything more than twice
	// the encoded size of the largest attachment is not an attachment.
	str := &stringReader{r: s.r, left: 2*(limits.Attachment/3*4+4) + 4096}
	dec := &countReader{r: base64.NewDecoder(base64.StdEncoding, str), left: limits.Attachment}
	if attach != nil {
		if err := attach(p, file, dec); err != nil {
			return dec.n, &callbackError{err}
		}
	}
	if _, err := io.Copy(io.Discard, dec); err != nil {
		return dec.n, err
	}
	if !str.done {
		return dec.n, fmt.Errorf("attachment %q: data does not end", file)
	}
	return dec.n, nil
}

// callbackError carries an AttachFunc's error out of the parse unchanged.
type callbackError struct{ err error }

func (e *callbackError) Error() string { return e.err.Error() }

// countReader counts what it reads and refuses more than left.
type countReader struct {
	r    io.Reader
	n    int64
	left int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.left {
		return n, errkind.Quotaf("An attachment is larger than %d bytes", c.left)
	}
	var e *errkind.Error
	if err != nil && err != io.EOF && !errors.As(err, &e) {
		err = errkind.Wrap(errkind.Validation, err, "Invalid attachment data: %v", err)
	}
	return n, err
}

// stringReader yields the decoded contents of a JSON string whose opening
// quote was read, and reads its closing quote. Escapes decode as
// encoding/json decodes them.
type stringReader struct {
	r    *bufio.Reader
	left int64 // raw bytes it may still read
	done bool
	// pending holds decoded bytes of an escape that did not fit in p.
	pending []byte
}

func (sr *stringReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(sr.pending) > 0 {
			k := copy(p[n:], sr.pending)
			sr.pending, n = sr.pending[k:], n+k
			continue
		}
		if sr.done {
			break
		}
		if sr.r.Buffered() == 0 {
			if n > 0 {
				break // return what we have rather than block
			}
			if _, err := sr.r.Peek(1); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return n, err
			}
		}
		buf, _ := sr.r.Peek(min(sr.r.Buffered(), len(p)-n))
		i := 0
		for i < len(buf) && buf[i] != '"' && buf[i] != '\\' && buf[i] >= 0x20 {
			i++
		}
		if int64(i) > sr.left {
			return n, errkind.Quotaf("An attachment's data is larger than the limit")
		}
		n += copy(p[n:], buf[:i])
		sr.r.Discard(i)
		sr.left -= int64(i)
		if i == len(buf) {
			continue
		}
		c, _ := sr.r.ReadByte()
		sr.left--
		switch {
		case c == '"':
			sr.done = true
		case c < 0x20:
			return n, fmt.Errorf("control character in string")
		default:
			b, err := sr.escape()
			if err != nil {
				return n, err
			}
			sr.pending = b
		}
	}
	if n == 0 && sr.done {
		return 0, io.EOF
	}
	return n, nil
}

// escape decodes an escape sequence after its backslash, to UTF-8.
func (sr *stringReader) escape() ([]byte, error) {
	c, err := sr.r.ReadByte()
	if err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	sr.left--
	switch c {
	case '"', '\\', '/':
		return []byte{c}, nil
	case 'b':
		return []byte{'\b'}, nil
	case 'f':
		return []byte{'\f'}, nil
	case 'n':
		return []byte{'\n'}, nil
	case 'r':
		return []byte{'\r'}, nil
	case 't':
		return []byte{'\t'}, nil
	case 'u':
		r, err := sr.hex4()
		if err != nil {
			return nil, err
		}
		if utf16.IsSurrogate(r) {
			// Half of a pair: the other half is the next escape. Without
			// it, U+FFFD replaces this half and the next escape stands
			// alone, as in encoding/json.
			dec := utf8.RuneError
			if b, err := sr.r.Peek(6); err == nil && b[0] == '\\' && b[1] == 'u' {
				if r2, ok := parseHex4(b[2:]); ok {
					dec = utf16.DecodeRune(r, r2)
				}
			}
			if dec != utf8.RuneError {
				sr.r.Discard(6)
				sr.left -= 6
			}
			r = dec
		}
		return utf8.AppendRune(nil, r), nil
	}
	return nil, fmt.Errorf("invalid escape \\%c in string", c)
}

func (sr *stringReader) hex4() (rune, error) {
	b, err := sr.r.Peek(4)
	if err != nil {
		return 0, io.ErrUnexpectedEOF
	}
	r, ok := parseHex4(b)
	if !ok {
		return 0, fmt.Errorf("invalid \\u escape in string")
	}
	sr.r.Discard(4)
	sr.left -= 4
	return r, nil
}

func parseHex4(b []byte) (rune, bool) {
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	return r, true
}
