package controlapi

// routeTable maps each operation of the model to its handler. Methods and
// paths come from the model (see ServeHTTP); every operation is served
// (TestEveryOperationIsServed).
func (a *API) routeTable() map[string]route {
	return map[string]route{
		// Domains.
		"CreateDomain":                  jsonOp(a, a.createDomain),
		"DescribeDomain":                jsonOp(a, a.describeDomain),
		"ListDomains":                   jsonOp(a, a.listDomains),
		"DeleteDomain":                  jsonOp(a, a.deleteDomain),
		"PutDomainPermissionsPolicy":    jsonOp(a, a.putDomainPermissionsPolicy),
		"GetDomainPermissionsPolicy":    jsonOp(a, a.getDomainPermissionsPolicy),
		"DeleteDomainPermissionsPolicy": jsonOp(a, a.deleteDomainPermissionsPolicy),

		// Repositories.
		"CreateRepository":                  jsonOp(a, a.createRepository),
		"DescribeRepository":                jsonOp(a, a.describeRepository),
		"UpdateRepository":                  jsonOp(a, a.updateRepository),
		"DeleteRepository":                  jsonOp(a, a.deleteRepository),
		"ListRepositories":                  jsonOp(a, a.listRepositories),
		"ListRepositoriesInDomain":          jsonOp(a, a.listRepositoriesInDomain),
		"PutRepositoryPermissionsPolicy":    jsonOp(a, a.putRepositoryPermissionsPolicy),
		"GetRepositoryPermissionsPolicy":    jsonOp(a, a.getRepositoryPermissionsPolicy),
		"DeleteRepositoryPermissionsPolicy": jsonOp(a, a.deleteRepositoryPermissionsPolicy),
		"AssociateExternalConnection":       jsonOp(a, a.associateExternalConnection),
		"DisassociateExternalConnection":    jsonOp(a, a.disassociateExternalConnection),
		"GetRepositoryEndpoint":             jsonOp(a, a.getRepositoryEndpoint),

		// Packages.
		"ListPackages":                  jsonOp(a, a.listPackages),
		"DescribePackage":               jsonOp(a, a.describePackage),
		"DeletePackage":                 jsonOp(a, a.deletePackage),
		"PutPackageOriginConfiguration": jsonOp(a, a.putPackageOriginConfiguration),

		// Package versions.
		"ListPackageVersions":            jsonOp(a, a.listPackageVersions),
		"DescribePackageVersion":         jsonOp(a, a.describePackageVersion),
		"ListPackageVersionAssets":       jsonOp(a, a.listPackageVersionAssets),
		"GetPackageVersionAsset":         {serve: a.getPackageVersionAsset}, // streams the asset
		"GetPackageVersionReadme":        jsonOp(a, a.getPackageVersionReadme),
		"ListPackageVersionDependencies": jsonOp(a, a.listPackageVersionDependencies),
		"UpdatePackageVersionsStatus":    jsonOp(a, a.updatePackageVersionsStatus),
		"DeletePackageVersions":          jsonOp(a, a.deletePackageVersions),
		"DisposePackageVersions":         jsonOp(a, a.disposePackageVersions),
		"CopyPackageVersions":            jsonOp(a, a.copyPackageVersions),
		"PublishPackageVersion":          {serve: a.publishPackageVersion}, // streams the asset

		// Package groups.
		"CreatePackageGroup":                    jsonOp(a, a.createPackageGroup),
		"DescribePackageGroup":                  jsonOp(a, a.describePackageGroup),
		"UpdatePackageGroup":                    jsonOp(a, a.updatePackageGroup),
		"DeletePackageGroup":                    jsonOp(a, a.deletePackageGroup),
		"UpdatePackageGroupOriginConfiguration": jsonOp(a, a.updatePackageGroupOriginConfiguration),
		"ListPackageGroups":                     jsonOp(a, a.listPackageGroups),
		"ListSubPackageGroups":                  jsonOp(a, a.listSubPackageGroups),
		"ListAllowedRepositoriesForGroup":       jsonOp(a, a.listAllowedRepositoriesForGroup),
		"ListAssociatedPackages":                jsonOp(a, a.listAssociatedPackages),
		"GetAssociatedPackageGroup":             jsonOp(a, a.getAssociatedPackageGroup),

		// Arca's release-age gate (model/arca-operations.json).
		"PutReleaseGate":      jsonOp(a, a.putReleaseGate),
		"GetReleaseGate":      jsonOp(a, a.getReleaseGate),
		"DeleteReleaseGate":   jsonOp(a, a.deleteReleaseGate),
		"ListReleaseGates":    jsonOp(a, a.listReleaseGates),
		"AllowHeldVersion":    jsonOp(a, a.allowHeldVersion),
		"DisallowHeldVersion": jsonOp(a, a.disallowHeldVersion),
		"ListHeldVersions":    jsonOp(a, a.listHeldVersions),

		// Arca's event subscriptions (model/arca-operations.json).
		"CreateEventSubscription": jsonOp(a, a.createEventSubscription),
		"ListEventSubscriptions":  jsonOp(a, a.listEventSubscriptions),
		"DeleteEventSubscription": jsonOp(a, a.deleteEventSubscription),
		"ListEventDeliveries":     jsonOp(a, a.listEventDeliveries),
		"RedriveEventDeliveries":  jsonOp(a, a.redriveEventDeliveries),

		// Tokens and tags.
		"GetAuthorizationToken": jsonOp(a, a.getAuthorizationToken),
		"TagResource":           jsonOp(a, a.tagResource),
		"UntagResource":         jsonOp(a, a.untagResource),
		"ListTagsForResource":   jsonOp(a, a.listTagsForResource),
	}
}
