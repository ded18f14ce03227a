package iamapi

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/arcahq/arca/internal/auth"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/metrics"
	"github.com/arcahq/arca/internal/middleware"
)

// Authorizer decides whether a principal may perform an IAM or STS action
// (iam:CreateUser, sts:AssumeRole, ...) on a resource ARN; it returns an
// errkind AccessDenied error when not. Package authz's Evaluator is one:
// the control plane, the repository endpoints and IAM share one policy
// evaluator. AuthorizeIdentity is the identity side alone, which
// AssumeRole asks for beside the role's trust policy.
type Authorizer interface {
	Authorize(ctx context.Context, r authz.Request) error
	identity.Authorizer
}

// The two services.
const (
	serviceIAM = "iam"
	serviceSTS = "sts"
)

// service is one query API: its namespace, version and operations.
type service struct {
	name, namespace, version string
	ops                      map[string]op
	internalCode             string // the code of a server fault
}

// call is one request in flight.
type call struct {
	ctx    context.Context
	r      *http.Request
	p      identity.Principal // the zero Principal for an unsigned call
	f      *form
	action string
}

// op serves one operation and returns its result element's content (nil
// for operations whose response has no result). It reads every parameter
// it understands and calls c.valid before it acts.
type op func(c *call) (any, error)

// valid returns the validation errors of the parameters read so far, or
// refuses parameters that were not read.
func (c *call) valid() error {
	if err := c.f.err(); err != nil {
		return err
	}
	return c.f.unused()
}

// API serves IAM and STS.
type API struct {
	dir   *identity.Directory
	authn *auth.Authenticator
	authz Authorizer
	log   *slog.Logger
	iam   service
	sts   service
}

// New returns the IAM and STS APIs over dir.
func New(dir *identity.Directory, authn *auth.Authenticator, authz Authorizer, log *slog.Logger) *API {
	a := &API{dir: dir, authn: authn, authz: authz, log: log}
	a.iam = service{name: serviceIAM, namespace: "https://iam.amazonaws.com/doc/2010-05-08/", version: "2010-05-08",
		ops: a.iamOps(), internalCode: "ServiceFailure"}
	a.sts = service{name: serviceSTS, namespace: "https://sts.amazonaws.com/doc/2011-06-15/", version: "2011-06-15",
		ops: a.stsOps(), internalCode: "InternalFailure"}
	return a
}

// unsignedActions are the operations served without credentials.
var unsignedActions = map[string]bool{"AssumeRoleWithWebIdentity": true}

// ServeHTTP serves a query-protocol request to "/".
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	svc := &a.iam
	scope, signed := scopeService(r)
	if scope == serviceSTS {
		svc = &a.sts
	}
	var p identity.Principal
	if signed {
		var err error
		// A scope naming neither service fails here with the message of
		// a wrong service.
		if r, p, err = a.authn.SigV4(r, maxForm, svc.name); err != nil {
			a.writeError(w, r, svc, err)
			return
		}
	}
	f, err := readForm(r)
	if err != nil {
		a.writeError(w, r, svc, err)
		return
	}
	action := f.v.Get("Action")
	if !signed {
		if f.v.Get("Version") == a.sts.version || unsignedActions[action] {
			svc = &a.sts
		}
		if !unsignedActions[action] {
			a.writeError(w, r, svc, errMissingAuth)
			return
		}
		if err := a.authn.Fresh(r.Context()); err != nil {
			a.writeError(w, r, svc, err)
			return
		}
	}
	auditCall(r, svc, action, p, f)
	named := "unknown" // a client's unknown action is no label value
	if _, known := svc.ops[action]; known {
		named = action
	}
	metrics.From(r.Context()).Name(svc.name, named)
	if action == "" {
		a.writeError(w, r, svc, errkind.Validationf("Missing Action").WithReason("MissingAction"))
		return
	}
	o, ok := svc.ops[action]
	if !ok {
		a.writeError(w, r, svc, errkind.Validationf("Could not find operation %s for version %s", action, svc.version).WithReason("InvalidAction"))
		return
	}
	c := &call{ctx: r.Context(), r: r, p: p, f: f, action: action}
	result, err := o(c)
	if err != nil {
		a.writeError(w, r, svc, err)
		return
	}
	auditResult(r, result)
	a.writeResult(w, r, svc, action, result)
}

