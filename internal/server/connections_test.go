package server

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/arcahq/arca/internal/catalog"
	"github.com/arcahq/arca/internal/config"
)

// At start the server lists the associated connections that have no URL
// (and would warn about a URL for a connection of a format without a
// registry client, of which there is none left).
func TestStartWarnsAboutConnectionsThatFetchNothing(t *testing.T) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.Data = t.TempDir()
	if err := os.Chmod(cfg.Data, 0o700); err != nil { // else the start warns that it was open
		t.Fatal(err)
	}
	cfg.AuditLog = config.AuditOff
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	start := func(cfg config.Config, associate bool) string {
		t.Helper()
		var logs bytes.Buffer
		s, err := New(ctx, cfg, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if associate {
			cat := catalog.New(s.store, cfg.Region, time.Now, s.formats)
			d := catalog.DomainRef{Owner: s.Root.AccountID, Name: "my-domain"}
			if _, err := cat.CreateDomain(ctx, d, "", nil); err != nil {
				t.Fatal(err)
			}
			for name, conn := range map[string]string{"npm-store": "public:npmjs", "pypi-store": "public:pypi", "maven-store": "public:maven-central"} {
				ref := catalog.RepositoryRef{DomainRef: d, Name: name}
				if _, err := cat.CreateRepository(ctx, ref, s.Root.AccountID, "", nil, nil); err != nil {
					t.Fatal(err)
				}
				if _, err := cat.AssociateExternalConnection(ctx, ref, conn); err != nil {
					t.Fatal(err)
				}
			}
		}
		s.Close()
		return logs.String()
	}
	if logs := start(cfg, true); strings.Contains(logs, "WARN") {
		t.Errorf("a first start with nothing associated warned:\n%s", logs)
	}
	cfg.ExternalConnections = map[string]string{"public:npmjs": "http://127.0.0.1:1/", "public:ruby-gems-org": "http://127.0.0.1:1/"}
	logs := start(cfg, false)
	// Every format with external connections has a registry client now:
	// no URL is ignored.
	if strings.Contains(logs, "URL ignored") {
		t.Errorf("a URL of a connection with a client was reported ignored:\n%s", logs)
	}
	for _, want := range []string{
		`level=WARN msg="external connections associated with repositories have no registry URL configured`,
		`connections=public:maven-central,public:pypi`,
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("the start's log does not say %s\n%s", want, logs)
		}
	}
}
