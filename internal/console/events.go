package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// The event subscriptions of a domain and their deliveries (the
// operations of package events: ListEventSubscriptions,
// ListEventDeliveries, RedriveEventDeliveries, authorized as
// arca:<Operation> on the domain).

type eventSubscription struct {
	SubscriptionID string  `json:"subscriptionId"`
	Name           string  `json:"name"`
	Account        string  `json:"account"`
	URL            string  `json:"url"`
	EventPattern   string  `json:"eventPattern"`
	CreatedTime    float64 `json:"createdTime"`
	Href           string  `json:"-"`
}

type eventDelivery struct {
	DeliveryID      string          `json:"deliveryId"`
	EventID         string          `json:"eventId"`
	State           string          `json:"state"`
	Attempts        int             `json:"attempts"`
	LastStatusCode  int             `json:"lastStatusCode"`
	LastError       string          `json:"lastError"`
	NextAttemptTime float64         `json:"nextAttemptTime"`
	CreatedTime     float64         `json:"createdTime"`
	Event           json.RawMessage `json:"event"`
	// Change summarises the event: the version and what happened to it.
	Change string `json:"-"`
}

func eventsPath(owner, domain string) string { return domainPath(owner, domain) + "/events" }

func (c *Console) eventSubscriptions(w http.ResponseWriter, r *http.Request, s *session) {
	var out struct {
		Subscriptions []eventSubscription `json:"subscriptions"`
	}
	if err := c.invoke(r.Context(), s, "ListEventSubscriptions", domainIn(r), &out); err != nil {
		c.fail(w, r, s, err)
		return
	}
	base := eventsPath(r.PathValue("owner"), r.PathValue("domain"))
	for i := range out.Subscriptions {
		out.Subscriptions[i].Href = base + "/" + url.PathEscape(out.Subscriptions[i].SubscriptionID)
	}
	c.render(w, r, http.StatusOK, "events", page{Title: "Event subscriptions", Session: s,
		Crumbs: append(domainCrumbs(r), link{"Event subscriptions", ""}), Data: out.Subscriptions})
}

func (c *Console) eventDeliveries(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderDeliveries(w, r, s, "")
}

// renderDeliveries shows a subscription's deliveries, newest first,
// filtered by state; notice reports a redrive.
func (c *Console) renderDeliveries(w http.ResponseWriter, r *http.Request, s *session, notice string) {
	in := domainIn(r)
	in["subscriptionId"] = r.PathValue("id")
	state := r.URL.Query().Get("state")
	if state != "" {
		in["state"] = state
	}
	var out struct {
		Deliveries []eventDelivery `json:"deliveries"`
	}
	if err := c.invoke(r.Context(), s, "ListEventDeliveries", in, &out); err != nil {
		c.fail(w, r, s, err)
		return
	}
	for i, d := range out.Deliveries {
		var e struct {
			Detail struct {
				RepositoryName   string `json:"repositoryName"`
				PackageFormat    string `json:"packageFormat"`
				PackageNamespace string `json:"packageNamespace"`
				PackageName      string `json:"packageName"`
				PackageVersion   string `json:"packageVersion"`
				State            string `json:"packageVersionState"`
				OperationType    string `json:"operationType"`
				SequenceNumber   int64  `json:"sequenceNumber"`
			} `json:"detail"`
		}
		if json.Unmarshal(d.Event, &e) == nil {
			x := e.Detail
			out.Deliveries[i].Change = fmt.Sprintf("%s %s %s %s in %s (%s, #%d)", x.OperationType, x.PackageFormat,
				displayName(x.PackageNamespace, x.PackageName), x.PackageVersion, x.RepositoryName, x.State, x.SequenceNumber)
		}
	}
	base := eventsPath(r.PathValue("owner"), r.PathValue("domain")) + "/" + url.PathEscape(r.PathValue("id"))
	var states []link
	for _, st := range []string{"", "Pending", "Delivered", "Dead"} {
		text, href := st, base
		if st == "" {
			text = "all"
		} else {
			href += "?state=" + st
		}
		states = append(states, link{text, href})
	}
	c.render(w, r, http.StatusOK, "deliveries", page{Title: "Deliveries", Session: s, Notice: notice,
		Crumbs: append(domainCrumbs(r), link{"Event subscriptions", eventsPath(r.PathValue("owner"), r.PathValue("domain"))}, link{r.PathValue("id"), ""}),
		Data: struct {
			Deliveries   []eventDelivery
			States       []link
			State        string
			RedriveHref  string
			Subscription string
		}{out.Deliveries, states, state, base + "/redrive", r.PathValue("id")}})
}

// redrive sends a subscription's dead letters again.
func (c *Console) redrive(w http.ResponseWriter, r *http.Request, s *session) {
	in := domainIn(r)
	in["subscriptionId"] = r.PathValue("id")
	var out struct {
		Redriven int64 `json:"redriven"`
	}
	if err := c.invoke(r.Context(), s, "RedriveEventDeliveries", in, &out); err != nil {
		c.fail(w, r, s, err)
		return
	}
	c.renderDeliveries(w, r, s, fmt.Sprintf("%d dead deliveries will be sent again.", out.Redriven))
}
