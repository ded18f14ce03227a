package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultsValidate(t *testing.T) {
	c := Defaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "http://127.0.0.1:8700" {
		t.Errorf("derived public URL %q", c.PublicURL)
	}
	if !strings.HasPrefix(c.Listen, "127.0.0.1:") {
		t.Errorf("default listen %q is not loopback", c.Listen)
	}
}

func TestEnvironment(t *testing.T) {
	c := Defaults()
	err := c.FromEnv(env(map[string]string{
		EnvListen: "0.0.0.0:9000", EnvRegion: "eu-west-1", EnvData: "/tmp/x",
		EnvExternalConnections: "public:npmjs=http://127.0.0.1:1/npm/, public:pypi=http://127.0.0.1:2/",
		EnvAccountID:           "111122223333", EnvRootAccessKeyID: "AKIAEXAMPLEEXAMPLE", EnvRootSecretKey: "secretsecretsecret",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Region != "eu-west-1" || c.Data != "/tmp/x" || c.PublicURL != "http://localhost:9000" {
		t.Errorf("config %+v", c)
	}
	if c.ExternalConnections["public:pypi"] != "http://127.0.0.1:2/" || len(c.ExternalConnections) != 2 {
		t.Errorf("connections %v", c.ExternalConnections)
	}
}

// shared configures a replica of a shared database, with everything it
// must be given.
func shared(c *Config) {
	c.Database = "postgres://arca@db.test:5432/arca"
	c.MasterKey = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE="
	c.AccountID, c.RootAccessKeyID, c.RootSecretKey = "111122223333", "AKIAEXAMPLEEXAMPLE", "secretsecretsecret"
}

func TestValidateShared(t *testing.T) {
	c := Defaults()
	shared(&c)
	if err := c.Validate(); err != nil || !c.SharedDatabase() {
		t.Errorf("a replica with everything it must share: %v", err)
	}
	c = Defaults()
	if c.SharedDatabase() {
		t.Error("the default database is shared")
	}
}

func TestValidateRejects(t *testing.T) {
	cases := map[string]func(*Config){
		"bad listen":          func(c *Config) { c.Listen = "nope" },
		"bad region":          func(c *Config) { c.Region = "Mars" },
		"relative public url": func(c *Config) { c.PublicURL = "/x" },
		"ftp public url":      func(c *Config) { c.PublicURL = "ftp://h/" },
		"connection not url":  func(c *Config) { c.ExternalConnections = map[string]string{"public:npmjs": "h"} },
		"half a key":          func(c *Config) { c.RootAccessKeyID = "AKIAEXAMPLEEXAMPLE" },
		"key without account": func(c *Config) { c.RootAccessKeyID, c.RootSecretKey = "AKIAEXAMPLEEXAMPLE", "secretsecretsecret" },
		"short account":       func(c *Config) { c.AccountID = "123" },
		"log format":          func(c *Config) { c.LogFormat = "xml" },
		"public debug listen": func(c *Config) { c.DebugListen = "0.0.0.0:6060" },
		"named debug listen":  func(c *Config) { c.DebugListen = "localhost:6060" },
		"unknown metrics":     func(c *Config) { c.Metrics = "public" },
		"database not a url":  func(c *Config) { shared(c); c.Database = "/var/lib/arca/arca.db" },
		"mysql database":      func(c *Config) { shared(c); c.Database = "mysql://arca@db.test/arca" },
		"database, no master key": func(c *Config) {
			shared(c)
			c.MasterKey = ""
		},
		"database, no root key": func(c *Config) {
			shared(c)
			c.RootAccessKeyID, c.RootSecretKey = "", ""
		},
	}
	for name, mutate := range cases {
		c := Defaults()
		mutate(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c := Defaults()
	if err := c.FromEnv(env(map[string]string{EnvExternalConnections: "public:npmjs"})); err == nil {
		t.Error("a connection without URL was accepted")
	}
}
