package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/audit/audittest"
	"github.com/arcahq/arca/internal/store/postgres/pgtest"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
)

const hookSecret = "e2e-webhook-secret-0123456789"

// hook is a webhook receiver on a fixed loopback address that can be
// taken down and brought back up. It checks each delivery as a receiver
// would, with the code the README shows.
type hook struct {
	addr string
	mu   sync.Mutex
	srv  *http.Server
	got  []hookEvent
	ids  map[string]bool
	bad  []string
}

type hookEvent struct {
	delivery string
	body     map[string]any
}

func newHook(t *testing.T) *hook {
	h := &hook{addr: freeAddr(t), ids: map[string]bool{}}
	h.up(t)
	t.Cleanup(h.down)
	return h
}

func (h *hook) URL() string { return "http://" + h.addr + "/hook" }

func (h *hook) up(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	h.srv = &http.Server{Handler: http.HandlerFunc(h.serve)}
	srv := h.srv
	h.mu.Unlock()
	go srv.Serve(ln)
}

func (h *hook) down() {
	h.mu.Lock()
	srv := h.srv
	h.srv = nil
	h.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// verify is the check of the README's Events section.
func verify(secret string, body []byte, header string) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(header))
}

func (h *hook) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	id := r.Header.Get("X-Arca-Delivery")
	var e map[string]any
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/hook":
		h.bad = append(h.bad, "request "+r.Method+" "+r.URL.Path)
	case r.Header.Get("Content-Type") != "application/json":
		h.bad = append(h.bad, "Content-Type "+r.Header.Get("Content-Type"))
	case !verify(hookSecret, body, r.Header.Get("X-Arca-Signature-256")):
		h.bad = append(h.bad, "signature "+r.Header.Get("X-Arca-Signature-256"))
	case id == "" || h.ids[id]:
		h.bad = append(h.bad, "delivery id "+id+" missing or seen before")
	case json.Unmarshal(body, &e) != nil:
		h.bad = append(h.bad, "body "+string(body))
	default:
		h.ids[id] = true
		h.got = append(h.got, hookEvent{id, e})
		w.WriteHeader(http.StatusOK)
		return
	}
	w.WriteHeader(http.StatusBadRequest)
}

// events returns what arrived so far.
func (h *hook) events() []hookEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookEvent(nil), h.got...)
}

