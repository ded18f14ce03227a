package audit

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/identity"
)

// downloadEvent is the event of an npm download by an IAM user with a
// token, built as Wrap builds it.
func downloadEvent() *Event {
	req := httptest.NewRequest("GET", "/my-domain-111122223333/npm/my-repo/lodash/-/lodash-4.17.20.tgz", nil)
	req.Header.Set("User-Agent", "npm/10.8.2 node/v22.11.0 linux x64 workspaces/false")
	rec := &Record{}
	rec.PackageRequest(Package{Domain: "my-domain", DomainOwner: "111122223333", Repository: "my-repo", Format: "npm", Name: "lodash", Version: "4.17.20"})
	rec.SetToken(testTokenID, "111122223333", "arn:aws:iam::111122223333:user/alice")
	rec.Authorizing(identity.Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice", Kind: identity.KindUser, UserID: "AIDAALICE"},
		"codeartifact:ReadFromRepository", "arn:aws:codeartifact:us-west-2:111122223333:repository/my-domain/my-repo")
	return rec.event(req, "5d3f8c1e-7a8b-4c2d-9e0f-1a2b3c4d5e6f", "us-west-2", time.Date(2026, 11, 23, 10, 11, 12, 0, time.UTC))
}

// testTokenID is the token id 00112233445566778899aabbccddeeff.
var testTokenID = [16]byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}

// A control plane's response, with nested structs and slices.
type (
	testUpstream struct {
		RepositoryName string `json:"repositoryName"`
	}
	testRepository struct {
		Name        string         `json:"name"`
		Description string         `json:"description,omitempty"`
		Upstreams   []testUpstream `json:"upstreams"`
		Created     time.Time      `json:"createdTime"`
		Size        int64          `json:"size"`
	}
)

type testKind string

// weird are strings that need escaping, or may.
var weird = []string{
	"", `say "hi"`, `C:\path\file`, "tab\there\nnew\rline\x00\x01\x1f\x7f", "<script>a && b</script>",
	"bad \xff\xfe utf-8 \xc3", "line\u2028sep\u2029", "naïve Ωmega 日本語 🎉", "/", "'single'",
}

func TestAppendJSONMatchesMarshal(t *testing.T) {
	issued := time.Date(2018, 12, 11, 13, 31, 37, 0, time.UTC)
	assumed := &Record{}
	assumed.SetPrincipal(identity.Principal{
		Account: "123456789012", ARN: "arn:aws:sts::123456789012:assumed-role/Console/example",
		AccessKeyID: "ASIAIJI0BJBSREXAMPLE", Kind: identity.KindAssumedRole, UserID: "AROACKCEVSQ6C2EXAMPLE:example",
		RoleARN: "arn:aws:iam::123456789012:role/Console", RoleName: "Console", IssuedAt: issued,
		WebIdentityProvider: "token.actions.example.com", SourceIdentity: "ci",
	})
	values := map[string]any{
		"string": "s", "empty": "", "true": true, "false": false, "nil": nil,
		"int": 42, "intNeg": -7, "int64": int64(math.MaxInt64), "int64Min": int64(math.MinInt64),
		"int8": int8(-3), "uint": uint(7), "uint64": uint64(math.MaxUint64), "float32": float32(0.1),
		"zero": 0.0, "negZero": math.Copysign(0, -1), "half": 1.5, "tenth": 0.1, "big": 1e20, "bigger": 1e21,
		"small": 1e-6, "smaller": 1e-7, "tiny": math.SmallestNonzeroFloat64, "max": math.MaxFloat64, "neg": -123456789.125,
		"number": json.Number("12"), "kind": testKind("npm"), "bytes": []byte("hi"),
		"strings": []string{"a", `b"`, "<c>"}, "emptyStrings": []string{}, "nilStrings": []string(nil), "anys": []any{1, "x", nil},
		"nested":     map[string]any{"b": 1, "a": map[string]any{"z": "deep", "y": []int{1, 2}}, "c": map[string]any{}},
		"nilMap":     map[string]any(nil),
		"stringMap":  map[string]string{"k": "v"},
		"struct":     testRepository{Name: "r"},
		"pointer":    &testRepository{Name: "p"},
		"nilPointer": (*testRepository)(nil),
		"time":       issued,
		"Upper":      "sorted before lower case", "a<b": "key escaped", "é": "non-ASCII key", "": "empty key",
	}
	events := map[string]*Event{
		"download": downloadEvent(),
		"control plane": {
			EventVersion: EventVersion, EventTime: "2026-11-23T10:11:12Z", EventSource: SourceCodeArtifact, EventName: "CreateRepository",
			UserIdentity:      assumed.userIdentity(httptest.NewRequest("POST", "/", nil)),
			RequestParameters: map[string]any{"domain": "d", "repository": "r", "upstreams": []any{map[string]any{"repositoryName": "up"}}, "durationSeconds": json.Number("900")},
			ResponseElements: map[string]any{"repository": testRepository{
				Name: "r", Description: "with <html> & \"quotes\"", Upstreams: []testUpstream{{"up"}, {"up2"}}, Created: issued, Size: 1 << 40,
			}},
			RequestID: "req", EventID: "id", EventType: "AwsApiCall", RecipientAccountID: "123456789012",
		},
		"response struct": {UserIdentity: UserIdentity{Type: "Root"}, ResponseElements: &testRepository{Name: "r"}},
		"response string": {ResponseElements: "done"},
		"response number": {ResponseElements: 3.25},
		"zero":            {},
		"empty maps":      {RequestParameters: map[string]any{}, AdditionalEventData: map[string]any{}},
		"session context": {UserIdentity: UserIdentity{Type: "AssumedRole", SessionContext: &SessionContext{}}},
		"errors": {
			EventName: "ReadFromRepository", ErrorCode: "AccessDeniedException", ErrorMessage: `User: arn:aws:iam::1:user/a is not authorized to perform: codeartifact:ReadFromRepository on "x"`,
			ReadOnly: true,
		},
		"values": {RequestParameters: values, AdditionalEventData: values, ResponseElements: values},
	}
	for i, s := range weird {
		events["weird "+string(rune('a'+i))] = &Event{
			EventVersion: s, EventTime: s, EventSource: s, EventName: s, AWSRegion: s, SourceIPAddress: s, UserAgent: s,
			ErrorCode: s, ErrorMessage: s, RequestID: s, EventID: s, EventType: s, RecipientAccountID: s,
			UserIdentity: UserIdentity{Type: s, PrincipalID: s, ARN: s, AccountID: s, AccessKeyID: s, UserName: s, IdentityProvider: s,
				SessionContext: &SessionContext{SourceIdentity: s}},
			RequestParameters:   map[string]any{s: s, "x" + s: []string{s}},
			AdditionalEventData: map[string]any{s: map[string]any{s: s}},
			ResponseElements:    s,
		}
	}
	for name, e := range events {
		sameAsMarshal(t, name, e)
	}
}

