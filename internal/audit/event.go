package audit

import (
	"encoding/hex"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/middleware"
)

// EventVersion is the CloudTrail event version the events follow.
const EventVersion = "1.08"

// Event is one audit event, in CloudTrail's record shape
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
type Event struct {
	EventVersion        string         `json:"eventVersion"`
	UserIdentity        UserIdentity   `json:"userIdentity"`
	EventTime           string         `json:"eventTime"`
	EventSource         string         `json:"eventSource"`
	EventName           string         `json:"eventName"`
	AWSRegion           string         `json:"awsRegion"`
	SourceIPAddress     string         `json:"sourceIPAddress"`
	UserAgent           string         `json:"userAgent"`
	ErrorCode           string         `json:"errorCode,omitempty"`
	ErrorMessage        string         `json:"errorMessage,omitempty"`
	RequestParameters   map[string]any `json:"requestParameters"`
	ResponseElements    any            `json:"responseElements"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	RequestID           string         `json:"requestID"`
	EventID             string         `json:"eventID"`
	ReadOnly            bool           `json:"readOnly"`
	EventType           string         `json:"eventType"`
	RecipientAccountID  string         `json:"recipientAccountId,omitempty"`
	// ManagementEvent and EventCategory say which of CloudTrail's kinds
	// the event is: "Management" (the control plane, IAM, STS) or "Data"
	// (a package manager's request).
	ManagementEvent bool   `json:"managementEvent"`
	EventCategory   string `json:"eventCategory"`
}

// UserIdentity is CloudTrail's userIdentity element
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
type UserIdentity struct {
	// Type is Root, IAMUser, AssumedRole, WebIdentityUser, or Unknown
	// for a caller that did not authenticate.
	Type             string          `json:"type"`
	PrincipalID      string          `json:"principalId,omitempty"`
	ARN              string          `json:"arn,omitempty"`
	AccountID        string          `json:"accountId,omitempty"`
	AccessKeyID      string          `json:"accessKeyId,omitempty"`
	UserName         string          `json:"userName,omitempty"`
	IdentityProvider string          `json:"identityProvider,omitempty"`
	SessionContext   *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext describes the session of temporary credentials.
type SessionContext struct {
	SessionIssuer       *SessionIssuer       `json:"sessionIssuer,omitempty"`
	WebIDFederationData *WebIDFederationData `json:"webIdFederationData,omitempty"`
	Attributes          SessionAttributes    `json:"attributes"`
	SourceIdentity      string               `json:"sourceIdentity,omitempty"`
}

// SessionIssuer is the role a session was assumed from.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// WebIDFederationData names the OIDC provider of a web-identity session.
type WebIDFederationData struct {
	FederatedProvider string `json:"federatedProvider"`
}

// SessionAttributes are a session's attributes.
type SessionAttributes struct {
	CreationDate     string `json:"creationDate,omitempty"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

// timeFormat is CloudTrail's: UTC, seconds.
const timeFormat = "2006-01-02T15:04:05Z"

// eventSecond is the last event time formatted: the events of one second
// (hundreds, on a busy server) share it.
var eventSecond atomic.Pointer[formattedSecond]

type formattedSecond struct {
	unix int64
	text string
}

// eventTime is at in timeFormat, formatted once a second.
func eventTime(at time.Time) string {
	u := at.Unix()
	if f := eventSecond.Load(); f != nil && f.unix == u {
		return f.text
	}
	f := &formattedSecond{unix: u, text: at.UTC().Format(timeFormat)}
	eventSecond.Store(f)
	return f.text
}

// event builds the event of a finished request.
func (rec *Record) event(r *http.Request, requestID, region string, at time.Time) *Event {
	if rec.pkg {
		rec.targetParams()
	}
	e := &Event{
		EventVersion:      EventVersion,
		EventTime:         eventTime(at),
		EventSource:       rec.source,
		EventName:         rec.operation,
		AWSRegion:         region,
		SourceIPAddress:   middleware.ClientIP(r),
		UserAgent:         r.UserAgent(),
		ErrorCode:         rec.errCode,
		ErrorMessage:      rec.errMessage,
		RequestParameters: rec.params,
		ResponseElements:  rec.response,
		RequestID:         requestID,
		EventID:           middleware.NewID(),
		EventType:         "AwsApiCall",
		ManagementEvent:   !rec.pkg,
		EventCategory:     "Management",
	}
	if rec.pkg {
		e.EventCategory = "Data"
	}
	if rec.pkg {
		// A package request: named by the permission it needed.
		e.EventName = "ReadFromRepository"
		if a, ok := strings.CutPrefix(rec.action, "codeartifact:"); ok {
			e.EventName = a
		}
		e.ReadOnly = e.EventName == "ReadFromRepository"
		rec.packageFromARN()
		e.RequestParameters = rec.params
		e.AdditionalEventData = map[string]any{"httpMethod": r.Method, "requestUri": middleware.RedactPath(r.URL.Path)}
		if rec.tokenID != [16]byte{} {
			e.AdditionalEventData["tokenId"] = hex.EncodeToString(rec.tokenID[:])
		}
	} else {
		if e.EventName == "" {
			e.EventName = "Unknown" // a call that failed before it named its operation
		}
		e.ReadOnly = readOnly(e.EventName)
	}
	for k, v := range rec.extra {
		if e.AdditionalEventData == nil {
			e.AdditionalEventData = map[string]any{}
		}
		e.AdditionalEventData[k] = v
	}
	e.UserIdentity = rec.userIdentity(r)
	e.RecipientAccountID = e.UserIdentity.AccountID
	for _, k := range []string{"domainOwner"} {
		if v, ok := rec.params[k].(string); ok && v != "" {
			e.RecipientAccountID = v
		}
	}
	return e
}

// readOnly reports whether an operation only reads, as CloudTrail's
// readOnly says. GetAuthorizationToken creates a credential, so it is not
// (the guide's example event says false).
func readOnly(op string) bool {
	if op == "GetAuthorizationToken" {
		return false
	}
	for _, p := range []string{"Describe", "Get", "List"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// packageFromARN fills a package request's package parameters from the
// package ARN a write permission was checked on, when the format did not
// name them: arn:aws:codeartifact:REGION:OWNER:package/DOMAIN/REPO/FORMAT/NAMESPACE/NAME.
func (rec *Record) packageFromARN() {
	if rec.HasParam("packageName") {
		return
	}
	_, res, ok := strings.Cut(rec.resource, ":package/")
	if !ok {
		return
	}
	parts := strings.SplitN(res, "/", 5)
	if len(parts) != 5 {
		return
	}
	rec.Param("packageNamespace", parts[3])
	rec.Param("packageName", parts[4])
}

// userIdentity describes the caller.
func (rec *Record) userIdentity(r *http.Request) UserIdentity {
	if !rec.hasPrincipal {
		if w := rec.webIdentity; w != nil {
			return UserIdentity{Type: "WebIdentityUser", PrincipalID: w.provider + ":" + w.audience + ":" + w.subject,
				UserName: w.subject, IdentityProvider: w.provider}
		}
		// Who signed is not known; the key id the signature names is
		// (it is no secret).
		return UserIdentity{Type: "Unknown", AccessKeyID: signingKeyID(r)}
	}
	p := rec.principal
	u := UserIdentity{ARN: p.ARN, AccountID: p.Account, AccessKeyID: p.AccessKeyID, PrincipalID: p.UserID}
	kind := p.Kind
	if kind == "" {
		kind = kindOf(p.ARN)
	}
	switch kind {
	case identity.KindRoot:
		u.Type = "Root"
		if u.PrincipalID == "" {
			u.PrincipalID = p.Account
		}
	case identity.KindUser:
		u.Type, u.UserName = "IAMUser", p.UserName
		if u.UserName == "" {
			u.UserName = p.ARN[strings.LastIndexByte(p.ARN, '/')+1:]
		}
	case identity.KindAssumedRole:
		u.Type = "AssumedRole"
		sc := &SessionContext{Attributes: SessionAttributes{MFAAuthenticated: "false"}, SourceIdentity: p.SourceIdentity}
		if !p.IssuedAt.IsZero() {
			sc.Attributes.CreationDate = p.IssuedAt.UTC().Format(timeFormat)
		}
		roleName := p.RoleName
		if roleName == "" {
			// arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
			if _, rest, ok := strings.Cut(p.ARN, ":assumed-role/"); ok {
				roleName, _, _ = strings.Cut(rest, "/")
			}
		}
		roleID, _, _ := strings.Cut(p.UserID, ":")
		sc.SessionIssuer = &SessionIssuer{Type: "Role", PrincipalID: roleID, ARN: p.RoleARN, AccountID: p.Account, UserName: roleName}
		if p.WebIdentityProvider != "" {
			sc.WebIDFederationData = &WebIDFederationData{FederatedProvider: p.WebIdentityProvider}
		}
		u.SessionContext = sc
	default:
		u.Type = "Unknown"
	}
	return u
}

// kindOf returns the kind of principal an ARN names.
func kindOf(arn string) identity.Kind {
	switch {
	case strings.HasSuffix(arn, ":root"):
		return identity.KindRoot
	case strings.Contains(arn, ":user/"):
		return identity.KindUser
	case strings.Contains(arn, ":assumed-role/"):
		return identity.KindAssumedRole
	}
	return ""
}

// signingKeyID returns the access key id of a SigV4 signature (the
// Credential of the Authorization header or of a presigned query), or "".
// It reads nothing else from the header.
func signingKeyID(r *http.Request) string {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "AWS4-HMAC-SHA256 ") {
		for part := range strings.SplitSeq(strings.TrimPrefix(h, "AWS4-HMAC-SHA256 "), ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential="); ok {
				cred = v
			}
		}
	}
	id, _, ok := strings.Cut(cred, "/")
	if !ok || len(id) > 128 {
		return ""
	}
	return id
}
