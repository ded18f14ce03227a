package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
)

// MaxLength bounds a pattern's JSON, as EventBridge does (2048 characters
// for a rule's pattern; Arca allows more for long lists of names).
const MaxLength = 16 << 10

// maxDepth bounds the nesting of a pattern.
const maxDepth = 32

// Pattern is a compiled event pattern. The zero Pattern matches every
// event.
type Pattern struct {
	fields map[string]*node
}

// node is what a pattern says about one key: a nested pattern or a list of
// alternatives.
type node struct {
	nested *Pattern
	any    []matcher
}

// matcher matches one value; present says whether the key exists at all.
type matcher interface {
	match(v any, present bool) bool
}

// Compile parses a pattern. An empty string (or "{}") matches every event.
func Compile(text string) (*Pattern, error) {
	if strings.TrimSpace(text) == "" {
		return &Pattern{}, nil
	}
	if len(text) > MaxLength {
		return nil, fmt.Errorf("event pattern is longer than %d bytes", MaxLength)
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("event pattern is not JSON: %v", err)
	}
	if dec.More() {
		return nil, errors.New("event pattern has trailing data after its JSON object")
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("event pattern has trailing data after its JSON object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("event pattern must be a JSON object")
	}
	return compileObject(obj, "", 0)
}

func compileObject(obj map[string]any, path string, depth int) (*Pattern, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("event pattern nests deeper than %d levels", maxDepth)
	}
	p := &Pattern{fields: map[string]*node{}}
	for key, v := range obj {
		at := key
		if path != "" {
			at = path + "." + key
		}
		switch v := v.(type) {
		case map[string]any:
			nested, err := compileObject(v, at, depth+1)
			if err != nil {
				return nil, err
			}
			p.fields[key] = &node{nested: nested}
		case []any:
			if len(v) == 0 {
				return nil, fmt.Errorf("event pattern: %s: an empty list matches nothing", at)
			}
			n := &node{}
			for _, item := range v {
				m, err := compileValue(item, at)
				if err != nil {
					return nil, err
				}
				n.any = append(n.any, m)
			}
			p.fields[key] = n
		default:
			return nil, fmt.Errorf("event pattern: %s: values must be in a list, as [%s]", at, mustJSON(v))
		}
	}
	return p, nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// literal matches a value equal to want (nil: JSON null).
type literal struct{ want any }

func (l literal) match(v any, present bool) bool { return present && equal(l.want, v) }

func equal(want, v any) bool {
	switch w := want.(type) {
	case nil:
		return v == nil
	case string:
		s, ok := v.(string)
		return ok && s == w
	case bool:
		b, ok := v.(bool)
		return ok && b == w
	case float64:
		f, ok := number(v)
		return ok && f == w
	}
	return false
}

// number returns v as a float64 if it is a JSON number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// literalOf turns a decoded JSON scalar into a literal's value.
func literalOf(v any, at string) (any, error) {
	switch v := v.(type) {
	case nil, string, bool:
		return v, nil
	case json.Number:
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("event pattern: %s: %s is not a number EventBridge can compare", at, v)
		}
		return f, nil
	}
	return nil, fmt.Errorf("event pattern: %s: %s is not a literal", at, mustJSON(v))
}

type stringTest struct {
	test func(string) bool
}

func (s stringTest) match(v any, present bool) bool {
	str, ok := v.(string)
	return present && ok && s.test(str)
}

type exists bool

func (e exists) match(_ any, present bool) bool { return present == bool(e) }

// anythingBut matches a present value that inner does not match.
type anythingBut struct{ inner matcher }

func (a anythingBut) match(v any, present bool) bool { return present && !a.inner.match(v, present) }

type anyOf []matcher

func (a anyOf) match(v any, present bool) bool {
	for _, m := range a {
		if m.match(v, present) {
			return true
		}
	}
	return false
}

type bound struct {
	op    string
	value float64
}

type numeric []bound

func (n numeric) match(v any, present bool) bool {
	f, ok := number(v)
	if !present || !ok {
		return false
	}
	for _, b := range n {
		var in bool
		switch b.op {
		case "=":
			in = f == b.value
		case "<":
			in = f < b.value
		case "<=":
			in = f <= b.value
		case ">":
			in = f > b.value
		case ">=":
			in = f >= b.value
		}
		if !in {
			return false
		}
	}
	return true
}

func compileValue(item any, at string) (matcher, error) {
	obj, ok := item.(map[string]any)
	if !ok {
		l, err := literalOf(item, at)
		if err != nil {
			return nil, err
		}
		return literal{l}, nil
	}
	if len(obj) != 1 {
		return nil, fmt.Errorf("event pattern: %s: a filter is an object with exactly one key, as {\"prefix\": \"x\"}", at)
	}
	for op, arg := range obj {
		return compileFilter(op, arg, at)
	}
	panic("unreachable")
}

