// Command arca is Arca: `arca serve` runs the artifact repository server;
// `arca backup` and `arca restore` copy its data directory out and back
// (package backup); `arca admin` administers a server's accounts and `arca token` inspects
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
	"runtime/metrics"
	"strconv"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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
	if cli.IsNuGetPlugin(os.Args[1:]) {
		// NuGet runs its credential provider plugins as `arca -Plugin`
		// (arca exec --tool nuget|dotnet points it at arca).
		os.Exit(app.NuGetPlugin(context.Background()))
	}
	root := &cobra.Command{
		Use:           "arca",
		Short:         "A self-hosted artifact repository that speaks AWS CodeArtifact's protocols",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildVersion(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(versionCommand(os.Stdout))
	root.AddCommand(serveCommand())
	root.AddCommand(admin.Command(os.Stdout, os.Stderr))
	root.AddCommand(admin.TokenCommand(os.Stdout, os.Stderr))
	root.AddCommand(backupCommand(os.Stdout), restoreCommand(os.Stdout))
	root.AddCommand(app.Commands()...)
	if err := root.Execute(); err != nil {
		if msg := cli.Message(err); msg != "" {
			fmt.Fprintln(os.Stderr, "arca:", msg)
		}
		os.Exit(cli.ExitCode(err))
	}
}

func serveCommand() *cobra.Command {
	d := config.Defaults()
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server",
		Long: `Run the Arca server: the CodeArtifact control plane under /v1/ and the
repository endpoints under /{domain}-{owner}/{format}/{repository}/.

Every flag is also a key of the config file (--config) and an ARCA_*
environment variable. Each source overrides the one before: defaults, the
config file, the environment, the flags.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := serveConfig(cmd.Flags(), os.LookupEnv)
			if err != nil {
				return err
			}
			return serve(cfg)
		},
	}
	f := cmd.Flags()
	f.String("config", "", "config file (TOML subset): key = value lines, the keys being these flags' names ("+config.EnvConfig+")")
	f.String("listen", d.Listen, "host:port to listen on ("+config.EnvListen+")")
	f.String("data", d.Data, "data directory ("+config.EnvData+")")
	f.String("database", "", "where the metadata goes: postgres://USER@HOST:PORT/DB[?sslmode=...], shared by replicas; default SQLite in the data directory ("+config.EnvDatabase+")")
	f.String("blobs", "", "where package bytes go: s3://BUCKET[/PREFIX]?endpoint=URL&region=R[&redirect=SIZE]; default the data directory ("+config.EnvBlobs+")")
	f.String("master-key-file", "", "file holding the master key that encrypts the secrets in the database (base64 of 32 bytes); default <data>/master.key, made on first start; "+config.EnvMasterKey+" (the key itself) wins ("+config.EnvMasterKeyFile+")")
	f.String("region", d.Region, "region used in ARNs ("+config.EnvRegion+")")
	f.String("public-url", "", "base URL clients use; default http://<listen address>, https:// with TLS ("+config.EnvPublicURL+")")
	f.String("tls-cert", "", "PEM certificate (chain) file: serve HTTPS; reloaded on SIGHUP ("+config.EnvTLSCert+")")
	f.String("tls-key", "", "PEM private key file of --tls-cert; reloaded on SIGHUP ("+config.EnvTLSKey+")")
	f.StringArray("external-connection", nil, "NAME=URL of the registry behind an external connection; repeatable ("+config.EnvExternalConnections+": comma-separated)")
	f.Duration("upstream-timeout", d.UpstreamTimeout, "how long a request waits for a public registry ("+config.EnvUpstreamTimeout+")")
	f.Int("event-max-attempts", d.EventMaxAttempts, "attempts to deliver an event to a webhook before it is dead ("+config.EnvEventMaxAttempts+")")
	f.Duration("event-retry-backoff", d.EventRetryBackoff, "wait after an event delivery's first failed attempt, doubling after each further one up to 10m ("+config.EnvEventRetryBackoff+")")
	f.Duration("event-timeout", d.EventTimeout, "how long one event delivery attempt may take ("+config.EnvEventTimeout+")")
	f.StringArray("trusted-proxy", nil, "CIDR block or address of a reverse proxy whose X-Forwarded-For is believed; repeatable ("+config.EnvTrustedProxies+": comma-separated)")
	f.String("log-format", d.LogFormat, "log format: text or json ("+config.EnvLogFormat+")")
	f.String("metrics", d.Metrics, "who may read GET /metrics (Prometheus): loopback (clients on this host, not through a proxy), open, or off (no metrics kept) ("+config.EnvMetrics+")")
	f.String("debug-listen", "", "loopback ip:port serving Go profiles at /debug/pprof/ and runtime metrics at /debug/metrics; off by default ("+config.EnvDebugListen+")")
	f.Int("max-connections", d.MaxConnections, "connections served at once; more are answered 503 with Retry-After; 0 for no bound ("+config.EnvMaxConnections+")")
	f.String("min-body-rate", strconv.FormatInt(d.MinBodyRate>>10, 10)+"KiB", "slowest a request body may arrive, per second over 30-second windows, e.g. 10KiB; 0 for no minimum ("+config.EnvMinBodyRate+")")
	f.String("throttle", "10", "CodeArtifact's request quotas (per account, per token, per address) times this: codeartifact for its own numbers, off for none ("+config.EnvThrottle+")")
	f.Int("max-requests-per-client", d.MaxRequestsPerClient, "requests in flight at once from one client address, and from one principal; more are answered 429 with Retry-After; 0 for no bound ("+config.EnvMaxRequestsPerClient+")")
	f.String("buffer-budget", strconv.FormatInt(d.BufferBudget>>20, 10)+"MiB", "request bytes held in memory at once across all requests (a body counts for its length, up to 64MiB); beyond it requests wait 5s, then get 503 with Retry-After; 0 for no bound ("+config.EnvBufferBudget+")")
	f.String("audit-log", "", `audit log file; "-" for standard output only, "off" for none; default <data>/audit/audit.log (`+config.EnvAuditLog+")")
	f.String("audit-log-max-size", strconv.FormatInt(d.AuditLogMaxSize>>20, 10)+"MiB", "size at which the audit log file rotates, e.g. 100MiB ("+config.EnvAuditLogMaxSize+")")
	f.Int("audit-log-keep", d.AuditLogKeep, "rotated audit log files to keep ("+config.EnvAuditLogKeep+")")
	f.Duration("audit-log-min-age", d.AuditLogMinAge, "rotated audit log files younger than this are kept even beyond --audit-log-keep; 0 for none ("+config.EnvAuditLogMinAge+")")
	f.Bool("audit-log-stdout", false, "copy the audit log to standard output ("+config.EnvAuditLogStdout+")")
	f.StringArray("audit-data-events", nil, "package reads the audit log records (data events): all, none (the default), or DOMAIN/REPOSITORY; repeatable ("+config.EnvAuditDataEvents+": comma-separated)")
	f.String("cache-bytes", strconv.FormatInt(d.CacheBytes>>20, 10)+"MiB", "memory budget of all caches together (documents, version lookups, public registries' documents), e.g. 256MiB ("+config.EnvCacheBytes+")")
	return cmd
}

// serveConfig is the configuration of `arca serve`: the defaults, then the
// config file (--config, else ARCA_CONFIG), then the environment, then the
// flags that were given, validated.
func serveConfig(flags *pflag.FlagSet, lookup func(string) (string, bool)) (config.Config, error) {
	cfg := config.Defaults()
	path, _ := lookup(config.EnvConfig)
	if flags.Changed("config") {
		path, _ = flags.GetString("config")
	}
	if path != "" {
		if err := cfg.FromFile(path); err != nil {
			return cfg, err
		}
	}
	if err := cfg.FromEnv(lookup); err != nil {
		return cfg, err
	}
	var err error
	flags.Visit(func(f *pflag.Flag) {
		if f.Name == "config" || err != nil {
			return
		}
		values := []string{f.Value.String()}
		if list, ok := f.Value.(pflag.SliceValue); ok {
			values = list.GetSlice()
		}
		err = cfg.Set(f.Name, values...)
	})
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

func serve(cfg config.Config) error {
	if _, set := os.LookupEnv("GOGC"); !set {
		paceGC()
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
	if cfg.TLS() {
		// SIGHUP reloads the certificate (after a renewal), as it does for
		// most servers; without TLS it stops the server, as by default.
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for range hup {
				srv.ReloadCertificate() // logs a failure and keeps the old certificate
			}
		}()
	}
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

// serveProfiles serves the runtime's profiles (net/http/pprof) and its
// metrics (/debug/metrics) on a loopback address of their own, never on
// the public listener.
func serveProfiles(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/metrics", serveMetrics)
	log.Info("serving profiles", slog.String("address", "http://"+addr+"/debug/pprof/"))
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		log.Error("profiles", slog.Any("error", err))
	}
}

// serveMetrics writes every runtime/metrics figure with a single value
// (heap live, heap goal, released, stacks, GC CPU...), one "name value"
// a line: cheap enough to poll while a benchmark runs, and allocating
// too little to keep the idle trim from seeing a quiet server.
func serveMetrics(w http.ResponseWriter, _ *http.Request) {
	descs := metrics.All()
	samples := make([]metrics.Sample, len(descs))
	for i, d := range descs {
		samples[i].Name = d.Name
	}
	metrics.Read(samples)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	b := make([]byte, 0, 8<<10)
	for _, s := range samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			b = strconv.AppendUint(append(append(b, s.Name...), ' '), s.Value.Uint64(), 10)
		case metrics.KindFloat64:
			b = strconv.AppendFloat(append(append(b, s.Name...), ' '), s.Value.Float64(), 'g', -1, 64)
		default:
			continue // histograms: the profiles tell more
		}
		b = append(b, '\n')
	}
	w.Write(b)
}
