package maven

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/arcahq/arca/internal/errkind"
)

// readAtMost reads r to its end, refusing more than limit bytes.
func readAtMost(r io.Reader, limit int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		if errkind.KindOf(err) != errkind.Internal {
			return nil, err // already classified (a network failure, say)
		}
		return nil, errkind.Wrap(errkind.Validation, err, "could not read %s", what)
	}
	if int64(len(b)) > limit {
		return nil, errkind.Quotaf("%s is larger than %d bytes", what, limit)
	}
	return b, nil
}

// decodeXML decodes one document into v: strict XML with the HTML
// entities POMs written by hand use (&nbsp;, &copy;), in UTF-8, US-ASCII
// or ISO-8859-1 (as old POMs declare), and nothing but whitespace,
// comments and processing instructions after the root element.
func decodeXML(b []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charsetReader
	if err := d.Decode(v); err != nil {
		return err
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return fmt.Errorf("text after the root element")
			}
		case xml.Comment, xml.ProcInst:
		default:
			return fmt.Errorf("content after the root element")
		}
	}
}

// charsetReader reads the encodings XML files in Maven repositories
// declare.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "windows-1252", "cp1252":
		// Windows-1252 differs from ISO-8859-1 only in 0x80-0x9f, which
		// POMs do not use for anything that matters here.
		return &latin1{r: bufio.NewReader(r)}, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", charset)
}

// latin1 turns ISO-8859-1 bytes into UTF-8.
type latin1 struct {
	r       *bufio.Reader
	pending []byte
}

func (l *latin1) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(l.pending) > 0 {
			c := copy(p[n:], l.pending)
			l.pending = l.pending[c:]
			n += c
			continue
		}
		b, err := l.r.ReadByte()
		if err != nil {
			if n > 0 {
				return n, nil
			}
			return 0, err
		}
		if b < utf8.RuneSelf {
			p[n] = b
			n++
			continue
		}
		l.pending = utf8.AppendRune(nil, rune(b))
	}
	return n, nil
}

// collapse trims s and turns each run of whitespace into one space, as a
// description spread over indented lines reads.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
