package cli

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/spf13/cobra"
)

// The arca events commands manage webhook subscriptions to a domain's
// package version events (an Arca extension of the control plane, at
// /v1/event-subscription*), signed with SigV4 like every control-plane
// call. They print the server's JSON answers.

func (a *App) eventsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Subscribe webhooks to a domain's package version events",
		Long: `Arca emits CodeArtifact's "CodeArtifact Package Version State Change" event for
every change of a package version (publish, new asset, status change, copy,
delete, dispose, ingestion from an upstream or external connection) and POSTs
each to the webhooks of the subscriptions whose EventBridge event pattern it
matches, signed with the subscription's secret:

  X-Arca-Signature-256: sha256=<hex HMAC-SHA256 of the body under the secret>

A subscription belongs to the account of the credentials that create it, which
receives the domain's events if it owns the domain, and those of the
repositories it administers otherwise.`,
	}
	cmd.AddCommand(a.eventsSubscribeCommand(), a.eventsListCommand(), a.eventsUnsubscribeCommand(), a.eventsDeliveriesCommand())
	return cmd
}

// eventsCall sends one signed event-subscription request and prints the
// JSON answer, indented: the member key of it when key is not "".
func (a *App) eventsCall(cmd *cobra.Command, f Flags, method, path string, q url.Values, body []byte, key string) error {
	var out map[string]any
	if err := a.gateCall(cmd.Context(), f, method, path, q, body, &out); err != nil {
		return err
	}
	var v any = out
	if key != "" {
		v = out[key]
	}
	enc := json.NewEncoder(a.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (a *App) eventsSubscribeCommand() *cobra.Command {
	var f Flags
	var hook, secret, pattern, name string
	cmd := &cobra.Command{
		Use:   "subscribe --domain DOMAIN [--domain-owner ACCOUNT] --url URL --secret SECRET [--pattern JSON] [--name NAME]",
		Short: "Subscribe a webhook to the domain's package version events",
		Long: `Subscribe URL to the domain's package version events that match --pattern, an
EventBridge event pattern (exact values, prefix, suffix, equals-ignore-case,
anything-but, numeric, exists; on source, detail-type, detail.* and the other
fields), for example

  --pattern '{"detail": {"repositoryName": ["my-repo"], "packageFormat": ["npm"]}}'

Without --pattern every event goes. --secret (at least 16 characters) keys the
HMAC-SHA256 signature of each delivery; it is stored encrypted and never shown
again. Prints the subscription, with its subscriptionId.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if hook == "" || secret == "" {
				return errors.New("--url and --secret are required")
			}
			if pattern != "" && !json.Valid([]byte(pattern)) {
				return errors.New("--pattern is not JSON")
			}
			b, _ := json.Marshal(map[string]string{"url": hook, "secret": secret, "eventPattern": pattern, "name": name})
			return a.eventsCall(cmd, f, http.MethodPost, "/v1/event-subscription", nil, b, "subscription")
		},
	}
	bindGate(cmd, &f)
	cmd.Flags().StringVar(&hook, "url", "", "the http or https URL events are POSTed to")
	cmd.Flags().StringVar(&secret, "secret", "", "the secret that keys each delivery's signature")
	cmd.Flags().StringVar(&pattern, "pattern", "", "an EventBridge event pattern (JSON); default every event")
	cmd.Flags().StringVar(&name, "name", "", "a name to know the subscription by")
	return cmd
}

func (a *App) eventsListCommand() *cobra.Command {
	var f Flags
	cmd := &cobra.Command{
		Use:   "list --domain DOMAIN",
		Short: "List your account's subscriptions to the domain's events",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.eventsCall(cmd, f, http.MethodGet, "/v1/event-subscriptions", nil, nil, "")
		},
	}
	bindGate(cmd, &f)
	return cmd
}

func (a *App) eventsUnsubscribeCommand() *cobra.Command {
	var f Flags
	var id string
	cmd := &cobra.Command{
		Use:   "unsubscribe --domain DOMAIN --id SUBSCRIPTION_ID",
		Short: "Delete a subscription, with the deliveries it has not had",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.eventsCall(cmd, f, http.MethodDelete, "/v1/event-subscription", url.Values{"id": {id}}, nil, "subscription")
		},
	}
	bindGate(cmd, &f)
	cmd.Flags().StringVar(&id, "id", "", "the subscriptionId")
	return cmd
}

func (a *App) eventsDeliveriesCommand() *cobra.Command {
	var f Flags
	var id, state string
	var redrive bool
	cmd := &cobra.Command{
		Use:   "deliveries --domain DOMAIN --id SUBSCRIPTION_ID [--state Pending|Delivered|Dead] [--redrive]",
		Short: "List a subscription's deliveries, newest first, or redrive its dead letters",
		Long: `List a subscription's deliveries, newest first, each with its state (Pending,
Delivered, or Dead after the last attempt failed), attempts, the receiver's
last answer and the event. With --redrive, the dead deliveries are sent again,
ahead of the subscription's pending ones; prints how many.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := url.Values{"id": {id}}
			if redrive {
				return a.eventsCall(cmd, f, http.MethodPost, "/v1/event-subscription/redrive", q, nil, "")
			}
			if state != "" {
				q.Set("state", state)
			}
			return a.eventsCall(cmd, f, http.MethodGet, "/v1/event-subscription/deliveries", q, nil, "")
		},
	}
	bindGate(cmd, &f)
	cmd.Flags().StringVar(&id, "id", "", "the subscriptionId")
	cmd.Flags().StringVar(&state, "state", "", "only deliveries in this state: Pending, Delivered or Dead")
	cmd.Flags().BoolVar(&redrive, "redrive", false, "send the dead deliveries again")
	return cmd
}
