package controlapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/auth"
	"github.com/arcahq/arca/internal/controlapi/model"
	"github.com/arcahq/arca/internal/errkind"
)

// bind gathers op's input from the query string, the headers and the JSON
// body into one value, validates it against the model, and decodes it into
// dst, whose JSON field names are the model's member names.
//
// A streaming payload (PublishPackageVersion's asset) is left in r.Body for
// the handler.
func (a *API) bind(op *model.Operation, r *http.Request, dst any) error {
	shape := a.model.Input(op)
	in := map[string]any{}
	if err := readBody(r, shape, a.model, in); err != nil {
		return err
	}
	var query query
	query.parse(r.URL.RawQuery)
	for name, m := range shape.Members {
		switch m.Location {
		case "querystring":
			if a.model.Shapes[m.Shape].Type == "list" {
				vals := query.values(m.LocationName)
				if vals == nil {
					continue
				}
				list := make([]any, len(vals))
				for i, v := range vals {
					list[i] = v
				}
				in[name] = list
			} else if v, ok := query.first(m.LocationName); ok {
				in[name] = scalar(a.model.Shapes[m.Shape].Type, v)
			}
		case "header":
			if v := r.Header.Get(m.LocationName); v != "" {
				in[name] = scalar(a.model.Shapes[m.Shape].Type, v)
			}
		}
	}
	// The audit event shows the operation's input, valid or not (members
	// named like tokens are dropped there).
	audit.From(r.Context()).Params(in)
	// A streaming payload is required by the model but stays in r.Body:
	// count it as present, and leave it to the handler.
	streaming := streamingPayload(shape, a.model)
	if streaming != "" {
		in[streaming] = ""
	}
	err := a.decodeInput(op, in, dst)
	delete(in, streaming)
	return err
}

// decodeInput validates an operation's input, gathered into one value,
// against the model and decodes it into dst.
func (a *API) decodeInput(op *model.Operation, in map[string]any, dst any) error {
	if op.Input != nil {
		if vs := a.model.Validate(op.Input.Shape, in); len(vs) > 0 {
			return errkind.Validationf("%s", model.Summary(vs)).WithReason("FIELD_VALIDATION_FAILED")
		}
	}
	if setStrings(in, dst) {
		return nil
	}
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// setStrings decodes in into dst as encoding/json would when every value
// of in is a string and names, by its exact JSON name, a string field of
// the struct dst points to: the inputs of the reads whose members are all
// in the query string (GetPackageVersionAsset on every download), without
// the round trip through JSON, which was a third of binding them. It
// reports false, having set nothing, for any other input.
func setStrings(in map[string]any, dst any) bool {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct || decodesItself(v.Type()) {
		return false
	}
	fields := stringFieldsOf(v.Elem().Type())
	for name, x := range in {
		if _, ok := x.(string); !ok {
			return false
		}
		if _, ok := fields[name]; !ok {
			return false
		}
	}
	for name, x := range in {
		v.Elem().FieldByIndex(fields[name]).SetString(x.(string))
	}
	return true
}

// stringFields maps a struct type to its string fields by JSON name
// (promoted fields of embedded structs included), with their indexes.
var stringFields sync.Map // reflect.Type -> map[string][]int

func stringFieldsOf(t reflect.Type) map[string][]int {
	if m, ok := stringFields.Load(t); ok {
		return m.(map[string][]int)
	}
	m := map[string][]int{}
	seen := map[string]int{}
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		seen[name]++
		if f.IsExported() && f.Type.Kind() == reflect.String && !decodesItself(reflect.PointerTo(f.Type)) && direct(t, f.Index) {
			m[name] = f.Index
		}
	}
	for name, n := range seen {
		if n > 1 {
			delete(m, name) // two fields claim it: left to encoding/json's rules
		}
	}
	stringFields.Store(t, m)
	return m
}

// decodesItself reports whether encoding/json would hand a value of type
// t (a pointer) to its own UnmarshalJSON or UnmarshalText.
func decodesItself(t reflect.Type) bool {
	return t.Implements(reflect.TypeFor[json.Unmarshaler]()) || t.Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

// direct reports whether the field at index is reached from t through
// embedded structs only, no pointer (which may be nil).
func direct(t reflect.Type, index []int) bool {
	for _, i := range index[:len(index)-1] {
		t = t.Field(i).Type
		if t.Kind() != reflect.Struct || decodesItself(reflect.PointerTo(t)) {
			return false
		}
	}
	return true
}

// streamingPayload returns the name of shape's streaming payload member,
// or "".
func streamingPayload(shape *model.Shape, m *model.Model) string {
	if shape.Payload != "" && m.Shapes[shape.Members[shape.Payload].Shape].Streaming {
		return shape.Payload
	}
	return ""
}

// readBody decodes the JSON body members of shape into in. It reads at
// most auth.MaxBufferedBody bytes (the authenticator refuses a larger body
// already; the bound here keeps that true for any caller).
func readBody(r *http.Request, shape *model.Shape, m *model.Model, in map[string]any) error {
	if streamingPayload(shape, m) != "" || r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, auth.MaxBufferedBody+1))
	if err == nil && len(raw) > auth.MaxBufferedBody {
		err = errkind.Validationf("The request body is larger than %d bytes.", auth.MaxBufferedBody)
	}
	if err != nil {
		if errors.Is(err, errkind.ErrValidation) {
			return err
		}
		return errkind.Wrap(errkind.Validation, err, "Could not read the request body").WithReason("CANNOT_PARSE")
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	var body map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return errkind.Validationf("Could not parse the request body as a JSON object: %v", err).WithReason("CANNOT_PARSE")
	}
	for name, mem := range shape.Members {
		if v, ok := body[name]; ok && mem.Location == "" {
			in[name] = v
		}
	}
	return nil
}

// scalar converts a query or header string to the model type, leaving it
// a string when it does not convert so validation reports it.
func scalar(typ, v string) any {
	switch typ {
	case "integer", "long":
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return json.Number(v)
		}
	case "boolean":
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return v
}
