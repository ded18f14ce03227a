package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A setting is one key of the server's configuration, the same in every
// source: the flag --Key of `arca serve`, the key Key of the config file
// and the environment variable Env. A list setting is a repeatable flag,
// an array in the file and a comma-separated variable; each of its values
// is applied in turn, so a list adds to what an earlier source gave (an
// external connection is keyed by name: a later source's URL for a name
// wins). A setting with no Key is an environment variable only.
type setting struct {
	Key   string
	Env   string
	List  bool
	apply func(c *Config, v string) error
}

// settings are all the keys, in the order `arca serve --help` and the
// README list them.
var settings = []setting{
	{Key: "listen", Env: EnvListen, apply: text(func(c *Config) *string { return &c.Listen })},
	{Key: "data", Env: EnvData, apply: text(func(c *Config) *string { return &c.Data })},
	{Key: "database", Env: EnvDatabase, apply: text(func(c *Config) *string { return &c.Database })},
	{Key: "blobs", Env: EnvBlobs, apply: text(func(c *Config) *string { return &c.Blobs })},
	{Key: "region", Env: EnvRegion, apply: text(func(c *Config) *string { return &c.Region })},
	{Key: "public-url", Env: EnvPublicURL, apply: text(func(c *Config) *string { return &c.PublicURL })},
	{Key: "tls-cert", Env: EnvTLSCert, apply: text(func(c *Config) *string { return &c.TLSCert })},
	{Key: "tls-key", Env: EnvTLSKey, apply: text(func(c *Config) *string { return &c.TLSKey })},
	{Key: "master-key-file", Env: EnvMasterKeyFile, apply: text(func(c *Config) *string { return &c.MasterKeyFile })},
	{Key: "external-connection", Env: EnvExternalConnections, List: true, apply: (*Config).AddExternalConnection},
	{Key: "upstream-timeout", Env: EnvUpstreamTimeout, apply: parsed(time.ParseDuration, func(c *Config) *time.Duration { return &c.UpstreamTimeout })},
	{Key: "event-max-attempts", Env: EnvEventMaxAttempts, apply: parsed(strconv.Atoi, func(c *Config) *int { return &c.EventMaxAttempts })},
	{Key: "event-retry-backoff", Env: EnvEventRetryBackoff, apply: parsed(time.ParseDuration, func(c *Config) *time.Duration { return &c.EventRetryBackoff })},
	{Key: "event-timeout", Env: EnvEventTimeout, apply: parsed(time.ParseDuration, func(c *Config) *time.Duration { return &c.EventTimeout })},
	{Key: "trusted-proxy", Env: EnvTrustedProxies, List: true, apply: (*Config).AddTrustedProxy},
	{Key: "log-format", Env: EnvLogFormat, apply: text(func(c *Config) *string { return &c.LogFormat })},
	{Key: "metrics", Env: EnvMetrics, apply: text(func(c *Config) *string { return &c.Metrics })},
	{Key: "debug-listen", Env: EnvDebugListen, apply: text(func(c *Config) *string { return &c.DebugListen })},
	{Key: "max-connections", Env: EnvMaxConnections, apply: parsed(strconv.Atoi, func(c *Config) *int { return &c.MaxConnections })},
	{Key: "min-body-rate", Env: EnvMinBodyRate, apply: parsed(ParseSize, func(c *Config) *int64 { return &c.MinBodyRate })},
	{Key: "throttle", Env: EnvThrottle, apply: parsed(ParseThrottle, func(c *Config) *float64 { return &c.Throttle })},
	{Key: "max-requests-per-client", Env: EnvMaxRequestsPerClient, apply: parsed(strconv.Atoi, func(c *Config) *int { return &c.MaxRequestsPerClient })},
	{Key: "buffer-budget", Env: EnvBufferBudget, apply: parsed(ParseSize, func(c *Config) *int64 { return &c.BufferBudget })},
	{Key: "audit-log", Env: EnvAuditLog, apply: text(func(c *Config) *string { return &c.AuditLog })},
	{Key: "audit-log-max-size", Env: EnvAuditLogMaxSize, apply: parsed(ParseSize, func(c *Config) *int64 { return &c.AuditLogMaxSize })},
	{Key: "audit-log-keep", Env: EnvAuditLogKeep, apply: parsed(strconv.Atoi, func(c *Config) *int { return &c.AuditLogKeep })},
	{Key: "audit-log-min-age", Env: EnvAuditLogMinAge, apply: parsed(time.ParseDuration, func(c *Config) *time.Duration { return &c.AuditLogMinAge })},
	{Key: "audit-log-stdout", Env: EnvAuditLogStdout, apply: parsed(strconv.ParseBool, func(c *Config) *bool { return &c.AuditLogStdout })},
	{Key: "audit-data-events", Env: EnvAuditDataEvents, List: true, apply: (*Config).AddAuditDataEvents},
	{Key: "cache-bytes", Env: EnvCacheBytes, apply: parsed(ParseSize, func(c *Config) *int64 { return &c.CacheBytes })},
	{Env: EnvAccountID, apply: text(func(c *Config) *string { return &c.AccountID })},
	{Env: EnvRootAccessKeyID, apply: text(func(c *Config) *string { return &c.RootAccessKeyID })},
	{Env: EnvRootSecretKey, apply: text(func(c *Config) *string { return &c.RootSecretKey })},
	{Env: EnvMasterKey, apply: text(func(c *Config) *string { return &c.MasterKey })},
}