func stringArg(op string, arg any, at string) (string, error) {
	s, ok := arg.(string)
	if !ok {
		return "", fmt.Errorf("event pattern: %s: %q takes a string", at, op)
	}
	return s, nil
}

func compileFilter(op string, arg any, at string) (matcher, error) {
	switch op {
	case "prefix", "suffix", "equals-ignore-case":
		s, err := stringArg(op, arg, at)
		if err != nil {
			return nil, err
		}
		switch op {
		case "prefix":
			return stringTest{func(v string) bool { return strings.HasPrefix(v, s) }}, nil
		case "suffix":
			return stringTest{func(v string) bool { return strings.HasSuffix(v, s) }}, nil
		}
		return stringTest{func(v string) bool { return strings.EqualFold(v, s) }}, nil
	case "exists":
		b, ok := arg.(bool)
		if !ok {
			return nil, fmt.Errorf("event pattern: %s: \"exists\" takes true or false", at)
		}
		return exists(b), nil
	case "anything-but":
		return compileAnythingBut(arg, at)
	case "numeric":
		return compileNumeric(arg, at)
	}
	return nil, fmt.Errorf("event pattern: %s: unknown filter %q (Arca supports prefix, suffix, equals-ignore-case, anything-but, numeric and exists)", at, op)
}

func compileAnythingBut(arg any, at string) (matcher, error) {
	switch a := arg.(type) {
	case map[string]any:
		if len(a) != 1 {
			return nil, fmt.Errorf("event pattern: %s: \"anything-but\" takes a literal, a list of literals, or {\"prefix\": ...} / {\"suffix\": ...}", at)
		}
		for op, inner := range a {
			if op != "prefix" && op != "suffix" {
				return nil, fmt.Errorf("event pattern: %s: \"anything-but\" takes {\"prefix\": ...} or {\"suffix\": ...}, not %q", at, op)
			}
			m, err := compileFilter(op, inner, at)
			if err != nil {
				return nil, err
			}
			return anythingBut{m}, nil
		}
	case []any:
		if len(a) == 0 {
			return nil, fmt.Errorf("event pattern: %s: \"anything-but\" with an empty list", at)
		}
		var list anyOf
		for _, v := range a {
			l, err := literalOf(v, at)
			if err != nil {
				return nil, err
			}
			list = append(list, literal{l})
		}
		return anythingBut{list}, nil
	}
	l, err := literalOf(arg, at)
	if err != nil {
		return nil, err
	}
	return anythingBut{literal{l}}, nil
}

func compileNumeric(arg any, at string) (matcher, error) {
	list, ok := arg.([]any)
	if !ok || len(list) == 0 || len(list)%2 != 0 || len(list) > 4 {
		return nil, fmt.Errorf("event pattern: %s: \"numeric\" takes one or two pairs of operator and number, as [\">\", 0, \"<=\", 5]", at)
	}
	var n numeric
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			ok = false
		}
		if !ok {
			return nil, fmt.Errorf("event pattern: %s: %s is not a numeric operator (=, <, <=, >, >=)", at, mustJSON(list[i]))
		}
		f, isNum := number(list[i+1])
		if !isNum || math.IsInf(f, 0) {
			return nil, fmt.Errorf("event pattern: %s: %s is not a number", at, mustJSON(list[i+1]))
		}
		n = append(n, bound{op, f})
	}
	return n, nil
}

// Match reports whether the event (a JSON object) matches the pattern. An
// event that is not a JSON object matches nothing.
func (p *Pattern) Match(event []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false
	}
	obj, ok := v.(map[string]any)
	return ok && p.MatchValue(obj)
}

// MatchValue matches a decoded event (numbers as float64 or json.Number).
func (p *Pattern) MatchValue(event map[string]any) bool {
	for key, n := range p.fields {
		v, present := event[key]
		if n.nested != nil {
			obj, ok := v.(map[string]any)
			if !ok || !n.nested.MatchValue(obj) {
				return false
			}
			continue
		}
		if !n.matches(v, present) {
			return false
		}
	}
	return true
}

func (n *node) matches(v any, present bool) bool {
	if list, ok := v.([]any); ok {
		for _, el := range list {
			if n.matches(el, true) {
				return true
			}
		}
		// An empty array matches only what an absent field would.
		if len(list) == 0 {
			return anyOf(n.any).match(nil, false)
		}
		return false
	}
	return anyOf(n.any).match(v, present)
}
