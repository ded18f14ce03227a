// Command arca is Arca: `arca serve` runs the artifact repository server;
// `arca admin` administers a server's accounts and `arca token` inspects
// and revokes authorization tokens (package internal/admin);
// `arca login`, `arca credential`, `arca env`, `arca exec` and `arca
// profile` are the client side (package internal/cli).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/arcahq/arca/internal/admin"
	"github.com/arcahq/arca/internal/cli"
	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/middleware"
	"github.com/arcahq/arca/internal/server"
)

func main() {
	app := cli.NewApp()
	if cli.IsCargoPlugin(os.Args[1:]) {
		// cargo runs its credential provider as `arca --cargo-plugin`.
		os.Exit(app.CargoPlugin(context.Background()))
	}
	root := &cobra.Command{
		Use:           "arca",
		Short:         "A self-hosted artifact repository that speaks AWS CodeArtifact's protocols",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCommand())
	root.AddCommand(admin.Command(os.Stdout, os.Stderr))
	root.AddCommand(admin.TokenCommand(os.Stdout, os.Stderr))
	root.AddCommand(app.Commands()...)
	if err := root.Execute(); err != nil {
		if msg := cli.Message(err); msg != "" {
			fmt.Fprintln(os.Stderr, "arca:", msg)
		}
		os.Exit(cli.ExitCode(err))
	}
}

func serveCommand() *cobra.Command {
	defaults := config.Defaults()
	var flags struct {
		listen, data, region, publicURL, logFormat, debugListen string
		connections, trustedProxies                             []string
		upstreamTimeout                                         time.Duration
		audit                                                   auditFlagValues
		limits                                                  limitFlagValues
	}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server",
		Long: `Run the Arca server: the CodeArtifact control plane under /v1/ and the
repository endpoints under /{domain}-{owner}/{format}/{repository}/.

Every flag has an ARCA_* environment variable; a flag wins over its variable.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg := config.Defaults()
			if err := cfg.FromEnv(os.LookupEnv); err != nil {
				return err
			}
			set := func(name string, dst *string, v string) {
				if cmd.Flags().Changed(name) {
					*dst = v
				}
			}
			set("listen", &cfg.Listen, flags.listen)
			set("data", &cfg.Data, flags.data)
			set("region", &cfg.Region, flags.region)
			set("public-url", &cfg.PublicURL, flags.publicURL)
			set("log-format", &cfg.LogFormat, flags.logFormat)
			set("debug-listen", &cfg.DebugListen, flags.debugListen)
			if err := auditFlags(cmd, &cfg, &flags.audit); err != nil {
				return err
			}
			if err := limitFlags(cmd, &cfg, &flags.limits); err != nil {
				return err
			}
			if cmd.Flags().Changed("upstream-timeout") {
				cfg.UpstreamTimeout = flags.upstreamTimeout
			}
			for _, p := range flags.trustedProxies {
				if err := cfg.AddTrustedProxy(p); err != nil {
					return err
				}
			}
			for _, pair := range flags.connections {
				if err := cfg.AddExternalConnection(pair); err != nil {
					return err
				}
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			return serve(cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&flags.listen, "listen", defaults.Listen, "host:port to listen on ("+config.EnvListen+")")
	f.StringVar(&flags.data, "data", defaults.Data, "data directory ("+config.EnvData+")")
	f.StringVar(&flags.region, "region", defaults.Region, "region used in ARNs ("+config.EnvRegion+")")
	f.StringVar(&flags.publicURL, "public-url", "", "base URL clients use; default http://<listen address> ("+config.EnvPublicURL+")")
	f.StringArrayVar(&flags.connections, "external-connection", nil, "NAME=URL of the registry behind an external connection; repeatable ("+config.EnvExternalConnections+": comma-separated)")
	f.DurationVar(&flags.upstreamTimeout, "upstream-timeout", defaults.UpstreamTimeout, "how long a request waits for a public registry ("+config.EnvUpstreamTimeout+")")
	f.StringArrayVar(&flags.trustedProxies, "trusted-proxy", nil, "CIDR block or address of a reverse proxy whose X-Forwarded-For is believed; repeatable ("+config.EnvTrustedProxies+": comma-separated)")
	f.StringVar(&flags.logFormat, "log-format", defaults.LogFormat, "log format: text or json ("+config.EnvLogFormat+")")
	f.StringVar(&flags.debugListen, "debug-listen", "", "loopback ip:port serving Go profiles at /debug/pprof/; off by default ("+config.EnvDebugListen+")")
	addAuditFlags(cmd, &flags.audit)
	addLimitFlags(cmd, &flags.limits)
	return cmd
}

func serve(cfg config.Config) error {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	if cfg.DebugListen == "" {
		// Heap profiles are served only with --debug-listen; without
		// it their sampling buckets are memory for nothing.
		runtime.MemProfileRate = 0
	}
	json := cfg.LogFormat == "json"
	var h slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if json {
		h = slog.NewJSONHandler(os.Stderr, nil)
	}
	log := slog.New(h)
	// The access log's lines are batched; the server's own messages
	// (start, errors, shutdown) go out at once.
	accessOut := middleware.NewLogWriter(os.Stderr)
	defer accessOut.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.New(ctx, cfg, log, server.WithAccessLog(middleware.NewAccessLog(accessOut, json)))
	if err != nil {
		return err
	}
	defer srv.Close()
	if cfg.DebugListen != "" {
		go serveProfiles(cfg.DebugListen, log)
	}
	if srv.RootCreated {
		printRootCredentials(cfg, srv.Root)
	}
	return srv.Serve(ctx)
}

// printRootCredentials tells the operator, once, how to use the generated
// root credentials. They are not logged: they go to the terminal only.
func printRootCredentials(cfg config.Config, r identity.Root) {
	path, _ := filepath.Abs(filepath.Join(cfg.Data, identity.RootFile))
	fmt.Fprintf(os.Stderr, `
Arca generated root credentials for account %s and keeps them in
%s (mode 0600). Use them with the AWS CLI:

  export AWS_ACCESS_KEY_ID=%s
  export AWS_SECRET_ACCESS_KEY=%s
  export AWS_DEFAULT_REGION=%s
  aws codeartifact list-domains --endpoint-url %s

This message is shown once.

`, r.AccountID, path, r.AccessKeyID, r.SecretAccessKey, cfg.Region, cfg.PublicURL)
}

// gcPercent is the server's garbage collection target unless GOGC says
// otherwise: the heap may grow to five times what is live before a
// collection. Arca's live heap is a few megabytes of bounded caches, so
// this costs some megabytes under load, given back when the server goes
// quiet (server.trimWhenIdle), and saves a tenth of the CPU a small
// download costs (measured with wrk on a 10 KB jar: 29.9 µs at GOGC=100,
// 26.4 µs at 400).
const gcPercent = 400

// serveProfiles serves the runtime's profiles (net/http/pprof) on a
// loopback address of their own, never on the public listener.
func serveProfiles(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("serving profiles", slog.String("address", "http://"+addr+"/debug/pprof/"))
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		log.Error("profiles", slog.Any("error", err))
	}
}
