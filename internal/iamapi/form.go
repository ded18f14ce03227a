package iamapi

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/arcahq/arca/internal/errkind"
)

// form reads an operation's parameters and checks them against the
// service model's constraints, collecting the violations the way AWS
// reports them ("2 validation errors detected: Value 'x' at 'userName'
// failed to satisfy constraint: ...; ..."). It remembers which parameters
// were read, so that a parameter no operation understands is refused.
type form struct {
	v    url.Values
	used map[string]bool
	errs []string
}

// str is a string parameter's constraints, from the service model.
type str struct {
	required bool
	min, max int    // in characters; 0 max is no maximum
	pattern  string // the model's pattern, for the message; "" is none
	re       *regexp.Regexp
	enum     []string
	// sensitive values (passwords) are never quoted in messages.
	sensitive bool
}

// pat compiles a model pattern, anchored, with the model's text kept for
// messages.
func pat(s str, pattern string) str {
	s.pattern = pattern
	s.re = regexp.MustCompile(`^(?:` + pattern + `)$`)
	return s
}

// The model's string shapes used here.
var (
	userNameType       = pat(str{required: true, min: 1, max: 64}, `[\w+=,.@-]+`)
	existingUserName   = pat(str{min: 1, max: 128}, `[\w+=,.@-]+`)
	roleNameType       = pat(str{required: true, min: 1, max: 64}, `[\w+=,.@-]+`)
	policyNameType     = pat(str{required: true, min: 1, max: 128}, `[\w+=,.@-]+`)
	policyDocumentType = pat(str{required: true, min: 1, max: 131072}, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+`)
	pathType           = pat(str{min: 1, max: 512}, `(\x{002F})|(\x{002F}[\x{0021}-\x{007E}]+\x{002F})`)
	pathPrefixType     = pat(str{min: 1, max: 512}, `\x{002F}[\x{0021}-\x{007F}]*`)
	policyPathType     = pat(str{min: 1, max: 512}, `((/[A-Za-z0-9\.,\+@=_-]+)*)/`)
	markerType         = pat(str{min: 1, max: 320}, `[\x{0020}-\x{00FF}]+`)
	accessKeyIDType    = pat(str{required: true, min: 16, max: 128}, `[\w]+`)
	statusType         = str{required: true, enum: []string{"Active", "Inactive"}}
	arnType            = str{required: true, min: 20, max: 2048}
	roleDescription    = pat(str{max: 1000}, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]*`)
	versionIDType      = pat(str{required: true}, `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	oidcURLType        = str{required: true, min: 1, max: 255}
	clientIDType       = str{min: 1, max: 255}
	thumbprintType     = str{min: 40, max: 40}
	roleSessionName    = pat(str{required: true, min: 2, max: 64}, `[\w+=,.@-]*`)
	externalIDType     = pat(str{min: 2, max: 1224}, `[\w+=,.@:\/-]*`)
	sourceIdentityType = pat(str{min: 2, max: 64}, `[\w+=,.@-]*`)
	webIdentityToken   = str{required: true, min: 4, max: 20000}
	passwordType       = pat(str{min: 1, max: 128, sensitive: true}, `[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+`)
)

// fieldName is how AWS names a member in validation messages: lower camel.
func fieldName(param string) string {
	if param == "" {
		return param
	}
	// Leading capitals are lowered as a run: ClientIDList -> clientIDList.
	return strings.ToLower(param[:1]) + param[1:]
}

func (f *form) fail(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

// String returns a string parameter, checked against s.
func (f *form) String(name string, s str) string {
	f.used[name] = true
	vs, ok := f.v[name]
	if !ok || len(vs) == 0 {
		if s.required {
			f.fail("Value null at '%s' failed to satisfy constraint: Member must not be null", fieldName(name))
		}
		return ""
	}
	v := vs[0]
	f.check(fieldName(name), v, s)
	return v
}

func (f *form) check(field, v string, s str) {
	n := utf8.RuneCountInString(v)
	if s.sensitive {
		v = "***"
	}
	switch {
	case n < s.min:
		f.fail("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", v, field, s.min)
	case s.max > 0 && n > s.max:
		f.fail("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", truncate(v), field, s.max)
	case s.re != nil && !s.re.MatchString(v):
		f.fail("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", truncate(v), field, s.pattern)
	case s.enum != nil && !slices.Contains(s.enum, v):
		f.fail("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", v, field, strings.Join(s.enum, ", "))
	}
}

// truncate keeps messages about huge values readable.
func truncate(v string) string {
	if len(v) > 200 {
		return v[:200] + "..."
	}
	return v
}

// Int returns an integer parameter in [min, max]; present reports whether
// it was given.
func (f *form) Int(name string, min, max int) (v int, present bool) {
	f.used[name] = true
	s := f.v.Get(name)
	if _, ok := f.v[name]; !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		f.fail("Value '%s' at '%s' failed to satisfy constraint: Member must be an integer", s, fieldName(name))
	case n < min:
		f.fail("Value '%d' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %d", n, fieldName(name), min)
	case n > max:
		f.fail("Value '%d' at '%s' failed to satisfy constraint: Member must have value less than or equal to %d", n, fieldName(name), max)
	}
	return n, true
}

// Bool returns a boolean parameter ("true" or "false"); present reports
// whether it was given.
func (f *form) Bool(name string) (v, present bool) {
	f.used[name] = true
	if _, ok := f.v[name]; !ok {
		return false, false
	}
	switch s := f.v.Get(name); s {
	case "true":
		return true, true
	case "false":
		return false, true
	default:
		f.fail("Value '%s' at '%s' failed to satisfy constraint: Member must be a boolean", truncate(s), fieldName(name))
	}
	return false, true
}

// List returns a list parameter, Name.member.1, Name.member.2, ..., each
// element checked against s.
func (f *form) List(name string, s str) []string {
	var out []string
	for i := 1; ; i++ {
		key := name + ".member." + strconv.Itoa(i)
		vs, ok := f.v[key]
		if !ok {
			break
		}
		f.used[key] = true
		f.check(fieldName(name)+".member", vs[0], s)
		out = append(out, vs[0])
	}
	// An empty list is sent as "Name=" by botocore.
	if _, ok := f.v[name]; ok && f.v.Get(name) == "" {
		f.used[name] = true
	}
	return out
}

// MaxItems returns MaxItems, 1..1000, defaulting to 100.
func (f *form) MaxItems() int {
	n, ok := f.Int("MaxItems", 1, 1000)
	if !ok || n < 1 {
		return 100
	}
	return n
}

// err returns the collected violations as one ValidationError.
func (f *form) err() error {
	switch len(f.errs) {
	case 0:
		return nil
	case 1:
		return errkind.Validationf("1 validation error detected: %s", f.errs[0])
	}
	return errkind.Validationf("%d validation errors detected: %s", len(f.errs), strings.Join(f.errs, "; "))
}

// unused refuses parameters no operation read: features Arca does not
// implement (tags, permissions boundaries, session policies, MFA) must
// not be silently dropped.
func (f *form) unused() error {
	var names []string
	for k := range f.v {
		if !f.used[k] {
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	top := map[string]bool{}
	var shown []string
	for _, n := range names {
		base, _, _ := strings.Cut(n, ".")
		if !top[base] {
			top[base] = true
			shown = append(shown, base)
		}
	}
	return errkind.Validationf("This server does not support the parameter(s) %s.", strings.Join(shown, ", ")).WithReason("InvalidInput")
}
