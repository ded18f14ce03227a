package catalog

import (
	"strings"

	"github.com/arcahq/arca/internal/artifact"
)

// Formats is what the catalog needs to know of the formats
// (format.Registry): which external connections exist (User Guide,
// "Supported external connection repositories") and the format each
// serves (where each one points is configuration), and how each format
// orders versions.
type Formats interface {
	// ConnectionFormat returns the format the named connection serves,
	// and false when there is no such connection.
	ConnectionFormat(name string) (artifact.Format, bool)
	// ConnectionNames returns every connection name, sorted.
	ConnectionNames() []string
	// CompareVersions orders two versions of a package of format f.
	CompareVersions(f artifact.Format, a, b string) int
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

// CompareVersions orders two versions of a package of format f as the
// format does (byte-wise without formats).
func (c *Catalog) CompareVersions(f artifact.Format, a, b string) int {
	if c.conns == nil {
		return strings.Compare(a, b)
	}
	return c.conns.CompareVersions(f, a, b)
}
