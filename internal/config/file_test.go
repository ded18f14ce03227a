package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFileKeysAreTheSettings(t *testing.T) {
	const text = `
# Arca's configuration: every key is a flag of arca serve.
listen = "0.0.0.0:9000"          # all interfaces
data = '/srv/arca'
database = "postgres://arca@db.internal.test:5432/arca?sslmode=verify-full"
blobs = "s3://arca-blobs/prod?endpoint=https://objects.internal.test&redirect=8MiB"
region = "eu-west-1"
public-url = "https://arca.internal.test/"
tls-cert = "/etc/arca/cert.pem"
tls-key = "/etc/arca/key.pem"
external-connection = [
  "public:npmjs=http://npm.internal.test:4873/",   # the team's mirror
  "public:pypi=http://pypi.internal.test/simple/",
]
upstream-timeout = "45s"
event-max-attempts = 5
event-retry-backoff = "2s"
event-timeout = "3s"
trusted-proxy = ["10.0.0.0/8", "192.0.2.7"]
log-format = "json"
debug-listen = "127.0.0.1:6060"
metrics = "open"
max-connections = 500
min-body-rate = "4KiB"
throttle = "codeartifact"
max-requests-per-client = 64
buffer-budget = "256MiB"
audit-log = "/var/log/arca/audit.log"
audit-log-max-size = "10MiB"
audit-log-keep = 3
audit-log-min-age = "720h"
audit-log-stdout = true
audit-data-events = ["all"]
cache-bytes = "64MiB"
master-key-file = "/etc/arca/master.key"
`
	c := Defaults()
	if err := c.fromText("arca.toml", text); err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	want.Listen, want.Data, want.Region = "0.0.0.0:9000", "/srv/arca", "eu-west-1"
	want.Database = "postgres://arca@db.internal.test:5432/arca?sslmode=verify-full"
	want.Blobs = "s3://arca-blobs/prod?endpoint=https://objects.internal.test&redirect=8MiB"
	want.PublicURL = "https://arca.internal.test/"
	want.TLSCert, want.TLSKey = "/etc/arca/cert.pem", "/etc/arca/key.pem"
	want.MasterKeyFile = "/etc/arca/master.key"
	want.ExternalConnections = map[string]string{"public:npmjs": "http://npm.internal.test:4873/", "public:pypi": "http://pypi.internal.test/simple/"}
	want.UpstreamTimeout = 45 * time.Second
	want.EventMaxAttempts, want.EventRetryBackoff, want.EventTimeout = 5, 2*time.Second, 3*time.Second
	want.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
	want.LogFormat, want.DebugListen, want.Metrics = "json", "127.0.0.1:6060", MetricsOpen
	want.AuditLog, want.AuditLogMaxSize, want.AuditLogKeep, want.AuditLogStdout = "/var/log/arca/audit.log", 10<<20, 3, true
	want.MaxConnections, want.MinBodyRate, want.AuditLogMinAge = 500, 4<<10, 30*24*time.Hour
	want.AuditDataEvents, want.CacheBytes = []string{"all"}, 64<<20
	want.Throttle, want.MaxRequestsPerClient, want.BufferBudget = 1, 64, 256<<20
	if !reflect.DeepEqual(c, want) {
		t.Errorf("from the file:\n%+v\nwant\n%+v", c, want)
	}
	// Every key of the table is in the file above.
	for _, k := range Keys() {
		if !strings.Contains(text, "\n"+k+" = ") {
			t.Errorf("the test's file lacks the key %q", k)
		}
	}
}

