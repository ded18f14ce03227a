package e2e

import (
	"encoding/json"
	"testing"
)

// TestBoto3Throttling runs testdata/boto3_throttle.py against a server
// with CodeArtifact's own quotas (--throttle codeartifact): a burst of
// GetAuthorizationToken beyond 40 a second per account gets the modeled
// ThrottlingException, 429 with Retry-After, and passes again after it.
func TestBoto3Throttling(t *testing.T) {
	t.Parallel()
	py := python(t)
	s := startServer(t, "--throttle", "codeartifact")
	r := runBoto3(t, py, s, "boto3_throttle.py", s.URL, s.Account)
	var summary struct {
		OK         bool    `json:"ok"`
		Passed     int     `json:"passed"`
		Seconds    float64 `json:"seconds"`
		RetryAfter int     `json:"retry_after"`
		Message    string  `json:"message"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &summary); err != nil || !summary.OK {
		t.Fatalf("the throttling scenario did not print its summary (%v)\n%s", err, r)
	}
	// The bucket holds one second's worth: at least 40 pass before the
	// first refusal.
	if summary.Passed < 40 {
		t.Errorf("only %d calls passed before the first refusal; the quota is 40 a second", summary.Passed)
	}
	t.Logf("%d GetAuthorizationToken calls passed in %.2fs, then %q (Retry-After %d)", summary.Passed, summary.Seconds, summary.Message, summary.RetryAfter)
}
