// Package pkggroup is the pure part of CodeArtifact's package groups (User
// Guide, "Package group definition syntax and matching behavior" and
// "Package group origin controls"): parsing and validating a group's
// definition, matching a package to the one group it is associated with,
// the group tree, and the inheritance of origin restrictions. It knows
// nothing of storage or HTTP; package catalog stores groups and builds an
// Index per domain. Nor does it know any format by name: which formats
// exist, whether their packages have a namespace, and the normal form of
// their names are the formats' rules, which its callers pass in (Formats,
// the server's format registry).
//
// # Definitions
//
// A definition is a package path (/format/namespace/name) cut short and
// ended by a suffix:
//
//	/*                        every package of the domain (the root group)
//	/npm/*                    every package of a format
//	/maven/com.anycompany~    namespaces starting with a prefix, on a word boundary
//	/npm/space/*              every package of a namespace
//	/npm/space/anycompany-ui~ names starting with a prefix, on a word boundary
//	/maven/org.apache/log4j$  one package
//
// Formats without namespaces (today pypi, nuget, ruby, cargo) have an
// empty namespace segment (/pypi//requests$); formats whose packages always
// have one (Maven, generic, Swift) need the namespace whenever a name is
// given. Namespaces and names must be written in their format's normal
// form (PyPI's PEP 503 names; NuGet's, Swift's and Cargo's lower case).
// A `~` must follow a word character (letter or digit); after anything
// else `*` is the way.
// A malformed definition is errkind.Validation with the reason.
//
// # Association
//
// A package belongs to the most specific group whose definition matches
// it (a deeper definition is more specific; among prefixes of the same
// component the longer one). Matching is case-sensitive. A package that
// matches the most specific group only after "weak" normalization (case
// folding, runs of '-', '.' and '_' collapsed, confusable characters
// mapped to their Latin look-alikes) is WEAKly associated with it, and a
// weakly associated package is blocked from every origin: it can be
// neither published nor ingested. This keeps "Lodash" or "l0dash"-like
// look-alikes of a governed name out of the domain.
//
// # Tree and inheritance
//
// A group's parent is the most specific other group whose definition
// covers its own; the root /* covers everything. A restriction set to
// INHERIT takes the mode of the nearest ancestor whose mode for that
// restriction is not INHERIT (the root always has one), together with
// that ancestor's allowed repositories.
//
// # Release-age gate
//
// Beyond CodeArtifact, a group may carry a ReleaseGate (gate.go): versions
// entering through an external connection must be at least MinAge old and
// published no later than Cutoff; a version without a publish time is
// held unless AllowMissingTime. A group without a gate takes its nearest
// ancestor's. Break-glass Exemptions (a version, or every version of a
// package) pass. GateFor and Check decide in memory, from the index.
package pkggroup