// scopeService returns the service of the request's SigV4 credential scope
// and whether the request is signed at all (an Authorization header or a
// presigned query).
func scopeService(r *http.Request) (string, bool) {
	cred := ""
	if h := r.Header.Get("Authorization"); h != "" {
		_, rest, _ := strings.Cut(h, " ")
		for part := range strings.SplitSeq(rest, ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential="); ok {
				cred = v
			}
		}
		return credentialService(cred), true
	}
	if v := r.URL.Query().Get("X-Amz-Credential"); v != "" {
		return credentialService(v), true
	}
	return "", false
}

func credentialService(cred string) string {
	parts := strings.Split(cred, "/")
	if len(parts) == 5 {
		return parts[3]
	}
	return ""
}

// maxForm bounds a request's body, signed (the authenticator enforces it
// while it hashes) or not.
const maxForm = 1 << 20

// readForm reads the parameters: the form body of a POST and the query.
func readForm(r *http.Request) (*form, error) {
	v := url.Values{}
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxForm+1))
		if err != nil {
			return nil, errkind.Wrap(errkind.Validation, err, "could not read the request body")
		}
		if len(b) > maxForm {
			return nil, errkind.Validationf("request body larger than %d bytes", maxForm)
		}
		if len(bytes.TrimSpace(b)) > 0 {
			ct := r.Header.Get("Content-Type")
			if ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
				return nil, errkind.Validationf("The request body must be application/x-www-form-urlencoded, not %s", ct)
			}
			if v, err = url.ParseQuery(string(b)); err != nil {
				return nil, errkind.Validationf("The request body is not valid form encoding.")
			}
		}
	}
	for k, vs := range r.URL.Query() {
		if strings.HasPrefix(k, "X-Amz-") {
			continue // presigned request parameters
		}
		for _, x := range vs {
			v.Add(k, x)
		}
	}
	return &form{v: v, used: map[string]bool{"Action": true, "Version": true}}, nil
}

// errMissingAuth is the error of an unsigned call to a signed operation.
var errMissingAuth = errkind.Unauthf("Request is missing Authentication Token").WithReason("MissingAuthenticationToken")

// --- responses ---

// isoTime is a timestamp as the query protocol writes it.
type isoTime time.Time

func (t isoTime) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format("2006-01-02T15:04:05Z")), nil
}

// members is a list in the query protocol's XML: <Name><member>...</member></Name>.
// An empty list is still written, as <Name></Name>, so clients see [].
type members[T any] struct {
	Member []T `xml:"member"`
}

func list[T any](v []T) members[T] { return members[T]{Member: v} }

// policyDocument URL-encodes a policy document, as IAM returns documents:
// every byte but the unreserved ones percent-encoded, spaces as %20.
func policyDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

// writeResult writes <ActionResponse xmlns=...><ActionResult>...</ActionResult>
// <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></ActionResponse>.
func (a *API) writeResult(w http.ResponseWriter, r *http.Request, svc *service, action string, result any) {
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Local: action + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: svc.namespace}}}
	err := enc.EncodeToken(start)
	if err == nil && result != nil {
		err = enc.EncodeElement(result, xml.StartElement{Name: xml.Name{Local: action + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(responseMetadata{RequestID: middleware.RequestID(r.Context())}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(start.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		a.writeError(w, r, svc, err)
		return
	}
	writeXML(w, http.StatusOK, buf.Bytes())
}

func writeXML(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// requestContext returns the condition keys the edge knows about r: the
// client middleware.Clients found (behind trusted proxies), else the
// connection's peer.
func requestContext(r *http.Request) map[string][]string {
	if cl, ok := middleware.ClientFrom(r.Context()); ok {
		return map[string][]string{"aws:SecureTransport": {strconv.FormatBool(cl.Secure)}, "aws:SourceIp": {cl.IP}}
	}
	c := map[string][]string{"aws:SecureTransport": {strconv.FormatBool(r.TLS != nil)}}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c["aws:SourceIp"] = []string{host}
	}
	return c
}
