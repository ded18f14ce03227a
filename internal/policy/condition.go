package policy

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// family is the type of value a condition operator compares.
type family uint8

const (
	famString family = iota
	famNumeric
	famDate
	famBool
	famIP
	famARN
	famNull
)

// cmp is the comparison a condition operator makes, before negation.
type cmp uint8

const (
	cmpEq cmp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// setOp is a condition's set operator.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
type setOp uint8

const (
	setNone setOp = iota
	setAnyValue
	setAllValues
)

// operator is a parsed condition operator name such as
// "ForAnyValue:StringNotLikeIfExists".
type operator struct {
	fam      family
	cmp      cmp
	negate   bool // the Not form: true exactly when the positive form is false
	fold     bool // IgnoreCase
	like     bool // * and ? are wildcards
	ifExists bool
	set      setOp
}

// parseOperator reads a condition operator name. Names are case-sensitive,
// as IAM writes them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
func parseOperator(name string) (operator, bool) {
	var op operator
	base := name
	if rest, ok := strings.CutPrefix(base, "ForAnyValue:"); ok {
		op.set, base = setAnyValue, rest
	} else if rest, ok := strings.CutPrefix(base, "ForAllValues:"); ok {
		op.set, base = setAllValues, rest
	}
	base, op.ifExists = strings.CutSuffix(base, "IfExists")
	switch base {
	case "StringEquals":
		op.fam = famString
	case "StringNotEquals":
		op.fam, op.negate = famString, true
	case "StringEqualsIgnoreCase":
		op.fam, op.fold = famString, true
	case "StringNotEqualsIgnoreCase":
		op.fam, op.fold, op.negate = famString, true, true
	case "StringLike":
		op.fam, op.like = famString, true
	case "StringNotLike":
		op.fam, op.like, op.negate = famString, true, true
	case "NumericEquals":
		op.fam = famNumeric
	case "NumericNotEquals":
		op.fam, op.negate = famNumeric, true
	case "NumericLessThan":
		op.fam, op.cmp = famNumeric, cmpLt
	case "NumericLessThanEquals":
		op.fam, op.cmp = famNumeric, cmpLe
	case "NumericGreaterThan":
		op.fam, op.cmp = famNumeric, cmpGt
	case "NumericGreaterThanEquals":
		op.fam, op.cmp = famNumeric, cmpGe
	case "DateEquals":
		op.fam = famDate
	case "DateNotEquals":
		op.fam, op.negate = famDate, true
	case "DateLessThan":
		op.fam, op.cmp = famDate, cmpLt
	case "DateLessThanEquals":
		op.fam, op.cmp = famDate, cmpLe
	case "DateGreaterThan":
		op.fam, op.cmp = famDate, cmpGt
	case "DateGreaterThanEquals":
		op.fam, op.cmp = famDate, cmpGe
	case "Bool":
		op.fam = famBool
	case "IpAddress":
		op.fam = famIP
	case "NotIpAddress":
		op.fam, op.negate = famIP, true
	case "ArnEquals", "ArnLike":
		// Both take wildcards in each ARN part; IAM documents them as one.
		op.fam, op.like = famARN, true
	case "ArnNotEquals", "ArnNotLike":
		op.fam, op.like, op.negate = famARN, true, true
	case "Null":
		// Null tests existence itself, so IfExists and set operators
		// make no sense on it.
		if op.ifExists || op.set != setNone {
			return op, false
		}
		op.fam = famNull
	default:
		return op, false
	}
	return op, true
}

// cond is one compiled (operator, key, values) triple of a Condition
// element. Policy values are parsed once, into the field of their family.
type cond struct {
	operator
	key      ckey
	pats     []pattern      // String and Arn operators
	nums     []float64      // Numeric
	times    []time.Time    // Date
	bools    []bool         // Bool; Null (true: the key must be absent)
	prefixes []netip.Prefix // IpAddress, NotIpAddress
}

// parseCondition compiles a Condition element: operators, each mapping
// condition keys to one value or a list of them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
func parseCondition(n *jnode, path string, vars bool) ([]cond, error) {
	if n.kind != jObject {
		return nil, malformed(path, "must be an object of condition operators, not %s", n.describe())
	}
	var conds []cond
	for i, name := range n.keys {
		opPath := member(path, name)
		op, ok := parseOperator(name)
		if !ok {
			return nil, malformed(opPath, "unknown condition operator %q", name)
		}
		block := n.vals[i]
		if block.kind != jObject {
			return nil, malformed(opPath, "must be an object of condition keys, not %s", block.describe())
		}
		if len(block.keys) == 0 {
			return nil, malformed(opPath, "names no condition key")
		}
		for j, key := range block.keys {
			c, err := compileCond(op, key, block.vals[j], member(opPath, key), vars)
			if err != nil {
				return nil, err
			}
			conds = append(conds, c)
		}
	}
	return conds, nil
}

func compileCond(op operator, key string, v *jnode, path string, vars bool) (cond, error) {
	c := cond{operator: op, key: newKey(key)}
	// The vendor is a service prefix (aws, sts, codeartifact) or, for the
	// keys of an OIDC identity provider in a trust policy, the provider's
	// host and path, as in token.actions.githubusercontent.com:sub or
	// oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE:aud (a port makes the
	// rest of the key longer: 127.0.0.1:9000:sub).
	if vendor, name, ok := strings.Cut(key, ":"); !ok || !isName(vendor, "-._/") || name == "" {
		return c, malformed(path, "condition key %q must be prefaced by a vendor, as in aws:SourceIp", key)
	}
	var raw []*jnode
	switch v.kind {
	case jArray:
		if len(v.elems) == 0 {
			return c, malformed(path, "lists no values")
		}
		raw = v.elems
	default:
		raw = []*jnode{v}
	}
	for i, e := range raw {
		ep := path
		if v.kind == jArray {
			ep = index(path, i)
		}
		s, ok := e.scalarString()
		if !ok {
			return c, malformed(ep, "a condition value must be a string, number or boolean, not %s", e.describe())
		}
		if err := c.addValue(s, ep, vars); err != nil {
			return c, err
		}
	}
	return c, nil
}

// addValue parses one policy value for the operator's family.
func (c *cond) addValue(s, path string, vars bool) error {
	switch c.fam {
	case famString, famARN:
		p, err := compilePattern(s, patternOpts{wild: c.like, vars: vars, fold: c.fold})
		if err != nil {
			return malformed(path, "%v", err)
		}
		c.pats = append(c.pats, p)
	case famNumeric:
		x, ok := parseNumber(s)
		if !ok {
			return malformed(path, "%q is not a number", s)
		}
		c.nums = append(c.nums, x)
	case famDate:
		t, ok := parseDate(s)
		if !ok {
			return malformed(path, "%q is not a date (want ISO 8601 such as 2020-04-01T00:00:00Z, or epoch seconds)", s)
		}
		c.times = append(c.times, t)
	case famBool, famNull:
		b, ok := parseBool(s)
		if !ok {
			return malformed(path, "%q is not true or false", s)
		}
		c.bools = append(c.bools, b)
	case famIP:
		p, ok := parsePrefix(s)
		if !ok {
			return malformed(path, "%q is not an IP address or CIDR block", s)
		}
		c.prefixes = append(c.prefixes, p)
	}
	return nil
}

// eval decides the condition for the request: the operator's positive form
// is true for a request value when it holds for any policy value (OR);
// then the Not form, the set operator and IfExists are applied as IAM
// describes.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
func (c *cond) eval(r *Request) tri {
	vals := r.lookup(&c.key)
	n := vals.len()
	if c.fam == famNull {
		absent := n == 0
		for _, want := range c.bools {
			if want == absent {
				return yes
			}
		}
		return no
	}
	if n == 0 {
		// A missing key: IfExists passes; ForAllValues holds vacuously;
		// ForAnyValue finds nothing; otherwise the positive form is false,
		// so a Not form is true.
		switch {
		case c.ifExists, c.set == setAllValues:
			return yes
		case c.set == setAnyValue:
			return no
		}
		return triOf(c.negate)
	}
	switch c.set {
	case setAnyValue:
		res := no
		for i := 0; i < n && res != yes; i++ {
			res = or(res, c.negated(c.matchOne(vals.at(i), r)))
		}
		return res
	case setAllValues:
		res := yes
		for i := 0; i < n && res != no; i++ {
			res = and(res, c.negated(c.matchOne(vals.at(i), r)))
		}
		return res
	}
	// No set operator: the positive form holds if any request value
	// matches, and the Not form is its negation (NOR over policy values).
	res := no
	for i := 0; i < n && res != yes; i++ {
		res = or(res, c.matchOne(vals.at(i), r))
	}
	return c.negated(res)
}

func (c *cond) negated(t tri) tri {
	if c.negate {
		return not(t)
	}
	return t
}

// matchOne is the positive form for one request value: true if it matches
// any policy value, unknown if the request value is not of the operator's
// type.
func (c *cond) matchOne(v string, r *Request) tri {
	switch c.fam {
	case famString:
		res := no
		for i := 0; i < len(c.pats) && res != yes; i++ {
			res = or(res, c.pats[i].match(v, r))
		}
		return res
	case famARN:
		res := no
		for i := 0; i < len(c.pats) && res != yes; i++ {
			res = or(res, c.pats[i].matchARN(v, r))
		}
		return res
	case famNumeric:
		x, ok := parseNumber(v)
		if !ok {
			return unknown
		}
		for _, y := range c.nums {
			if compare(c.cmp, x < y, x == y) {
				return yes
			}
		}
		return no
	case famDate:
		t, ok := parseDate(v)
		if !ok {
			return unknown
		}
		for _, y := range c.times {
			if compare(c.cmp, t.Before(y), t.Equal(y)) {
				return yes
			}
		}
		return no
	case famBool:
		b, ok := parseBool(v)
		if !ok {
			return unknown
		}
		for _, want := range c.bools {
			if b == want {
				return yes
			}
		}
		return no
	case famIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return unknown
		}
		a = a.Unmap()
		for _, p := range c.prefixes {
			if p.Contains(a) {
				return yes
			}
		}
		return no
	}
	return unknown
}