// sameAsMarshal checks that e.AppendJSON appends what json.Marshal(e)
// returns, byte for byte.
func sameAsMarshal(t *testing.T, name string, e *Event) {
	t.Helper()
	want, err := json.Marshal(e)
	if err != nil {
		t.Fatalf("%s: json.Marshal: %v", name, err)
	}
	got, err := e.AppendJSON([]byte("prefix"))
	if err != nil {
		t.Fatalf("%s: AppendJSON: %v", name, err)
	}
	if rest, ok := bytes.CutPrefix(got, []byte("prefix")); !ok || !bytes.Equal(rest, want) {
		t.Errorf("%s:\n got %s\nwant prefix%s", name, got, want)
	}
}

// A field added to Event or UserIdentity must be added to AppendJSON:
// an event with every field set, each to its own name, encodes as
// json.Marshal encodes it.
func TestAppendJSONWritesEveryField(t *testing.T) {
	var fill func(v reflect.Value, name string)
	fill = func(v reflect.Value, name string) {
		switch v.Kind() {
		case reflect.String:
			v.SetString(name)
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Map:
			v.Set(reflect.MakeMap(v.Type()))
			v.SetMapIndex(reflect.ValueOf(name), reflect.ValueOf(name))
		case reflect.Interface:
			v.Set(reflect.ValueOf(name))
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), name)
		case reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i), name+"."+v.Type().Field(i).Name)
			}
		default:
			t.Fatalf("%s is a %s: teach AppendJSON and this test that kind", name, v.Kind())
		}
	}
	var e Event
	fill(reflect.ValueOf(&e).Elem(), "Event")
	sameAsMarshal(t, "every field", &e)
}

// Floats are written without encoding/json; any finite one must come out
// as it writes it.
func TestAppendJSONFloats(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	m := map[string]any{}
	e := &Event{RequestParameters: m}
	for i := range 20000 {
		f := math.Float64frombits(r.Uint64())
		if i%2 == 0 {
			f = r.NormFloat64() * math.Pow(10, float64(r.IntN(50)-25))
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		m["f"] = f
		want, _ := json.Marshal(e)
		if got, err := e.AppendJSON(nil); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%v (%x): got %s, %v; want %s", f, math.Float64bits(f), got, err, want)
		}
	}
}

// What json.Marshal cannot encode fails the event as it did: with
// json.Marshal's error, appending nothing.
func TestAppendJSONErrors(t *testing.T) {
	cycle := map[string]any{}
	cycle["self"] = cycle
	for name, e := range map[string]*Event{
		"channel":          {RequestParameters: map[string]any{"a": "ok", "c": make(chan int)}},
		"func":             {AdditionalEventData: map[string]any{"f": func() {}}},
		"nested":           {RequestParameters: map[string]any{"m": map[string]any{"m": map[string]any{"c": make(chan int)}}}},
		"NaN":              {RequestParameters: map[string]any{"n": math.NaN()}},
		"infinity":         {AdditionalEventData: map[string]any{"i": math.Inf(-1)}},
		"cycle":            {RequestParameters: cycle},
		"response":         {ResponseElements: []any{make(chan int)}},
		"response channel": {ResponseElements: make(chan int)},
	} {
		_, want := json.Marshal(e)
		if want == nil {
			t.Fatalf("%s: json.Marshal succeeded", name)
		}
		b, err := e.AppendJSON([]byte("line"))
		if err == nil || err.Error() != want.Error() {
			t.Errorf("%s: error %v, want %v", name, err, want)
		}
		if string(b) != "line" {
			t.Errorf("%s: returned %q, want the buffer unchanged", name, b)
		}
	}
}

func BenchmarkEventJSON(b *testing.B) {
	e := downloadEvent()
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		var line []byte
		for b.Loop() {
			var err error
			if line, err = e.AppendJSON(line[:0]); err != nil {
				b.Fatal(err)
			}
			line = append(line, '\n')
		}
		b.SetBytes(int64(len(line)))
	})
	b.Run("Marshal", func(b *testing.B) {
		b.ReportAllocs()
		var line []byte
		for b.Loop() {
			j, err := json.Marshal(e)
			if err != nil {
				b.Fatal(err)
			}
			line = append(append(line[:0], j...), '\n')
		}
		b.SetBytes(int64(len(line)))
	})
}
