// Package metricstest reads a /metrics answer the way Prometheus does
// (its text parser, expfmt) and finds the value of one series, for tests
// that assert what a server counted.
package metricstest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape is one parsed /metrics answer.
type Scrape map[string]*dto.MetricFamily

// Parse parses the Prometheus text format; anything Prometheus would
// refuse is an error.
func Parse(r io.Reader) (Scrape, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(r)
}

// Get scrapes url with client, failing t on any error: the status must be
// 200 and the body the text format.
func Get(t testing.TB, client *http.Client, url string) Scrape {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s: %s", url, resp.Status, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("GET %s: Content-Type %q, want the text format", url, ct)
	}
	s, err := Parse(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: the Prometheus text parser refused the answer: %v", url, err)
	}
	return s
}

// Value returns the value of the series of family name whose labels
// include labels: a counter's or gauge's value, a histogram's count. Several
// matching series are summed. ok is false when none matches.
func (s Scrape) Value(name string, labels map[string]string) (v float64, ok bool) {
	f, found := s[name]
	if !found {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		if !match(m, labels) {
			continue
		}
		ok = true
		switch {
		case m.Counter != nil:
			v += m.Counter.GetValue()
		case m.Gauge != nil:
			v += m.Gauge.GetValue()
		case m.Histogram != nil:
			v += float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			v += m.Untyped.GetValue()
		}
	}
	return v, ok
}

// MustValue is Value, failing t when no series matches.
func (s Scrape) MustValue(t testing.TB, name string, labels map[string]string) float64 {
	t.Helper()
	v, ok := s.Value(name, labels)
	if !ok {
		t.Fatalf("no series %s%v in the scrape; the series of %s are: %s", name, labels, name, s.describe(name))
	}
	return v
}

// LabelValues returns the values label takes in family name.
func (s Scrape) LabelValues(name, label string) []string {
	var out []string
	for _, m := range s[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label {
				out = append(out, l.GetValue())
			}
		}
	}
	return out
}

func (s Scrape) describe(name string) string {
	f, ok := s[name]
	if !ok {
		return "(none)"
	}
	out := ""
	for _, m := range f.GetMetric() {
		out += "\n  {"
		for _, l := range m.GetLabel() {
			out += fmt.Sprintf("%s=%q ", l.GetName(), l.GetValue())
		}
		out += "}"
	}
	return out
}

func match(m *dto.Metric, labels map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if want, ok := labels[l.GetName()]; ok {
			if want != l.GetValue() {
				return false
			}
			n++
		}
	}
	return n == len(labels)
}
