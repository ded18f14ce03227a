package catalog

import "github.com/arcahq/arca/internal/artifact"

// Connections is what the catalog needs to know of the formats
// (format.Registry): which external connections exist (User Guide,
// "Supported external connection repositories") and the format each
// serves. Where each one points is configuration.
type Connections interface {
	// ConnectionFormat returns the format the named connection serves,
	// and false when there is no such connection.
	ConnectionFormat(name string) (artifact.Format, bool)
	// ConnectionNames returns every connection name, sorted.
	ConnectionNames() []string
}

// ExternalConnectionFormat returns the format the named external
// connection serves, and false when there is no such connection.
func (c *Catalog) ExternalConnectionFormat(name string) (artifact.Format, bool) {
	if c.conns == nil {
		return "", false
	}
	return c.conns.ConnectionFormat(name)
}

func (c *Catalog) connectionNames() []string {
	if c.conns == nil {
		return nil
	}
	return c.conns.ConnectionNames()
}
