package iamapi

import (
	"net/http"
	"reflect"
	"time"

	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/identity"
)

// source is the service's eventSource in the audit log.
func (s *service) source() string {
	if s.name == serviceSTS {
		return audit.SourceSTS
	}
	return audit.SourceIAM
}

// auditCall records the operation, the caller and the parameters of a
// call in its audit record. Parameters get CloudTrail's names (UserName
// becomes userName); Action, Version and anything named like a token or
// secret (WebIdentityToken) are left out.
func auditCall(r *http.Request, svc *service, action string, p identity.Principal, f *form) {
	rec := audit.From(r.Context())
	if rec == nil {
		return
	}
	rec.Call(svc.source(), action)
	rec.SetPrincipal(p)
	for k, vs := range f.v {
		if k == "Action" || k == "Version" || len(vs) == 0 {
			continue
		}
		rec.Param(audit.LowerFirst(k), vs[0])
	}
}

// auditError records an error response; a call that failed before it
// named its operation (a bad signature) is named by the service alone.
func auditError(r *http.Request, svc *service, code, message string) {
	rec := audit.From(r.Context())
	if rec == nil {
		return
	}
	if !rec.Named() {
		rec.Call(svc.source(), "")
	}
	rec.Fail(code, message)
}

// auditResult records the responseElements of a successful call: only
// what names what was created or assumed (access key ids, the assumed
// role user, the web identity's subject and provider), never a secret
// access key or a session token.
func auditResult(r *http.Request, result any) {
	rec := audit.From(r.Context())
	if rec == nil || result == nil {
		return
	}
	v := reflect.Indirect(reflect.ValueOf(result))
	if v.Kind() != reflect.Struct {
		return
	}
	out := map[string]any{}
	var subject, provider, audience string
	for i := 0; i < v.NumField(); i++ {
		field := v.Type().Field(i)
		if !field.IsExported() {
			continue
		}
		name := field.Name
		switch f := v.Field(i).Interface().(type) {
		case xCredentials:
			out["credentials"] = map[string]any{"accessKeyId": f.AccessKeyID, "expiration": time.Time(f.Expiration).UTC().Format(time.RFC3339)}
		case xAssumedRoleUser:
			out["assumedRoleUser"] = map[string]any{"assumedRoleId": f.AssumedRoleID, "arn": f.Arn}
		case xAccessKey:
			out["accessKey"] = map[string]any{"accessKeyId": f.AccessKeyID, "status": f.Status, "userName": f.UserName}
		case string:
			switch name {
			case "SubjectFromWebIdentityToken":
				subject = f
				out["subjectFromWebIdentityToken"] = f
			case "Provider":
				provider = f
				out["provider"] = f
			case "Audience":
				audience = f
				out["audience"] = f
			}
		}
	}
	if subject != "" {
		rec.SetWebIdentity(provider, subject, audience)
	}
	if len(out) > 0 {
		rec.Response(out)
	}
}
