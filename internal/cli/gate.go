package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
	"github.com/spf13/cobra"

	"github.com/arcahq/arca/internal/pkggroup"
)

// The arca gate commands configure the release-age gate of package groups
// (an Arca extension of the control plane, at /v1/release-gate*), signed
// with SigV4 like every control-plane call.

func (a *App) gateCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "gate",
		Short: "Configure the release-age gate of package groups",
		Long: `The release-age gate holds back versions that enter a domain through an
external connection until they are old enough: per package group, inherited
from the nearest ancestor group with a setting, versions published less than
--min-age ago, or after --cut-off, are absent from every document clients
resolve from, and downloading one is refused with when it was published and
when it becomes available. Versions already held in a repository are not
affected. arca gate allow lets one version (or a package) through.`,
	}
	cmd.AddCommand(a.gateSetCommand(), a.gateShowCommand(), a.gateUnsetCommand(),
		a.gateAllowCommand(false), a.gateAllowCommand(true), a.gateHeldCommand())
	return cmd
}

// bindGate binds the flags that find the server and the domain.
func bindGate(cmd *cobra.Command, f *Flags) {
	bindCommon(cmd.Flags(), f)
	cmd.Flags().MarkHidden("duration-seconds")
}

func (a *App) gateSetCommand() *cobra.Command {
	var f Flags
	var group, minAge, cutoff, missing string
	cmd := &cobra.Command{
		Use:   "set --domain DOMAIN --package-group GROUP [--min-age 72h] [--cutoff 2026-09-15T00:00Z] [--missing-time block|allow]",
		Short: "Set a package group's release-age gate",
		Long: `Set a package group's own gate, replacing the one it had (flags left out
take their defaults: no minimum age, no cut-off, missing times blocked).
--min-age takes Go durations and days: 72h, 3d, 90m. --cutoff holds back
everything published after it. --missing-time says what to do with a version
whose registry gives no publish time: block (the default: fail closed) or
allow. A gate with neither --min-age nor --cutoff turns the gate off for the
group and the groups below it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			body := map[string]any{}
			if minAge != "" {
				d, err := parseAge(minAge)
				if err != nil {
					return err
				}
				body["minimumAgeSeconds"] = int64(d / time.Second)
			}
			if cutoff != "" {
				t, err := pkggroup.ParseCutoff(cutoff)
				if err != nil {
					return errors.New(strings.TrimPrefix(err.Error(), "Validation: "))
				}
				body["cutoff"] = t.Format(time.RFC3339)
			}
			switch strings.ToLower(missing) {
			case "", "block":
				body["missingTime"] = "BLOCK"
			case "allow":
				body["missingTime"] = "ALLOW"
			default:
				return fmt.Errorf("--missing-time must be block or allow, not %q", missing)
			}
			b, _ := json.Marshal(body)
			return a.gateOf(cmd.Context(), f, http.MethodPut, group, b)
		},
	}
	bindGate(cmd, &f)
	cmd.Flags().StringVar(&group, "package-group", "", "the package group's definition, as /npm/*")
	cmd.Flags().StringVar(&minAge, "min-age", "", "minimum age of a version: 72h, 3d")
	cmd.Flags().StringVar(&cutoff, "cutoff", "", "hold back everything published after this time: 2026-09-15T00:00Z")
	cmd.Flags().StringVar(&missing, "missing-time", "block", "a version without a publish time: block or allow")
	return cmd
}

func (a *App) gateShowCommand() *cobra.Command {
	var f Flags
	var group string
	cmd := &cobra.Command{
		Use:   "show --domain DOMAIN [--package-group GROUP]",
		Short: "Show a group's gate, or every gate and break-glass entry of a domain",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if group != "" {
				return a.gateOf(cmd.Context(), f, http.MethodGet, group, nil)
			}
			var out struct {
				ReleaseGates    []gateDescription
				AllowedVersions []struct {
					Format, Namespace, Package, Version, CreatedBy string
					CreatedTime                                    float64
				}
			}
			if err := a.gateCall(cmd.Context(), f, http.MethodGet, "/v1/release-gates", nil, nil, &out); err != nil {
				return err
			}
			if len(out.ReleaseGates) == 0 {
				fmt.Fprintln(a.Stdout, "No package group has a release-age gate.")
			}
			for _, g := range out.ReleaseGates {
				g.print(a.Stdout)
			}
			if len(out.AllowedVersions) > 0 {
				fmt.Fprintln(a.Stdout, "\nLet through (break-glass):")
				tw := tabwriter.NewWriter(a.Stdout, 0, 4, 2, ' ', 0)
				for _, e := range out.AllowedVersions {
					v := e.Version
					if v == "" {
						v = "(every version)"
					}
					fmt.Fprintf(tw, "  %s\t%s\t%s\tby %s at %s\n", e.Format, packageName(e.Format, e.Namespace, e.Package), v, e.CreatedBy, stampOf(e.CreatedTime))
				}
				tw.Flush()
			}
			return nil
		},
	}
	bindGate(cmd, &f)
	cmd.Flags().StringVar(&group, "package-group", "", "the package group's definition (default: every group with a gate)")
	return cmd
}

func (a *App) gateUnsetCommand() *cobra.Command {
	var f Flags
	var group string
	cmd := &cobra.Command{
		Use:   "unset --domain DOMAIN --package-group GROUP",
		Short: "Remove a package group's own gate: it inherits again",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.gateOf(cmd.Context(), f, http.MethodDelete, group, nil)
		},
	}
	bindGate(cmd, &f)
	cmd.Flags().StringVar(&group, "package-group", "", "the package group's definition, as /npm/*")
	return cmd
}

// packageFlags are the flags naming a package.
type packageFlags struct{ format, namespace, name string }

func (p *packageFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&p.format, "format", "", "package format: npm, pypi, maven, ...")
	cmd.Flags().StringVar(&p.namespace, "namespace", "", "npm scope (without @) or Maven group id")
	cmd.Flags().StringVar(&p.name, "package", "", "package name")
}

func (p *packageFlags) query() url.Values {
	q := url.Values{"format": {p.format}, "package": {p.name}}
	if p.namespace != "" {
		q.Set("namespace", strings.TrimPrefix(p.namespace, "@"))
	}
	return q
}

func (a *App) gateAllowCommand(undo bool) *cobra.Command {
	var f Flags
	var p packageFlags
	var version string
	use, short, method := "allow", "Let a held version (or every version of a package) through the gate", http.MethodPost
	if undo {
		use, short, method = "disallow", "Remove a break-glass entry", http.MethodDelete
	}
	cmd := &cobra.Command{
		Use:   use + " --domain DOMAIN --format FORMAT [--namespace NS] --package NAME [--version VERSION]",
		Short: short,
		Long: short + `. Without --version the entry covers every version of
the package. The call is authorized as arca:AllowHeldVersion (or
arca:DisallowHeldVersion) on the package's group and is in the audit log.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := p.query()
			if version != "" {
				q.Set("version", version)
			}
			if err := a.gateCall(cmd.Context(), f, method, "/v1/release-gate/allowed-version", q, nil, nil); err != nil {
				return err
			}
			what := "every version of " + packageName(p.format, p.namespace, p.name)
			if version != "" {
				what = packageName(p.format, p.namespace, p.name) + " " + version
			}
			if undo {
				fmt.Fprintf(a.Stdout, "%s is no longer let through the release-age gate of domain %s.\n", what, f.Domain)
			} else {
				fmt.Fprintf(a.Stdout, "%s is let through the release-age gate of domain %s.\n", what, f.Domain)
			}
			return nil
		},
	}
	bindGate(cmd, &f)
	p.bind(cmd)
	cmd.Flags().StringVar(&version, "version", "", "the version (default: every version)")
	return cmd
}

