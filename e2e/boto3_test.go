package e2e

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestBoto3 runs testdata/boto3_scenario.py: every control-plane operation
// through boto3 with endpoint_url, paginators, modeled exceptions (each
// followed by a check that nothing changed), timezone-aware expirations,
// and the tokens used on a repository endpoint. The script asserts as it
// goes and exits non-zero with a message on the first failure.
func TestBoto3(t *testing.T) {
	t.Parallel()
	py := python(t)
	// public:npmjs has a registry URL (never asked: the script only
	// associates it), so the association reports AVAILABLE.
	s := startServer(t, "--external-connection", "public:npmjs=http://127.0.0.1:9/")
	r := runBoto3(t, py, s, "boto3_scenario.py", s.URL, s.Account)
	var summary struct {
		OK     bool   `json:"ok"`
		Calls  int    `json:"calls"`
		Errors int    `json:"errors"`
		Boto3  string `json:"boto3"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &summary); err != nil || !summary.OK {
		t.Fatalf("the boto3 scenario did not print its summary (%v)\n%s", err, r)
	}
	t.Logf("boto3 %s: %d successful calls, %d modeled errors checked", summary.Boto3, summary.Calls, summary.Errors)
}

// runBoto3 runs testdata/script with py against s with the root
// credentials and no AWS configuration files, failing the test if the
// script exits non-zero (it prints why); its standard output is the
// script's summary.
func runBoto3(t testing.TB, py string, s *server, script string, args ...string) result {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("testdata", script))
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
	r := runProgram(t, env, home, py, append([]string{path}, args...)...)
	if r.Code != 0 {
		t.Fatalf("%s failed\n%s", script, r)
	}
	return r
}
