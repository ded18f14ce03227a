package e2e

import (
	"encoding/json"
	"path/filepath"
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
	script, err := filepath.Abs(filepath.Join("testdata", "boto3_throttle.py"))
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	env := clientEnv(home,
		"AWS_CONFIG_FILE="+filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "none"),
		"AWS_ACCESS_KEY_ID="+s.KeyID,
		"AWS_SECRET_ACCESS_KEY="+s.Secret,
		"AWS_EC2_METADATA_DISABLED=true",
	)
	r := runProgram(t, env, home, py, script, s.URL, s.Account)
	if r.Code != 0 {
		t.Fatalf("the throttling scenario failed\n%s", r)
	}
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
