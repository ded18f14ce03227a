package console

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"

	"github.com/arcahq/arca/internal/audit"
	"github.com/arcahq/arca/internal/authz"
	"github.com/arcahq/arca/internal/errkind"
)

// The audit log page: the newest events of the caller's account from the
// audit log's current file, for principals allowed cloudtrail:LookupEvents
// (AWS's permission to read CloudTrail's events).

// auditTail is how much of the end of the file the page reads.
const (
	auditTail   = 1 << 20
	auditEvents = 200
)

// auditEvent is what the page shows of an event.
type auditEvent struct {
	EventTime    string `json:"eventTime"`
	EventSource  string `json:"eventSource"`
	EventName    string `json:"eventName"`
	SourceIP     string `json:"sourceIPAddress"`
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
	Recipient    string `json:"recipientAccountId"`
	UserIdentity struct {
		Type string `json:"type"`
		Arn  string `json:"arn"`
	} `json:"userIdentity"`
	RequestParameters map[string]any `json:"requestParameters"`
}

func (c *Console) auditLog(w http.ResponseWriter, r *http.Request, s *session) {
	audit.From(r.Context()).Call("cloudtrail.amazonaws.com", "LookupEvents")
	if err := c.authz.Authorize(r.Context(), authz.Request{Principal: s.Principal, Action: "cloudtrail:LookupEvents", Resource: "*"}); err != nil {
		c.fail(w, r, s, err)
		return
	}
	if c.cfg.AuditLog == "" {
		c.fail(w, r, s, errkind.NotFoundf("This server writes no audit log (start it with --audit-log FILE)."))
		return
	}
	events, err := readAudit(c.cfg.AuditLog, s.Principal.Account)
	if err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.render(w, r, http.StatusOK, "audit", page{Title: "Audit log", Session: s, Crumbs: []link{{"Audit log", ""}}, Data: events})
}

// readAudit returns the newest events of account in the file, newest
// first.
func readAudit(path, account string) ([]auditEvent, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > auditTail {
		if _, err := f.Seek(st.Size()-auditTail, io.SeekStart); err != nil {
			return nil, err
		}
	}
	var out []auditEvent
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), auditTail)
	for sc.Scan() {
		var e auditEvent
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Recipient != account {
			continue // the first line of a tail, cut; another account's
		}
		out = append(out, e)
	}
	slices.Reverse(out)
	if len(out) > auditEvents {
		out = out[:auditEvents]
	}
	return out, sc.Err()
}
