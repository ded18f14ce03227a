package catalog

import (
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/pkggroup"
)

// Formats is what the catalog needs to know of the formats
// (format.Registry): which external connections exist (User Guide,
// "Supported external connection repositories") and the format each
// serves (where each one points is configuration), how each format
// orders versions, and what package groups follow (pkggroup.Formats:
// which formats exist, their namespaces, the normal form of names).
type Formats interface {
	pkggroup.Formats
	// ConnectionFormat returns the format the named connection serves,
	// and false when there is no such connection.
	ConnectionFormat(name string) (artifact.Format, bool)
	// ConnectionNames returns every connection name, sorted.
	ConnectionNames() []string
	// CompareVersions orders two versions of a package of format f.
	CompareVersions(f artifact.Format, a, b string) int
	// Display names a package in messages as its format does.
	Display(ref artifact.PackageRef) string
	// SourceURLs returns what gives the source URLs a version of format
	// f declares, normalised, when the catalog indexes them; else nil.
	SourceURLs(f artifact.Format) func(artifact.Meta) []string
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

// Display names ref in messages as its format does ("npm @scope/name",
// "maven group:artifact"); ref.String() without formats.
func (c *Catalog) Display(ref artifact.PackageRef) string { return c.groupFormats().Display(ref) }

// groupFormats are the formats package groups follow; without formats
// (New's nil) none is known and only the root group /* parses.
func (c *Catalog) groupFormats() pkggroup.Formats {
	if c.conns == nil {
		return noFormats{}
	}
	return c.conns
}

// noFormats are the formats of a catalog without any.
type noFormats struct{}

func (noFormats) Known(artifact.Format) bool                            { return false }
func (noFormats) HasNamespace(artifact.Format) bool                     { return false }
func (noFormats) NamespaceRequired(artifact.Format) bool                { return false }
func (noFormats) Normalize(ref artifact.PackageRef) artifact.PackageRef { return ref }
func (noFormats) Display(ref artifact.PackageRef) string                { return ref.String() }
