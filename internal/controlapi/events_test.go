package controlapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The event subscription API: create, list, deliveries, redrive, delete,
// and bad input, which gets the model's errors and stores nothing.
func TestEventSubscriptionAPI(t *testing.T) {
	s := newPackageScenario(t, "repo")
	const secret = "a-webhook-secret-of-some-length"
	body := `{"url":"http://127.0.0.1:9/hook","secret":"` + secret + `","name":"ci","eventPattern":"{\"detail\":{\"packageFormat\":[\"npm\"]}}"}`
	st, out := s.gateCall(http.MethodPost, "/v1/event-subscription", gateQuery(), body)
	sub, _ := out["subscription"].(map[string]any)
	id, _ := sub["subscriptionId"].(string)
	if st != 200 || id == "" || sub["name"] != "ci" || sub["domain"] != dom || sub["url"] != "http://127.0.0.1:9/hook" {
		t.Fatalf("CreateEventSubscription: %d %v", st, out)
	}
	for _, c := range []struct{ method, path, query, body, doing, says string }{
		{http.MethodPost, "/v1/event-subscription", gateQuery(), `{"secret":"` + secret + `"}`, "no URL", "url"},
		{http.MethodPost, "/v1/event-subscription", gateQuery(), `{"url":"http://h/"}`, "no secret", "secret"},
		{http.MethodPost, "/v1/event-subscription", gateQuery(), `{"url":"gopher://h/","secret":"` + secret + `"}`, "a URL that is not http", "http or https"},
		{http.MethodPost, "/v1/event-subscription", gateQuery(), `{"url":"http://h/","secret":"short"}`, "a short secret", "at least 16"},
		{http.MethodPost, "/v1/event-subscription", gateQuery(), `{"url":"http://h/","secret":"` + secret + `","eventPattern":"{\"source\":[{\"wildcard\":\"*\"}]}"}`, "an unsupported filter", "wildcard"},
		{http.MethodGet, "/v1/event-subscription/deliveries", gateQuery("id", id, "state", "Lost"), "", "an unknown state", "state"},
		{http.MethodGet, "/v1/event-subscription/deliveries", gateQuery("id", id, "max-results", "0"), "", "max-results 0", "maxResults"},
		{http.MethodDelete, "/v1/event-subscription", gateQuery(), "", "no id", "subscriptionId"},
	} {
		r := s.do(rawRequest{method: c.method, target: c.path + c.query, body: c.body})
		e := r.wantAWSError(t, c.doing, 400, "ValidationException")
		if msg, _ := e["message"].(string); !strings.Contains(msg, c.says) {
			t.Errorf("%s: message %q does not say %q", c.doing, msg, c.says)
		}
	}
	for _, c := range []struct{ method, path, query, doing string }{
		{http.MethodGet, "/v1/event-subscription/deliveries", gateQuery("id", "no-such-id"), "deliveries of an unknown subscription"},
		{http.MethodPost, "/v1/event-subscription/redrive", gateQuery("id", "no-such-id"), "a redrive of an unknown subscription"},
		{http.MethodGet, "/v1/event-subscriptions", "?domain=no-such-domain", "a domain that does not exist"},
	} {
		s.do(rawRequest{method: c.method, target: c.path + c.query}).wantAWSError(t, c.doing, 404, "ResourceNotFoundException")
	}
	st, out = s.gateCall(http.MethodGet, "/v1/event-subscriptions", gateQuery(), "")
	if list, _ := out["subscriptions"].([]any); st != 200 || len(list) != 1 || strings.Contains(fmt.Sprint(out), secret) {
		t.Fatalf("ListEventSubscriptions after refused creates: %d %v", st, out)
	}
	if st, out = s.gateCall(http.MethodGet, "/v1/event-subscription/deliveries", gateQuery("id", id), ""); st != 200 || len(out["deliveries"].([]any)) != 0 {
		t.Errorf("ListEventDeliveries: %d %v", st, out)
	}
	if st, out = s.gateCall(http.MethodPost, "/v1/event-subscription/redrive", gateQuery("id", id), ""); st != 200 || out["redriven"] != 0.0 {
		t.Errorf("RedriveEventDeliveries: %d %v", st, out)
	}
	if st, out = s.gateCall(http.MethodDelete, "/v1/event-subscription", gateQuery("id", id), ""); st != 200 || out["subscription"].(map[string]any)["subscriptionId"] != id {
		t.Errorf("DeleteEventSubscription: %d %v", st, out)
	}
	s.do(rawRequest{method: http.MethodDelete, target: "/v1/event-subscription" + gateQuery("id", id)}).wantAWSError(t, "deleting twice", 404, "ResourceNotFoundException")
}
