package model

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Violation is one failed constraint, worded as AWS words it:
// "Value 'x' at 'domain' failed to satisfy constraint: Member must ...".
type Violation struct {
	Path    string
	Value   string // already quoted ('x') or null
	Message string
}

func (v Violation) String() string {
	return fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", v.Value, v.Path, v.Message)
}

// Validate checks a decoded JSON value (objects as map[string]any, numbers
// as json.Number) against the named shape and returns every violation, in a
// stable order.
func (m *Model) Validate(shape string, v any) []Violation {
	var out []Violation
	m.validate(&out, shape, "", v)
	return out
}

func (m *Model) validate(out *[]Violation, shapeName, path string, v any) {
	s := m.Shapes[shapeName]
	if v == nil {
		return // required-ness is checked by the enclosing structure
	}
	add := func(msg string) { *out = append(*out, Violation{Path: path, Value: quote(v), Message: msg}) }
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			add("Member must be a structure")
			return
		}
		for _, req := range s.Required {
			if obj[req] == nil {
				*out = append(*out, Violation{Path: join(path, req), Value: "null", Message: "Member must not be null"})
			}
		}
		for _, name := range s.names {
			if mv, ok := obj[name]; ok {
				m.validate(out, s.Members[name].Shape, join(path, name), mv)
			}
		}
	case "list":
		list, ok := v.([]any)
		if !ok {
			add("Member must be a list")
			return
		}
		checkRange(s, float64(len(list)), "length", add)
		for i, item := range list {
			m.validate(out, s.Member.Shape, fmt.Sprintf("%s.%d.member", path, i+1), item)
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			add("Member must be a map")
			return
		}
		checkRange(s, float64(len(obj)), "length", add)
		for k, item := range obj {
			m.validate(out, s.Key.Shape, path+".key", k)
			m.validate(out, s.Value.Shape, path+"."+k+".value", item)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			add("Member must be a string")
			return
		}
		checkRange(s, float64(utf8.RuneCountInString(str)), "length", add)
		if s.re != nil && !s.match(str) {
			add("Member must satisfy regular expression pattern: " + s.Pattern)
		}
		if len(s.Enum) > 0 && !contains(s.Enum, str) {
			add("Member must satisfy enum value set: [" + strings.Join(s.Enum, ", ") + "]")
		}
	case "integer", "long":
		num, ok := v.(json.Number)
		if !ok {
			add("Member must be a number")
			return
		}
		n, err := num.Int64()
		if err != nil {
			add("Member must be an integer")
			return
		}
		checkRange(s, float64(n), "value", add)
	case "boolean":
		if _, ok := v.(bool); !ok {
			add("Member must be a boolean")
		}
	case "timestamp":
		if _, ok := v.(json.Number); !ok {
			if _, ok := v.(string); !ok {
				add("Member must be a timestamp")
			}
		}
	}
}

func checkRange(s *Shape, n float64, what string, add func(string)) {
	if s.Min != nil && n < *s.Min {
		add(fmt.Sprintf("Member must have %s greater than or equal to %v", what, *s.Min))
	}
	if s.Max != nil && n > *s.Max {
		add(fmt.Sprintf("Member must have %s less than or equal to %v", what, *s.Max))
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// quote renders a value the way AWS quotes it in validation messages.
func quote(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "'" + x + "'"
	case json.Number:
		return "'" + x.String() + "'"
	default:
		b, _ := json.Marshal(x)
		return "'" + string(b) + "'"
	}
}

// Summary joins violations into AWS's one-line message.
func Summary(vs []Violation) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.String()
	}
	noun := "errors"
	if len(vs) == 1 {
		noun = "error"
	}
	return fmt.Sprintf("%d validation %s detected: %s", len(vs), noun, strings.Join(parts, "; "))
}

// rememberedMax bounds the strings a shape remembers as matching its
// pattern: names and versions, not documents.
const rememberedMax = 256

// match reports whether str satisfies the shape's pattern. The last
// string that did is remembered: requests name the same domain,
// repository and package again and again, the regular expressions cost
// a few microseconds a request, and whether a string matches never
// changes.
func (s *Shape) match(str string) bool {
	if last := s.matched.Load(); last != nil && *last == str {
		return true
	}
	if !s.re.MatchString(str) {
		return false
	}
	if len(str) <= rememberedMax {
		// A copy of the header: taking str's own address would move it
		// to the heap on every call, hits included.
		last := new(string)
		*last = str
		s.matched.Store(last)
	}
	return true
}