func (a *App) gateHeldCommand() *cobra.Command {
	var f Flags
	var p packageFlags
	cmd := &cobra.Command{
		Use:   "held --domain DOMAIN --repository REPO --format FORMAT [--namespace NS] --package NAME",
		Short: "List the versions of a package the gate holds back from a repository",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := p.query()
			q.Set("repository", f.Repository)
			var out struct {
				HeldVersions []struct {
					Version, PackageGroup, Reason string
					PublishedTime, AvailableTime  float64
				}
			}
			if err := a.gateCall(cmd.Context(), f, http.MethodGet, "/v1/release-gate/held-versions", q, nil, &out); err != nil {
				return err
			}
			if len(out.HeldVersions) == 0 {
				fmt.Fprintf(a.Stdout, "No version of %s is held back from %s.\n", packageName(p.format, p.namespace, p.name), f.Repository)
				return nil
			}
			tw := tabwriter.NewWriter(a.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VERSION\tPUBLISHED\tAVAILABLE\tGROUP")
			for _, h := range out.HeldVersions {
				avail := stampOf(h.AvailableTime)
				if h.AvailableTime == 0 {
					avail = "not while the gate stays"
				}
				published := stampOf(h.PublishedTime)
				if h.PublishedTime == 0 {
					published = "unknown"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.Version, published, avail, h.PackageGroup)
			}
			return tw.Flush()
		},
	}
	bindGate(cmd, &f)
	p.bind(cmd)
	cmd.Flags().StringVar(&f.Repository, "repository", "", "repository name")
	return cmd
}

