// Package generic holds the rules of generic packages (User Guide, "Using
// generic packages"): files published with the control plane's
// PublishPackageVersion under a required namespace, read with
// GetPackageVersionAsset. Generic packages have no repository endpoint of
// their own, so the package is only rules.go: the control plane publishes
// and serves them, and the endpoint path /generic/ answers 404
// (format.Plain).
package generic