// compare applies c to a request value that is less than, or equal to,
// the policy value.
func compare(c cmp, less, equal bool) bool {
	switch c {
	case cmpEq:
		return equal
	case cmpLt:
		return less
	case cmpLe:
		return less || equal
	case cmpGt:
		return !less && !equal
	case cmpGe:
		return !less
	}
	return false
}

// parseNumber accepts an optionally negative decimal integer or fraction,
// the numbers IAM's Numeric operators take; never NaN, Inf or exponents.
func parseNumber(s string) (float64, bool) {
	digits, frac := s, ""
	digits = strings.TrimPrefix(digits, "-")
	if i := strings.IndexByte(digits, '.'); i >= 0 {
		digits, frac = digits[:i], digits[i+1:]
		if frac == "" {
			return 0, false
		}
	}
	if digits == "" || !allDigits(digits) || !allDigits(frac) {
		return 0, false
	}
	x, err := strconv.ParseFloat(s, 64)
	return x, err == nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDate reads an ISO 8601 date or time, or epoch seconds.
func parseDate(s string) (time.Time, bool) {
	if x, ok := parseNumber(s); ok {
		if x < -1e12 || x > 1e12 {
			return time.Time{}, false
		}
		sec := int64(x)
		return time.Unix(sec, int64((x-float64(sec))*1e9)).UTC(), true
	}
	// The W3C profile of ISO 8601 that IAM's Date operators accept;
	// time.Parse takes fractional seconds after the seconds field.
	for _, layout := range [...]string{time.RFC3339, "2006-01-02T15:04Z07:00", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// parsePrefix reads a CIDR block or a bare address (a block of one).
func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// isName reports whether s is non-empty and made of ASCII letters, digits
// and the bytes in extra.
func isName(s, extra string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}