// gateDescription is the API's releaseGate.
type gateDescription struct {
	PackageGroup  struct{ Pattern string }
	Own           *gateSettings
	Effective     *gateSettings
	InheritedFrom *struct{ Pattern string }
}

type gateSettings struct {
	MinimumAgeSeconds int64
	Cutoff            string
	MissingTime       string
}

func (s *gateSettings) String() string {
	parts := []string{"minimum age " + pkggroup.FormatAge(time.Duration(s.MinimumAgeSeconds)*time.Second)}
	if s.Cutoff != "" {
		parts = append(parts, "cut-off "+s.Cutoff)
	}
	return strings.Join(append(parts, "missing time "+strings.ToLower(s.MissingTime)), ", ")
}

func (g gateDescription) print(w io.Writer) {
	switch {
	case g.Effective == nil && g.Own != nil:
		fmt.Fprintf(w, "%s: gate off (%s)\n", g.PackageGroup.Pattern, g.Own)
	case g.Effective == nil:
		fmt.Fprintf(w, "%s: no release-age gate\n", g.PackageGroup.Pattern)
	case g.InheritedFrom != nil:
		fmt.Fprintf(w, "%s: %s (inherited from %s)\n", g.PackageGroup.Pattern, g.Effective, g.InheritedFrom.Pattern)
	default:
		fmt.Fprintf(w, "%s: %s\n", g.PackageGroup.Pattern, g.Effective)
	}
}

func packageName(format, namespace, name string) string {
	switch {
	case namespace == "":
		return name
	case format == "npm":
		return "@" + strings.TrimPrefix(namespace, "@") + "/" + name
	}
	return namespace + ":" + name
}

func stampOf(epoch float64) string {
	return time.UnixMilli(int64(epoch * 1000)).UTC().Format(time.RFC3339)
}

// parseAge reads a minimum age: a Go duration (72h, 90m) or whole days
// (3d).
func parseAge(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n >= 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("--min-age %q is not a duration: write it as 72h, 3d or 90m", s)
	}
	return d, nil
}

// gateCall sends one signed control-plane request for the resolved domain
// and decodes the JSON answer into out (nil: ignore it).
func (a *App) gateCall(ctx context.Context, f Flags, method, path string, q url.Values, body []byte, out any) error {
	r, err := a.resolve(f, false)
	if err != nil {
		return err
	}
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	s, err := a.newSession(ctx, r.Settings)
	if err != nil {
		return err
	}
	if q == nil {
		q = url.Values{}
	}
	q.Set("domain", r.Domain)
	if r.Owner != "" {
		q.Set("domain-owner", r.Owner)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.endpoint+path+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	creds, err := s.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		if _, perr := s.principal(ctx); perr != nil {
			return perr
		}
		return err
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "codeartifact", s.cfg.Region, a.now()); err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s.explain(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 10<<20))
	if err != nil {
		return s.explain(err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(b, &e) != nil || e.Type == "" {
			return fmt.Errorf("%s does not look like an Arca endpoint: it answered HTTP %d", s.endpoint, resp.StatusCode)
		}
		return s.explain(&smithy.GenericAPIError{Code: e.Type, Message: e.Message})
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s answered %s with something that is not its JSON: %v", s.endpoint, path, err)
	}
	return nil
}

// gateOf sends method to the release-gate resource of group (with body,
// when not nil) and prints the gate the server answers with.
func (a *App) gateOf(ctx context.Context, f Flags, method, group string, body []byte) error {
	var out struct{ ReleaseGate gateDescription }
	if err := a.gateCall(ctx, f, method, "/v1/release-gate", url.Values{"package-group": {group}}, body, &out); err != nil {
		return err
	}
	out.ReleaseGate.print(a.Stdout)
	return nil
}