func TestFileValues(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		check      func(c Config) bool
	}{
		{"escapes", `data = "a\"b\\c\u00e9\t"`, func(c Config) bool { return c.Data == "a\"b\\cé\t" }},
		{"literal string keeps backslashes", `data = 'C:\arca\data'`, func(c Config) bool { return c.Data == `C:\arca\data` }},
		{"hash inside a string", `data = "/srv/#arca" # comment`, func(c Config) bool { return c.Data == "/srv/#arca" }},
		{"integer with underscores", `audit-log-keep = 1_0`, func(c Config) bool { return c.AuditLogKeep == 10 }},
		{"size as an integer", `audit-log-max-size = 2048`, func(c Config) bool { return c.AuditLogMaxSize == 2048 }},
		{"one string for a list", `external-connection = "public:npmjs=http://npm.internal.test/"`, func(c Config) bool { return c.ExternalConnections["public:npmjs"] == "http://npm.internal.test/" }},
		{"empty array", `trusted-proxy = []`, func(c Config) bool { return len(c.TrustedProxies) == 0 }},
		{"array without trailing comma, CRLF", "trusted-proxy = [\r\n \"10.0.0.1\"\r\n]\r\n", func(c Config) bool { return len(c.TrustedProxies) == 1 }},
		{"empty file", "\n# nothing\n", func(c Config) bool { return reflect.DeepEqual(c, Defaults()) }},
	} {
		c := Defaults()
		if err := c.fromText("f", tc.text); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		} else if !tc.check(c) {
			t.Errorf("%s: got %+v", tc.name, c)
		}
	}
}

func TestFileErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"listen = \"127.0.0.1:1\"\nlisen = \"x\"", `arca.toml:2: unknown key "lisen" (the keys are audit-data-events, audit-log, `},
		{"\n\nexternal-connections = []", `arca.toml:3: unknown key "external-connections"`},
		{"ARCA_LISTEN = \"x\"", `arca.toml:1: unknown key "ARCA_LISTEN"`},
		{"account-id = \"111122223333\"", `arca.toml:1: unknown key "account-id"`},
		{"data = \"a\"\ndata = \"b\"", `arca.toml:2: key "data" is already set on line 1`},
		{"listen = [\"a\"]", `arca.toml:1: listen takes one value, not an array`},
		{"listen = 127.0.0.1:8700", `arca.toml:1: the value of listen must be a quoted string, an integer, true or false`},
		{"listen", `arca.toml:1: expected = after the key listen`},
		{"listen =", `arca.toml:1: listen has no value`},
		{"listen = \"x", `arca.toml:1: the string of listen is not closed`},
		{"data = 'x", `arca.toml:1: the string of data is not closed with '`},
		{"data = \"\\q\"", `arca.toml:1: \q is not an escape of TOML`},
		{"data = \"\\u12\"", `arca.toml:1: a \u escape in the string of data needs 4 hex digits`},
		{"data = \"a\" \"b\"", `arca.toml:1: unexpected "\"b\"" after the value of data`},
		{"[server]\nlisten = \"x\"", `arca.toml:1: tables ([server]) are not part of the config file`},
		{"server.listen = \"x\"", `arca.toml:1: expected a key`},
		{"= \"x\"", `arca.toml:1: expected a key`},
		{"trusted-proxy = [\n\"10.0.0.1\"\n\"10.0.0.2\"]", `arca.toml:3: expected , or ] in the array of trusted-proxy`},
		{"trusted-proxy = [\"10.0.0.1\",\n", `arca.toml:2: the array of trusted-proxy (line 1) is not closed with ]`},
		{"trusted-proxy = [\"nope\"]", `arca.toml:1: trusted-proxy: trusted proxy "nope" is neither`},
		{"\nupstream-timeout = 30", `arca.toml:2: upstream-timeout: time: missing unit in duration "30"`},
		{"audit-log-keep = \"many\"", `arca.toml:1: audit-log-keep: strconv.Atoi: parsing "many"`},
		{"audit-log-stdout = yes", `arca.toml:1: the value of audit-log-stdout must be`},
		{"external-connection = [\"public:npmjs\"]", `arca.toml:1: external-connection: external connection "public:npmjs" is not NAME=URL`},
		{"data = \"\x01\"", `arca.toml:1: a control character in the string of data`},
		{"data = \"\xff\"", `arca.toml:1: the file is not UTF-8`},
	} {
		c := Defaults()
		err := c.fromText("arca.toml", tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one containing %q", tc.text, err, tc.want)
		}
	}
}

func TestFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "arca.toml")
	if err := os.WriteFile(path, []byte("region = \"ap-southeast-2\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Defaults()
	if err := c.FromFile(path); err != nil || c.Region != "ap-southeast-2" {
		t.Errorf("FromFile: %v, region %q", err, c.Region)
	}
	if err := c.FromFile(path + ".missing"); err == nil || !strings.Contains(err.Error(), "arca.toml.missing") {
		t.Errorf("a missing file: %v", err)
	}
}

// TestPrecedence: defaults, then the file, then the environment, then the
// flags; external connections merge by name across the sources.
func TestPrecedence(t *testing.T) {
	c := Defaults()
	if err := c.fromText("f", `
listen = "127.0.0.1:1111"
data = "from-file"
region = "eu-west-1"
log-format = "json"
external-connection = ["public:npmjs=http://file.test/npm/", "public:pypi=http://file.test/pypi/"]
`); err != nil {
		t.Fatal(err)
	}
	if err := c.FromEnv(env(map[string]string{
		EnvData: "from-env", EnvRegion: "eu-west-2",
		EnvExternalConnections: "public:pypi=http://env.test/pypi/",
	})); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("region", "eu-west-3"); err != nil {
		t.Fatal(err)
	}
	if err := c.Set("external-connection", "public:maven-central=http://flag.test/maven/"); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, check := range []struct{ what, got, want string }{
		{"listen (file only)", c.Listen, "127.0.0.1:1111"},
		{"log-format (file only)", c.LogFormat, "json"},
		{"data (file, then env)", c.Data, "from-env"},
		{"region (file, env, flag)", c.Region, "eu-west-3"},
		{"upstream-timeout (default)", c.UpstreamTimeout.String(), "30s"},
		{"npmjs (file)", c.ExternalConnections["public:npmjs"], "http://file.test/npm/"},
		{"pypi (file, then env)", c.ExternalConnections["public:pypi"], "http://env.test/pypi/"},
		{"maven-central (flag)", c.ExternalConnections["public:maven-central"], "http://flag.test/maven/"},
	} {
		if check.got != check.want {
			t.Errorf("%s = %q, want %q", check.what, check.got, check.want)
		}
	}
}

func TestSet(t *testing.T) {
	c := Defaults()
	if err := c.Set("audit-log-max-size", "1G"); err != nil || c.AuditLogMaxSize != 1<<30 {
		t.Errorf("Set audit-log-max-size 1G: %v, %d", err, c.AuditLogMaxSize)
	}
	if err := c.Set("audit-log-keep", "x"); err == nil || !strings.HasPrefix(err.Error(), "--audit-log-keep: ") {
		t.Errorf("a bad flag value: %v, want an error naming the flag", err)
	}
	if err := c.Set("nope", "x"); err == nil {
		t.Error("an unknown flag was set")
	}
}

func TestTLSSettings(t *testing.T) {
	c := Defaults()
	c.TLSCert = "cert.pem"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--tls-cert and --tls-key") {
		t.Errorf("a certificate without a key: %v", err)
	}
	c.TLSKey = "key.pem"
	c.Listen = "0.0.0.0:8443"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "https://localhost:8443" {
		t.Errorf("the default public URL with TLS is %q, want https://localhost:8443", c.PublicURL)
	}
}

// FuzzFile: no file makes the parser panic, and what it accepts it
// accepts again the same way.
func FuzzFile(f *testing.F) {
	f.Add("listen = \"127.0.0.1:8700\"\n")
	f.Add("external-connection = [\n  \"public:npmjs=http://h/\", # c\n]\naudit-log-keep = 1_0\n")
	f.Add("data = 'x' \"y\"")
	f.Fuzz(func(t *testing.T, text string) {
		a, b := Defaults(), Defaults()
		errA, errB := a.fromText("f", text), b.fromText("f", text)
		if (errA == nil) != (errB == nil) || (errA == nil && !reflect.DeepEqual(a, b)) {
			t.Fatalf("two parses of %q differ", text)
		}
	})
}
