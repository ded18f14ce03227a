package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// jkind is the JSON type of a node.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k jkind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

// jnode is one JSON value with its object members kept in document order.
// The policy grammar needs three things encoding/json's generic decoding
// loses: member order (for stable messages), duplicate keys (which IAM
// resolves silently, last one wins, and which Parse rejects), and numbers in
// their literal spelling (a condition value 43200 is the string "43200").
type jnode struct {
	kind  jkind
	str   string // the string, or the number's literal text
	b     bool
	elems []*jnode
	keys  []string
	vals  []*jnode
}

// maxDepth bounds nesting. The deepest legal path is
// document > Statement > [i] > Condition > operator > key > [j], seven levels.
const maxDepth = 16

// readJSON decodes doc into a tree, rejecting invalid UTF-8, duplicate
// object keys, nesting deeper than maxDepth and anything after the value.
func readJSON(doc []byte) (*jnode, error) {
	if !utf8.Valid(doc) {
		return nil, cannotParse("the document is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	n, err := readValue(dec, 0, "")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, cannotParse("unexpected data after the policy document at offset %d", dec.InputOffset())
	}
	return n, nil
}

func readValue(dec *json.Decoder, depth int, path string) (*jnode, error) {
	if depth > maxDepth {
		return nil, cannotParse("the document nests deeper than %d levels", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(dec, err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jnode{kind: jObject}
			seen := make(map[string]bool)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, syntaxError(dec, err)
				}
				key := kt.(string) // the decoder only yields strings in key position
				if seen[key] {
					return nil, malformed(path, "duplicate key %q (IAM would silently keep the last one)", key)
				}
				seen[key] = true
				v, err := readValue(dec, depth+1, member(path, key))
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, key)
				n.vals = append(n.vals, v)
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, syntaxError(dec, err)
			}
			return n, nil
		case '[':
			n := &jnode{kind: jArray}
			for dec.More() {
				v, err := readValue(dec, depth+1, index(path, len(n.elems)))
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, v)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, syntaxError(dec, err)
			}
			return n, nil
		}
		return nil, cannotParse("unexpected %q at offset %d", t, dec.InputOffset())
	case string:
		return &jnode{kind: jString, str: t}, nil
	case json.Number:
		return &jnode{kind: jNumber, str: string(t)}, nil
	case bool:
		return &jnode{kind: jBool, b: t}, nil
	case nil:
		return &jnode{kind: jNull}, nil
	}
	return nil, cannotParse("unexpected token at offset %d", dec.InputOffset())
}

func syntaxError(dec *json.Decoder, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return cannotParse("the document ends early")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return cannotParse("%s (at offset %d)", se.Error(), se.Offset)
	}
	return cannotParse("%s (at offset %d)", err.Error(), dec.InputOffset())
}

// scalarString returns the text of a string, number or boolean node, the
// forms IAM accepts for a condition value.
func (n *jnode) scalarString() (string, bool) {
	switch n.kind {
	case jString, jNumber:
		return n.str, true
	case jBool:
		if n.b {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// describe names a node's type for messages.
func (n *jnode) describe() string {
	if n.kind == jString {
		return fmt.Sprintf("the string %q", n.str)
	}
	return n.kind.String()
}
