package catalog

import "sort"

// ExternalConnection is a public registry a repository can connect to.
type ExternalConnection struct {
	Name   string
	Format string
}

// externalConnections is the User Guide's list ("Supported external
// connection repositories"). Where each one points is configuration.
var externalConnections = map[string]string{
	"public:npmjs":               "npm",
	"public:pypi":                "pypi",
	"public:maven-central":       "maven",
	"public:maven-googleandroid": "maven",
	"public:maven-gradleplugins": "maven",
	"public:maven-commonsware":   "maven",
	"public:maven-clojars":       "maven",
	"public:nuget-org":           "nuget",
	"public:ruby-gems-org":       "ruby",
	"public:crates-io":           "cargo",
}

// LookupExternalConnection returns the named connection, if it exists.
func LookupExternalConnection(name string) (ExternalConnection, bool) {
	f, ok := externalConnections[name]
	return ExternalConnection{Name: name, Format: f}, ok
}

// ExternalConnectionNames returns every supported name, sorted.
func ExternalConnectionNames() []string {
	names := make([]string, 0, len(externalConnections))
	for n := range externalConnections {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
