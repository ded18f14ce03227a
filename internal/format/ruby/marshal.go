package ruby

import (
	"encoding/binary"
	"fmt"
)

// A Ruby Marshal 4.8 encoder for the few object graphs the RubyGems index
// is made of: nil, true, false, small integers, UTF-8 and binary strings,
// symbols, arrays, hashes, and objects of three kinds (plain objects with
// instance variables, marshal_dump objects and _dump objects).
//
// Spec: Ruby's doc/marshal.rdoc (format 4.8).

// The Ruby values the encoder writes, besides nil, bool, int, string
// (a UTF-8 String), []any and *Hash.
type (
	// Symbol is a Ruby Symbol.
	Symbol string
	// Binary is a String without an encoding (ASCII-8BIT).
	Binary []byte
	// Hash is a Ruby Hash, its pairs in order.
	Hash struct{ Pairs [][2]any }
	// Object is a plain object: its class and instance variables (names
	// with their "@"), in order.
	Object struct {
		Class string
		Ivars [][2]any
	}
	// UserMarshal is an object of a class with marshal_dump: its class
	// and the value marshal_dump returns (Gem::Version, Gem::Requirement).
	UserMarshal struct {
		Class string
		Data  any
	}
	// UserDump is an object of a class with _dump: its class and the
	// bytes _dump returns (Gem::Specification).
	UserDump struct {
		Class string
		Data  []byte
	}
)

// Marshal encodes v as Marshal 4.8.
func Marshal(v any) []byte {
	m := &marshaler{buf: []byte{4, 8}, syms: map[string]int{}}
	m.value(v)
	return m.buf
}

type marshaler struct {
	buf  []byte
	syms map[string]int
}

func (m *marshaler) value(v any) {
	switch v := v.(type) {
	case nil:
		m.buf = append(m.buf, '0')
	case bool:
		if v {
			m.buf = append(m.buf, 'T')
		} else {
			m.buf = append(m.buf, 'F')
		}
	case int:
		m.buf = append(m.buf, 'i')
		m.fixnum(v)
	case string:
		// A String with its encoding, UTF-8, as the instance variable E.
		m.buf = append(m.buf, 'I', '"')
		m.bytes([]byte(v))
		m.fixnum(1)
		m.symbol("E")
		m.buf = append(m.buf, 'T')
	case Binary:
		m.buf = append(m.buf, '"')
		m.bytes(v)
	case Symbol:
		m.symbol(string(v))
	case []any:
		m.buf = append(m.buf, '[')
		m.fixnum(len(v))
		for _, e := range v {
			m.value(e)
		}
	case []string:
		all := make([]any, len(v))
		for i, e := range v {
			all[i] = e
		}
		m.value(all)
	case *Hash:
		m.buf = append(m.buf, '{')
		m.pairs(v.Pairs)
	case *Object:
		m.buf = append(m.buf, 'o')
		m.symbol(v.Class)
		m.pairs(v.Ivars)
	case *UserMarshal:
		m.buf = append(m.buf, 'U')
		m.symbol(v.Class)
		m.value(v.Data)
	case *UserDump:
		m.buf = append(m.buf, 'u')
		m.symbol(v.Class)
		m.bytes(v.Data)
	default:
		panic(fmt.Sprintf("ruby: cannot marshal %T", v))
	}
}

// pairs writes a count and keys and values (a Hash's, an Object's
// instance variables).
func (m *marshaler) pairs(ps [][2]any) {
	m.fixnum(len(ps))
	for _, p := range ps {
		m.value(p[0])
		m.value(p[1])
	}
}

// symbol writes a symbol, or a link to its first occurrence.
func (m *marshaler) symbol(s string) {
	if i, ok := m.syms[s]; ok {
		m.buf = append(m.buf, ';')
		m.fixnum(i)
		return
	}
	m.syms[s] = len(m.syms)
	m.buf = append(m.buf, ':')
	m.bytes([]byte(s))
}

func (m *marshaler) bytes(b []byte) {
	m.fixnum(len(b))
	m.buf = append(m.buf, b...)
}

// fixnum writes Marshal's integer encoding: 0, -123..122 in one byte
// (offset by 5), else a signed length and that many little-endian bytes.
func (m *marshaler) fixnum(n int) {
	switch {
	case n == 0:
		m.buf = append(m.buf, 0)
		return
	case n > 0 && n < 123:
		m.buf = append(m.buf, byte(n+5))
		return
	case n < 0 && n > -124:
		m.buf = append(m.buf, byte(int8(n-5)))
		return
	}
	var le [8]byte
	binary.LittleEndian.PutUint64(le[:], uint64(int64(n)))
	size := 8
	if n > 0 {
		for size > 1 && le[size-1] == 0 {
			size--
		}
		m.buf = append(m.buf, byte(size))
	} else {
		for size > 1 && le[size-1] == 0xff {
			size--
		}
		m.buf = append(m.buf, byte(-size))
	}
	m.buf = append(m.buf, le[:size]...)
}