func text(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *field(c) = v; return nil }
}

// parsed sets the field to the value parse makes of the setting.
func parsed[T any](parse func(string) (T, error), field func(*Config) *T) func(*Config, string) error {
	return func(c *Config, v string) (err error) {
		*field(c), err = parse(v)
		return err
	}
}

func lookupKey(key string) (setting, bool) {
	for _, s := range settings {
		if s.Key != "" && s.Key == key {
			return s, true
		}
	}
	return setting{}, false
}

// Keys returns the keys of the config file, which are also the names of
// the flags of `arca serve` that Set takes, sorted.
func Keys() []string {
	var keys []string
	for _, s := range settings {
		if s.Key != "" {
			keys = append(keys, s.Key)
		}
	}
	sort.Strings(keys)
	return keys
}

// Set applies a flag of `arca serve`: the values of a repeatable flag in
// turn, the one value of any other. An error names the flag.
func (c *Config) Set(key string, values ...string) error {
	s, ok := lookupKey(key)
	if !ok {
		return fmt.Errorf("--%s is not a setting", key)
	}
	for _, v := range values {
		if err := s.apply(c, v); err != nil {
			return fmt.Errorf("--%s: %w", key, err)
		}
	}
	return nil
}

// FromEnv applies the ARCA_* variables found by lookup (os.LookupEnv). A
// list variable holds comma-separated values; an empty one adds none.
func (c *Config) FromEnv(lookup func(string) (string, bool)) error {
	for _, s := range settings {
		v, ok := lookup(s.Env)
		if !ok {
			continue
		}
		values := []string{v}
		if s.List {
			values = nil
			if strings.TrimSpace(v) != "" {
				for _, item := range strings.Split(v, ",") {
					values = append(values, strings.TrimSpace(item))
				}
			}
		}
		for _, item := range values {
			if err := s.apply(c, item); err != nil {
				return fmt.Errorf("%s: %w", s.Env, err)
			}
		}
	}
	return nil
}

// ParseThrottle reads a --throttle value: "off" (0), "codeartifact" (1:
// CodeArtifact's own quotas) or a multiple of them such as "10".
func ParseThrottle(v string) (float64, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "off":
		return 0, nil
	case "codeartifact":
		return 1, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f > 1e6 {
		return 0, fmt.Errorf("throttle %q is not off, codeartifact or a multiple of CodeArtifact's quotas such as 10", v)
	}
	return f, nil
}