// wait waits until n events arrived and returns them.
func (h *hook) wait(t *testing.T, n int, what string) []hookEvent {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := h.events()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d events arrived within 60s, want %d:\n%s", what, len(got), n, describe(got))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func detailOf(e hookEvent) map[string]any { d, _ := e.body["detail"].(map[string]any); return d }

func describe(evs []hookEvent) string {
	var b strings.Builder
	for _, e := range evs {
		d := detailOf(e)
		fmt.Fprintf(&b, "  %v %v/%v %v %v %v seq %v %v\n", d["packageFormat"], d["packageNamespace"], d["packageName"], d["packageVersion"],
			d["operationType"], d["packageVersionState"], d["sequenceNumber"], d["changes"])
	}
	return b.String()
}

// TestEvents: a webhook receives the CodeArtifact events of a real npm
// publish, twine upload, status change (the AWS CLI) and delete, in each
// package's sequence, signed; a receiver that is down for a while loses
// nothing; a server killed with SIGKILL between committing a change and
// delivering its event delivers it after the restart. Subscriptions are
// managed with the arca CLI and audited.
func TestEvents(t *testing.T) {
	t.Parallel()
	twine := tool(t, "twine")
	npm := tool(t, "npm")
	logPath := filepath.Join(t.TempDir(), "audit.log")
	args := []string{"--event-retry-backoff", "200ms", "--audit-log", logPath}
	s := start(t, startOpts{Args: args, Env: rootEnv(), RootFromEnv: true})
	ctx := context.Background()
	if _, err := sdk(s).CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws_("my-domain")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdk(s).CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws_("my-domain"), Repository: aws_("my-repo")}); err != nil {
		t.Fatal(err)
	}
	h := newHook(t)
	pypiHook := newHook(t)
	u := newPyArcaUser(t, s)
	step := steps(t)
	srv := s // the server running now: another after the restart
	outer := t
	events := func(t *testing.T, a ...string) result {
		t.Helper()
		return u.arcaOK(t, append(append([]string{"events"}, a...), "--endpoint-url", srv.URL, "--domain", "my-domain")...)
	}
	var subID string
	var all []hookEvent

	step("arca events subscribe, list", func(t *testing.T) {
		r := events(t, "subscribe", "--url", h.URL(), "--secret", hookSecret, "--name", "ci")
		var sub map[string]any
		if err := json.Unmarshal([]byte(r.Stdout), &sub); err != nil {
			t.Fatalf("subscribe printed no JSON: %v\n%s", err, r)
		}
		subID, _ = sub["subscriptionId"].(string)
		if subID == "" || sub["url"] != h.URL() || sub["name"] != "ci" || sub["account"] != s.Account || strings.Contains(r.Stdout, hookSecret) {
			t.Fatalf("subscribe:\n%s", r)
		}
		events(t, "subscribe", "--url", pypiHook.URL(), "--secret", hookSecret, "--pattern", `{"source": ["aws.codeartifact"], "detail": {"packageFormat": ["pypi"], "changes": {"assetsAdded": [{"numeric": [">", 0]}]}}}`)
		r = events(t, "list")
		if strings.Count(r.Stdout, `"subscriptionId"`) != 2 || !strings.Contains(r.Stdout, subID) || strings.Contains(r.Stdout, hookSecret) {
			t.Errorf("arca events list:\n%s", r)
		}
		bad := u.arca(t, "events", "subscribe", "--endpoint-url", s.URL, "--domain", "my-domain", "--url", h.URL(), "--secret", hookSecret, "--pattern", `{"source": "aws.codeartifact"}`)
		if bad.Code == 0 || !strings.Contains(bad.Stderr, "must be in a list") {
			t.Errorf("a bad pattern:\n%s", bad)
		}
		bad = u.arca(t, "events", "subscribe", "--endpoint-url", s.URL, "--domain", "no-such-domain", "--url", h.URL(), "--secret", hookSecret)
		if bad.Code == 0 || !strings.Contains(bad.Stderr, "ResourceNotFoundException") {
			t.Errorf("a domain that does not exist:\n%s", bad)
		}
	})

	step("the operations are authorized as arca:<Operation> on the domain", func(t *testing.T) {
		if st, body := queryAs(t, s, s.KeyID, s.Secret, "iam", "Action", "CreateUser", "UserName", "hooks"); st != 200 {
			t.Fatalf("CreateUser: %d %s", st, body)
		}
		st, body := queryAs(t, s, s.KeyID, s.Secret, "iam", "Action", "CreateAccessKey", "UserName", "hooks")
		id, sec := xmlAccessKeyID.FindStringSubmatch(body), xmlSecretKey.FindStringSubmatch(body)
		if st != 200 || id == nil || sec == nil {
			t.Fatalf("CreateAccessKey: %d %s", st, body)
		}
		user := newArcaUser(t, s, "AWS_ACCESS_KEY_ID="+id[1], "AWS_SECRET_ACCESS_KEY="+sec[1])
		subscribe := []string{"events", "subscribe", "--endpoint-url", s.URL, "--domain", "my-domain", "--url", h.URL(), "--secret", hookSecret}
		if r := user.arca(t, subscribe...); r.Code == 0 || !strings.Contains(r.Stderr, "AccessDenied") || !strings.Contains(r.Stderr, "arca:CreateEventSubscription") {
			t.Errorf("a user without a policy subscribes:\n%s", r)
		}
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["arca:CreateEventSubscription","arca:ListEventSubscriptions"],` +
			`"Resource":"arn:aws:codeartifact:us-east-1:` + s.Account + `:domain/my-domain"}]}`
		if st, body := queryAs(t, s, s.KeyID, s.Secret, "iam", "Action", "PutUserPolicy", "UserName", "hooks", "PolicyName", "hooks", "PolicyDocument", doc); st != 200 {
			t.Fatalf("PutUserPolicy: %d %s", st, body)
		}
		r := user.arcaOK(t, subscribe...)
		var sub map[string]any
		json.Unmarshal([]byte(r.Stdout), &sub)
		user.arcaOK(t, "events", "list", "--endpoint-url", s.URL, "--domain", "my-domain")
		if r := user.arca(t, "events", "unsubscribe", "--endpoint-url", s.URL, "--domain", "my-domain", "--id", fmt.Sprint(sub["subscriptionId"])); r.Code == 0 || !strings.Contains(r.Stderr, "arca:DeleteEventSubscription") {
			t.Errorf("unsubscribing without arca:DeleteEventSubscription:\n%s", r)
		}
		events(t, "unsubscribe", "--id", fmt.Sprint(sub["subscriptionId"]))
	})

	step("npm publish, twine upload, a status change and a delete arrive in sequence", func(t *testing.T) {
		u.arcaOK(t, loginArgs(s, "npm")...)
		u.ok(t, u.writePackage(t, "arca-events", "1.0.0"), npm, "publish")
		u.arcaOK(t, loginArgs(s, "twine")...)
		distDir, _ := dists(t, upstreamtest.PyPIDist{Name: "arca-events-py", Version: "1.0.0"})
		files, _ := filepath.Glob(filepath.Join(distDir, "*"))
		sort.Strings(files)
		u.ok(t, u.Home, twine, append([]string{"upload", "--repository", "codeartifact", "--non-interactive", "--disable-progress-bar"}, files...)...)
		aws := newCLI(t, s)
		pkg := []string{"--domain", "my-domain", "--repository", "my-repo", "--format", "npm", "--package", "arca-events", "--versions", "1.0.0"}
		aws.OK(t, append([]string{"update-package-versions-status", "--target-status", "Unlisted"}, pkg...)...)
		aws.OK(t, append([]string{"delete-package-versions"}, pkg...)...)

		all = h.wait(t, 5, "the first events")
		npmEvents, pyEvents := byFormat(all, "npm"), byFormat(all, "pypi")
		if len(npmEvents) != 3 || len(pyEvents) != 2 {
			t.Fatalf("events:\n%s", describe(all))
		}
		for i, w := range []struct{ op, state, changes string }{
			{"Created", "Published", `{"assetsAdded":1,"assetsRemoved":0,"assetsUpdated":0,"metadataUpdated":true,"statusChanged":true}`},
			{"Updated", "Unlisted", `{"assetsAdded":0,"assetsRemoved":0,"assetsUpdated":0,"metadataUpdated":false,"statusChanged":true}`},
			{"Deleted", "Unlisted", `{"assetsAdded":0,"assetsRemoved":1,"assetsUpdated":0,"metadataUpdated":false,"statusChanged":false}`},
		} {
			d := detailOf(npmEvents[i])
			if c, _ := json.Marshal(d["changes"]); d["operationType"] != w.op || d["packageVersionState"] != w.state || string(c) != w.changes {
				t.Errorf("npm event %d: %s %s %s, want %s %s %s", i, d["operationType"], d["packageVersionState"], c, w.op, w.state, w.changes)
			}
		}
		checkEnvelope(t, s, npmEvents[0], "npm", "arca-events", "1.0.0")
		checkEnvelope(t, s, pyEvents[0], "pypi", "arca-events-py", "1.0.0")
		if d := detailOf(pyEvents[1]); d["operationType"] != "Updated" || d["changes"].(map[string]any)["assetsAdded"] != 1.0 {
			t.Errorf("the second file of twine upload: %v", d)
		}
		inSequence(t, all)
		// The pypi-only subscription: the two pypi events, nothing else.
		py := pypiHook.wait(t, 2, "the pypi subscription")
		if len(byFormat(py, "pypi")) != 2 || len(py) != 2 {
			t.Errorf("the pypi subscription got:\n%s", describe(py))
		}
	})

	step("the receiver down for a while, then up: nothing is lost", func(t *testing.T) {
		h.down()
		u.arcaOK(t, loginArgs(s, "npm")...)
		u.ok(t, u.writePackage(t, "arca-events", "1.0.1"), npm, "publish")
		// Wait until Arca has tried and failed twice.
		deadline := time.Now().Add(60 * time.Second)
		for {
			r := events(t, "deliveries", "--id", subID, "--state", "Pending")
			var out struct{ Deliveries []struct{ Attempts int } }
			json.Unmarshal([]byte(r.Stdout), &out)
			if len(out.Deliveries) == 1 && out.Deliveries[0].Attempts >= 2 {
				if !strings.Contains(r.Stdout, "connection refused") || !strings.Contains(r.Stdout, `"packageVersion": "1.0.1"`) {
					t.Errorf("a pending delivery:\n%s", r)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no second failed attempt within 60s:\n%s", r)
			}
			time.Sleep(100 * time.Millisecond)
		}
		h.up(t)
		all = h.wait(t, 6, "after the receiver came back")
		if d := detailOf(all[5]); d["packageVersion"] != "1.0.1" || d["operationType"] != "Created" {
			t.Errorf("after the receiver came back:\n%s", describe(all))
		}
		inSequence(t, all)
	})

	step("kill -9 between the commit and the delivery: the event arrives after the restart", func(t *testing.T) {
		h.down()
		u.ok(t, u.writePackage(t, "arca-events", "1.0.2"), npm, "publish")
		s.stopOnce.Do(func() {
			s.cmd.Process.Kill()
			<-s.done
		})
		if n := len(h.events()); n != 6 {
			t.Fatalf("%d events before the restart, want 6", n)
		}
		h.up(t)
		srv = start(outer, startOpts{Data: s.Data, Args: args, Env: rootEnv(), RootFromEnv: true})
		all = h.wait(t, 7, "after the restart")
		if d := detailOf(all[6]); d["packageVersion"] != "1.0.2" || d["operationType"] != "Created" {
			t.Errorf("after the restart:\n%s", describe(all))
		}
		inSequence(t, all)
	})

	step("deliveries, redrive, unsubscribe, and the audit log", func(t *testing.T) {
		r := events(t, "deliveries", "--id", subID)
		var out struct {
			Deliveries []struct {
				DeliveryID, State string
				Attempts          int
				Event             map[string]any
			}
		}
		if err := json.Unmarshal([]byte(r.Stdout), &out); err != nil || len(out.Deliveries) != 7 {
			t.Fatalf("arca events deliveries (%v):\n%s", err, r)
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if len(h.bad) > 0 {
			t.Errorf("deliveries the receiver refused: %q", h.bad)
		}
		for i, d := range out.Deliveries {
			if d.State != "Delivered" || d.Attempts < 1 || !h.ids[d.DeliveryID] || d.Event["id"] != all[len(all)-1-i].body["id"] {
				t.Errorf("delivery %d: %+v", i, d)
			}
		}
		if r := events(t, "deliveries", "--id", subID, "--redrive"); !strings.Contains(r.Stdout, `"redriven": 0`) {
			t.Errorf("redrive with no dead letters:\n%s", r)
		}
		r = events(t, "subscribe", "--url", h.URL(), "--secret", hookSecret, "--name", "short-lived")
		var sub map[string]any
		json.Unmarshal([]byte(r.Stdout), &sub)
		id, _ := sub["subscriptionId"].(string)
		if r := events(t, "unsubscribe", "--id", id); !strings.Contains(r.Stdout, id) {
			t.Errorf("unsubscribe:\n%s", r)
		}
		bad := u.arca(t, "events", "unsubscribe", "--endpoint-url", srv.URL, "--domain", "my-domain", "--id", id)
		if bad.Code == 0 || !strings.Contains(bad.Stderr, "not found") {
			t.Errorf("unsubscribing twice:\n%s", bad)
		}
		if r := events(t, "list"); strings.Contains(r.Stdout, id) || !strings.Contains(r.Stdout, subID) {
			t.Errorf("list after unsubscribe:\n%s", r)
		}
		evs := audittest.Wait(t, logPath, func(ev []audittest.Event) bool {
			return len(audittest.Named(ev, "CreateEventSubscription")) >= 1 && len(audittest.Named(ev, "DeleteEventSubscription")) >= 2
		})
		for _, e := range audittest.Named(evs, "CreateEventSubscription") {
			if e.Field("errorCode") != nil {
				continue
			}
			if e.Field("requestParameters", "url") == nil || e.Field("requestParameters", "secret") != nil || e.Field("responseElements", "subscriptionId") == nil {
				t.Errorf("CreateEventSubscription audit event %v", pretty(e))
			}
		}
		if b, _ := json.Marshal(evs); strings.Contains(string(b), hookSecret) {
			t.Error("the audit log holds the webhook secret")
		}
	})
}

// byFormat returns the events of one package format, in arrival order.
func byFormat(evs []hookEvent, format string) []hookEvent {
	var out []hookEvent
	for _, e := range evs {
		if detailOf(e)["packageFormat"] == format {
			out = append(out, e)
		}
	}
	return out
}

// inSequence checks that each package's events arrived in the order of
// their sequence numbers, with no gap.
func inSequence(t *testing.T, evs []hookEvent) {
	t.Helper()
	last := map[string]float64{}
	for _, e := range evs {
		d := detailOf(e)
		key := fmt.Sprint(d["packageFormat"], "/", d["packageName"])
		seq, _ := d["sequenceNumber"].(float64)
		if seq != last[key]+1 {
			t.Errorf("%s: sequence %v after %v:\n%s", key, seq, last[key], describe(evs))
		}
		last[key] = seq
	}
}

// checkEnvelope checks an event field by field against the User Guide.
func checkEnvelope(t *testing.T, s *server, e hookEvent, format, name, version string) {
	t.Helper()
	b := e.body
	if keys := keysOf(b); keys != "account,detail,detail-type,id,region,resources,source,time,version" {
		t.Errorf("event fields %v", keys)
	}
	if b["version"] != "0" || b["source"] != "aws.codeartifact" || b["detail-type"] != "CodeArtifact Package Version State Change" ||
		b["account"] != s.Account || b["region"] != "us-east-1" || b["id"] == "" {
		t.Errorf("envelope %v", b)
	}
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(b["time"])); err != nil {
		t.Errorf("time %v: %v", b["time"], err)
	}
	arn := "arn:aws:codeartifact:us-east-1:" + s.Account + ":package/my-domain/my-repo/" + format + "//" + name
	if res, _ := b["resources"].([]any); len(res) != 1 || res[0] != arn {
		t.Errorf("resources %v, want [%s]", b["resources"], arn)
	}
	d := detailOf(e)
	if dkeys := keysOf(d); dkeys != "changes,domainName,domainOwner,eventDeduplicationId,operationType,packageFormat,packageName,packageNamespace,packageVersion,packageVersionRevision,packageVersionState,repositoryName,sequenceNumber" {
		t.Errorf("detail fields %v", dkeys)
	}
	if d["domainName"] != "my-domain" || d["domainOwner"] != s.Account || d["repositoryName"] != "my-repo" || d["packageFormat"] != format ||
		d["packageNamespace"] != nil || d["packageName"] != name || d["packageVersion"] != version || d["packageVersionRevision"] == "" || d["eventDeduplicationId"] == "" {
		t.Errorf("detail %v", d)
	}
}

// keysOf returns the keys of m, sorted and joined with commas.
func keysOf(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// TestEventsReplicas: two replicas on one PostgreSQL database share the
// outbox. Versions published through both, interleaved, reach the webhook
// once each, in the package's sequence: each delivery is sent by one
// replica.
func TestEventsReplicas(t *testing.T) {
	t.Parallel()
	database := pgtest.URL(t)
	key := make([]byte, 32)
	rand.Read(key)
	env := rootEnv("ARCA_DATABASE="+database, "ARCA_MASTER_KEY="+base64.StdEncoding.EncodeToString(key))
	replicas := []*server{
		start(t, startOpts{Env: env, RootFromEnv: true}),
		start(t, startOpts{Env: env, RootFromEnv: true}),
	}
	ctx := context.Background()
	if _, err := sdk(replicas[0]).CreateDomain(ctx, &codeartifact.CreateDomainInput{Domain: aws_("shared")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdk(replicas[1]).CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws_("shared"), Repository: aws_("repo")}); err != nil {
		t.Fatal(err)
	}
	h := newHook(t)
	u := newArcaUser(t, replicas[1])
	r := u.arcaOK(t, "events", "subscribe", "--endpoint-url", replicas[1].URL, "--domain", "shared", "--url", h.URL(), "--secret", hookSecret)
	var sub map[string]any
	json.Unmarshal([]byte(r.Stdout), &sub)
	const n = 12
	for i := 0; i < n; i++ {
		body := []byte(fmt.Sprintf("asset of version %d\n", i))
		sum := sha256.Sum256(body)
		_, err := sdk(replicas[i%2]).PublishPackageVersion(ctx, &codeartifact.PublishPackageVersionInput{
			Domain: aws_("shared"), Repository: aws_("repo"), Format: types.PackageFormatGeneric, Namespace: aws_("ns"),
			Package: aws_("pkg"), PackageVersion: aws_(fmt.Sprintf("1.0.%d", i)), AssetName: aws_("file.txt"),
			AssetContent: bytes.NewReader(body), AssetSHA256: aws_(hex.EncodeToString(sum[:])),
		})
		if err != nil {
			t.Fatalf("publishing 1.0.%d through replica %d: %v", i, i%2, err)
		}
	}
	got := h.wait(t, n, "events published through two replicas")
	inSequence(t, got)
	for i, e := range got {
		if d := detailOf(e); d["packageVersion"] != fmt.Sprintf("1.0.%d", i) || d["packageNamespace"] != "ns" {
			t.Errorf("event %d: %v", i, d)
		}
	}
	// Every delivery is recorded Delivered after one attempt: nothing is
	// left to be sent again, and the receiver saw each exactly once.
	r = u.arcaOK(t, "events", "deliveries", "--endpoint-url", replicas[0].URL, "--domain", "shared", "--id", fmt.Sprint(sub["subscriptionId"]))
	var out struct {
		Deliveries []struct {
			State    string
			Attempts int
		}
	}
	json.Unmarshal([]byte(r.Stdout), &out)
	if len(out.Deliveries) != n {
		t.Fatalf("%d deliveries listed, want %d\n%s", len(out.Deliveries), n, r)
	}
	for _, d := range out.Deliveries {
		if d.State != "Delivered" || d.Attempts != 1 {
			t.Errorf("a delivery %s after %d attempts", d.State, d.Attempts)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.got) != n || len(h.bad) != 0 {
		t.Errorf("the receiver got %d deliveries (%d refused), want %d", len(h.got), len(h.bad), n)
	}
}
