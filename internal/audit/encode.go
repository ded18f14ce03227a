package audit

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"github.com/arcahq/arca/internal/jsonstr"
)

// AppendJSON appends e encoded exactly as json.Marshal encodes it and
// returns the extended buffer. The log encodes one event per package
// download, so the event's own fields, its string maps and their common
// values are written directly, without encoding/json's reflection and
// allocations; other values (response structs, slices, the session
// context) still go through json.Marshal. On error, which is json.Marshal's
// for the value that cannot be encoded, b is returned unchanged.
func (e *Event) AppendJSON(b []byte) ([]byte, error) {
	out, err := e.appendJSON(b)
	if err != nil {
		return b, err
	}
	return out, nil
}

func (e *Event) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = appendField(b, `{"eventVersion":`, e.EventVersion)
	b = append(b, `,"userIdentity":`...)
	if b, err = e.UserIdentity.appendJSON(b); err != nil {
		return b, err
	}
	b = appendField(b, `,"eventTime":`, e.EventTime)
	b = appendField(b, `,"eventSource":`, e.EventSource)
	b = appendField(b, `,"eventName":`, e.EventName)
	b = appendField(b, `,"awsRegion":`, e.AWSRegion)
	b = appendField(b, `,"sourceIPAddress":`, e.SourceIPAddress)
	b = appendField(b, `,"userAgent":`, e.UserAgent)
	b = appendOmitEmpty(b, `,"errorCode":`, e.ErrorCode)
	b = appendOmitEmpty(b, `,"errorMessage":`, e.ErrorMessage)
	b = append(b, `,"requestParameters":`...)
	if b, err = appendMap(b, e.RequestParameters, 0); err != nil {
		return b, err
	}
	b = append(b, `,"responseElements":`...)
	if b, err = appendValue(b, e.ResponseElements, 0); err != nil {
		return b, err
	}
	if len(e.AdditionalEventData) > 0 {
		b = append(b, `,"additionalEventData":`...)
		if b, err = appendMap(b, e.AdditionalEventData, 0); err != nil {
			return b, err
		}
	}
	b = appendField(b, `,"requestID":`, e.RequestID)
	b = appendField(b, `,"eventID":`, e.EventID)
	b = append(b, `,"readOnly":`...)
	b = strconv.AppendBool(b, e.ReadOnly)
	b = appendField(b, `,"eventType":`, e.EventType)
	b = appendOmitEmpty(b, `,"recipientAccountId":`, e.RecipientAccountID)
	b = append(b, `,"managementEvent":`...)
	b = strconv.AppendBool(b, e.ManagementEvent)
	b = appendField(b, `,"eventCategory":`, e.EventCategory)
	return append(b, '}'), nil
}

func (u *UserIdentity) appendJSON(b []byte) ([]byte, error) {
	b = appendField(b, `{"type":`, u.Type)
	b = appendOmitEmpty(b, `,"principalId":`, u.PrincipalID)
	b = appendOmitEmpty(b, `,"arn":`, u.ARN)
	b = appendOmitEmpty(b, `,"accountId":`, u.AccountID)
	b = appendOmitEmpty(b, `,"accessKeyId":`, u.AccessKeyID)
	b = appendOmitEmpty(b, `,"userName":`, u.UserName)
	b = appendOmitEmpty(b, `,"identityProvider":`, u.IdentityProvider)
	if u.SessionContext != nil {
		// Only assumed roles have one.
		sc, err := json.Marshal(u.SessionContext)
		if err != nil {
			return b, err
		}
		b = append(append(b, `,"sessionContext":`...), sc...)
	}
	return append(b, '}'), nil
}

// appendField appends a field's key (with its separator) and string value.
func appendField(b []byte, key, s string) []byte {
	return jsonstr.Append(append(b, key...), s)
}

// appendOmitEmpty is appendField for an omitempty field.
func appendOmitEmpty(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendField(b, key, s)
}

// maxDepth is how deep appendValue follows nested maps itself; deeper ones
// go through json.Marshal, which also reports a map that holds itself
// rather than recursing without end.
const maxDepth = 32

// appendValue appends v as json.Marshal encodes it: the types parameters
// and response elements mostly hold directly, anything else through
// json.Marshal.
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return jsonstr.Append(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case float64:
		if !math.IsInf(v, 0) && !math.IsNaN(v) { // json.Marshal refuses those
			return appendFloat(b, v), nil
		}
	case map[string]any:
		if depth < maxDepth {
			return appendMap(b, v, depth+1)
		}
	}
	j, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}

// appendFloat appends a finite f as encoding/json does: the shortest
// decimal that reads back as f, in exponent form (with at least one
// exponent digit) only for very large and very small magnitudes.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-07 becomes e-7
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendMap appends m with its keys sorted, as json.Marshal does; a nil
// map is null.
func appendMap(b []byte, m map[string]any, depth int) ([]byte, error) {
	if m == nil {
		return append(b, "null"...), nil
	}
	var arr [16]string // on the stack: events have a handful of keys
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(jsonstr.Append(b, k), ':')
		var err error
		if b, err = appendValue(b, m[k], depth); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}
