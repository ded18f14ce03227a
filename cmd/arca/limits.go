package main

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/arcahq/arca/internal/config"
)

// limitFlagValues are the connection limits' flags of `arca serve`.
type limitFlagValues struct {
	maxConnections int
	minBodyRate    string
}

func addLimitFlags(cmd *cobra.Command, v *limitFlagValues) {
	d := config.Defaults()
	f := cmd.Flags()
	f.IntVar(&v.maxConnections, "max-connections", d.MaxConnections, "connections served at once; more are answered 503 with Retry-After; 0 for no bound ("+config.EnvMaxConnections+")")
	f.StringVar(&v.minBodyRate, "min-body-rate", strconv.FormatInt(d.MinBodyRate>>10, 10)+"KiB", "slowest a request body may arrive, per second over 30-second windows, e.g. 10KiB; 0 for no minimum ("+config.EnvMinBodyRate+")")
}

// limitFlags applies the limit flags that were set over cfg.
func limitFlags(cmd *cobra.Command, cfg *config.Config, v *limitFlagValues) error {
	f := cmd.Flags()
	if f.Changed("max-connections") {
		cfg.MaxConnections = v.maxConnections
	}
	if f.Changed("min-body-rate") {
		n, err := config.ParseSize(v.minBodyRate)
		if err != nil {
			return err
		}
		cfg.MinBodyRate = n
	}
	return nil
}
