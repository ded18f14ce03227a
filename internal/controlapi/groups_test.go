package controlapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
)

func (s *scenario) createGroup(pattern string) *types.PackageGroupDescription {
	s.t.Helper()
	out, err := s.ca.CreatePackageGroup(s.ctx, &codeartifact.CreatePackageGroupInput{Domain: aws.String(dom), PackageGroup: aws.String(pattern)})
	if err != nil {
		s.t.Fatalf("create-package-group %s: %v", pattern, err)
	}
	return out.PackageGroup
}

func (s *scenario) describeGroup(pattern string) *types.PackageGroupDescription {
	s.t.Helper()
	out, err := s.ca.DescribePackageGroup(s.ctx, &codeartifact.DescribePackageGroupInput{Domain: aws.String(dom), PackageGroup: aws.String(pattern)})
	if err != nil {
		s.t.Fatalf("describe-package-group %s: %v", pattern, err)
	}
	return out.PackageGroup
}

func (s *scenario) groupPatterns() []string {
	s.t.Helper()
	var out []string
	p := codeartifact.NewListPackageGroupsPaginator(s.ca, &codeartifact.ListPackageGroupsInput{Domain: aws.String(dom), MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(s.ctx)
		if err != nil {
			s.t.Fatalf("list-package-groups: %v", err)
		}
		if len(page.PackageGroups) > 2 {
			s.t.Fatalf("list-package-groups returned %d groups for maxResults 2", len(page.PackageGroups))
		}
		for _, g := range page.PackageGroups {
			out = append(out, aws.ToString(g.Pattern))
		}
	}
	return out
}

func (s *scenario) setOrigin(pattern string, modes map[string]types.PackageGroupOriginRestrictionMode, add ...types.PackageGroupAllowedRepository) *codeartifact.UpdatePackageGroupOriginConfigurationOutput {
	s.t.Helper()
	out, err := s.ca.UpdatePackageGroupOriginConfiguration(s.ctx, &codeartifact.UpdatePackageGroupOriginConfigurationInput{
		Domain: aws.String(dom), PackageGroup: aws.String(pattern), Restrictions: modes, AddAllowedRepositories: add,
	})
	if err != nil {
		s.t.Fatalf("update-package-group-origin-configuration %s: %v", pattern, err)
	}
	return out
}

func parentOf(g *types.PackageGroupDescription) string {
	if g.Parent == nil {
		return ""
	}
	return aws.ToString(g.Parent.Pattern)
}

func TestPackageGroupLifecycle(t *testing.T) {
	s := newPackageScenario(t, "repo")

	// The root group exists from the domain's creation and allows everything.
	root := s.describeGroup("/*")
	if root.Parent != nil || !strings.HasSuffix(aws.ToString(root.Arn), ":"+aws.ToString(root.DomainOwner)+":package-group/dom/%2a") {
		t.Errorf("root group: parent %v arn %s", root.Parent, aws.ToString(root.Arn))
	}
	for _, r := range root.OriginConfiguration.Restrictions {
		if r.Mode != types.PackageGroupOriginRestrictionModeAllow || r.EffectiveMode != types.PackageGroupOriginRestrictionModeAllow {
			t.Errorf("root restriction %+v, want ALLOW", r)
		}
	}

	out := must(s.ca.CreatePackageGroup(s.ctx, &codeartifact.CreatePackageGroupInput{
		Domain: aws.String(dom), PackageGroup: aws.String("/npm/*"), Description: aws.String("all npm"),
		ContactInfo: aws.String("npm-team@example.com"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}},
	}))(t).PackageGroup
	if aws.ToString(out.Description) != "all npm" || aws.ToString(out.ContactInfo) != "npm-team@example.com" || parentOf(out) != "/*" {
		t.Errorf("create-package-group /npm/*: %+v", out)
	}
	if r := out.OriginConfiguration.Restrictions["PUBLISH"]; r.Mode != types.PackageGroupOriginRestrictionModeInherit ||
		r.EffectiveMode != types.PackageGroupOriginRestrictionModeAllow || r.InheritedFrom == nil || aws.ToString(r.InheritedFrom.Pattern) != "/*" {
		t.Errorf("a new group's PUBLISH: %+v", r)
	}
	s.createGroup("/npm/space/*")
	s.createGroup("/npm/space/ui~")
	s.createGroup("/maven/com.anycompany~")
	if p := parentOf(s.describeGroup("/npm/space/ui~")); p != "/npm/space/*" {
		t.Errorf("parent of /npm/space/ui~ = %q", p)
	}

	// Refusals change nothing.
	before := s.groupPatterns()
	_, err := s.ca.CreatePackageGroup(s.ctx, &codeartifact.CreatePackageGroupInput{Domain: aws.String(dom), PackageGroup: aws.String("/npm/*")})
	wantErr[*types.ConflictException](t, err, "creating /npm/* again")
	for bad, why := range map[string]string{
		"/npm/space/foo-~":   "word character",
		"/pypi//Requests$":   "normal form",
		"/maven//log4j$":     "namespace",
		"/gems/*":            "unknown package format",
		"npm/*":              "must start with /",
		"/pypi/ns/requests$": "no namespace",
	} {
		_, err := s.ca.CreatePackageGroup(s.ctx, &codeartifact.CreatePackageGroupInput{Domain: aws.String(dom), PackageGroup: aws.String(bad)})
		if v := wantErr[*types.ValidationException](t, err, "creating "+bad); !strings.Contains(v.ErrorMessage(), why) {
			t.Errorf("creating %s: message %q does not say %q", bad, v.ErrorMessage(), why)
		}
	}
	_, err = s.ca.CreatePackageGroup(s.ctx, &codeartifact.CreatePackageGroupInput{Domain: aws.String("nodomain"), PackageGroup: aws.String("/npm/*")})
	wantErr[*types.ResourceNotFoundException](t, err, "creating a group in a missing domain")
	s.unchanged("refused creates", before, s.groupPatterns())
	if want := []string{"/*", "/maven/com.anycompany~", "/npm/*", "/npm/space/*", "/npm/space/ui~"}; !slices.Equal(before, want) {
		t.Errorf("list-package-groups = %v, want %v", before, want)
	}

	// Prefix and sub-groups.
	pg := must(s.ca.ListPackageGroups(s.ctx, &codeartifact.ListPackageGroupsInput{Domain: aws.String(dom), Prefix: aws.String("/npm/space")}))(t)
	if len(pg.PackageGroups) != 2 {
		t.Errorf("list-package-groups --prefix /npm/space: %d groups", len(pg.PackageGroups))
	}
	sub := must(s.ca.ListSubPackageGroups(s.ctx, &codeartifact.ListSubPackageGroupsInput{Domain: aws.String(dom), PackageGroup: aws.String("/*")}))(t)
	var subs []string
	for _, g := range sub.PackageGroups {
		subs = append(subs, aws.ToString(g.Pattern))
	}
	if !slices.Equal(subs, []string{"/maven/com.anycompany~", "/npm/*"}) {
		t.Errorf("list-sub-package-groups /*: %v", subs)
	}
	_, err = s.ca.ListPackageGroups(s.ctx, &codeartifact.ListPackageGroupsInput{Domain: aws.String(dom), NextToken: aws.String("forged")})
	wantErr[*types.ValidationException](t, err, "a forged nextToken")

	// Update changes description and contact only.
	up := must(s.ca.UpdatePackageGroup(s.ctx, &codeartifact.UpdatePackageGroupInput{Domain: aws.String(dom), PackageGroup: aws.String("/npm/*"), Description: aws.String("npm, updated")}))(t).PackageGroup
	if aws.ToString(up.Description) != "npm, updated" || aws.ToString(up.ContactInfo) != "npm-team@example.com" {
		t.Errorf("update-package-group: %+v", up)
	}
	_, err = s.ca.UpdatePackageGroup(s.ctx, &codeartifact.UpdatePackageGroupInput{Domain: aws.String(dom), PackageGroup: aws.String("/npm/nope/*")})
	wantErr[*types.ResourceNotFoundException](t, err, "updating a missing group")

	// Tags on the group's ARN.
	arn := aws.ToString(up.Arn)
	if !strings.HasSuffix(arn, ":package-group/dom/npm/%2a") {
		t.Errorf("group ARN %s", arn)
	}
	tags := must(s.ca.ListTagsForResource(s.ctx, &codeartifact.ListTagsForResourceInput{ResourceArn: aws.String(arn)}))(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "team" {
		t.Errorf("tags of /npm/*: %+v", tags)
	}
	must(s.ca.TagResource(s.ctx, &codeartifact.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))(t)
	if tags := must(s.ca.ListTagsForResource(s.ctx, &codeartifact.ListTagsForResourceInput{ResourceArn: aws.String(arn)}))(t).Tags; len(tags) != 2 {
		t.Errorf("tags after tag-resource: %+v", tags)
	}

	// Deleting a group gives its children to its parent; the root stays.
	del := must(s.ca.DeletePackageGroup(s.ctx, &codeartifact.DeletePackageGroupInput{Domain: aws.String(dom), PackageGroup: aws.String("/npm/space/*")}))(t).PackageGroup
	if aws.ToString(del.Pattern) != "/npm/space/*" {
		t.Errorf("delete-package-group returned %+v", del)
	}
	if p := parentOf(s.describeGroup("/npm/space/ui~")); p != "/npm/*" {
		t.Errorf("after deleting /npm/space/*, parent of /npm/space/ui~ = %q, want /npm/*", p)
	}
	_, err = s.ca.DeletePackageGroup(s.ctx, &codeartifact.DeletePackageGroupInput{Domain: aws.String(dom), PackageGroup: aws.String("/npm/space/*")})
	wantErr[*types.ResourceNotFoundException](t, err, "deleting a deleted group")
	_, err = s.ca.DeletePackageGroup(s.ctx, &codeartifact.DeletePackageGroupInput{Domain: aws.String(dom), PackageGroup: aws.String("/*")})
	wantErr[*types.ValidationException](t, err, "deleting the root group")
	s.describeGroup("/*")
}

func TestPackageGroupOriginControls(t *testing.T) {
	s := newPackageScenario(t, "team", "other")
	s.createGroup("/generic/acme/*")
	s.createGroup("/generic/acme/tool$")

	// INHERIT shows the mode it inherits, and from where.
	out := s.setOrigin("/generic/acme/*", map[string]types.PackageGroupOriginRestrictionMode{
		string(types.PackageGroupOriginRestrictionTypePublish): types.PackageGroupOriginRestrictionModeAllowSpecificRepositories,
	}, types.PackageGroupAllowedRepository{RepositoryName: aws.String("team"), OriginRestrictionType: types.PackageGroupOriginRestrictionTypePublish})
	if got := out.AllowedRepositoryUpdates["PUBLISH"]["ADDED"]; !slices.Equal(got, []string{"team"}) {
		t.Errorf("allowedRepositoryUpdates = %+v", out.AllowedRepositoryUpdates)
	}
	if r := out.PackageGroup.OriginConfiguration.Restrictions["PUBLISH"]; r.Mode != types.PackageGroupOriginRestrictionModeAllowSpecificRepositories || aws.ToInt64(r.RepositoriesCount) != 1 {
		t.Errorf("PUBLISH after update: %+v", r)
	}
	child := s.describeGroup("/generic/acme/tool$").OriginConfiguration.Restrictions["PUBLISH"]
	if child.Mode != types.PackageGroupOriginRestrictionModeInherit || child.EffectiveMode != types.PackageGroupOriginRestrictionModeAllowSpecificRepositories ||
		child.InheritedFrom == nil || aws.ToString(child.InheritedFrom.Pattern) != "/generic/acme/*" {
		t.Errorf("inherited PUBLISH of /generic/acme/tool$: %+v", child)
	}
	allowed := must(s.ca.ListAllowedRepositoriesForGroup(s.ctx, &codeartifact.ListAllowedRepositoriesForGroupInput{
		Domain: aws.String(dom), PackageGroup: aws.String("/generic/acme/*"), OriginRestrictionType: types.PackageGroupOriginRestrictionTypePublish,
	}))(t)
	if !slices.Equal(allowed.AllowedRepositories, []string{"team"}) {
		t.Errorf("list-allowed-repositories-for-group: %v", allowed.AllowedRepositories)
	}

	// ALLOW_SPECIFIC_REPOSITORIES lets team publish and refuses other.
	s.publish(pub{repo: "team", ns: "acme", pkg: "tool", version: "1.0.0", asset: "a", content: []byte("x")})
	before := s.snapshot()
	_, err := s.tryPublish(pub{repo: "other", ns: "acme", pkg: "tool", version: "1.0.0", asset: "a", content: []byte("x")})
	if e := wantErr[*types.AccessDeniedException](t, err, "publishing to a repository not on the list"); !strings.Contains(e.ErrorMessage(), "/generic/acme/tool$") || !strings.Contains(e.ErrorMessage(), "inherited from /generic/acme/*") {
		t.Errorf("refusal does not name the group: %s", e.ErrorMessage())
	}
	s.unchanged("a refused publish", before, s.snapshot())

	// Copying into a repository counts as publishing there.
	_, err = s.ca.CopyPackageVersions(s.ctx, &codeartifact.CopyPackageVersionsInput{
		Domain: aws.String(dom), SourceRepository: aws.String("team"), DestinationRepository: aws.String("other"),
		Format: types.PackageFormatGeneric, Namespace: aws.String("acme"), Package: aws.String("tool"), Versions: []string{"1.0.0"},
	})
	wantErr[*types.AccessDeniedException](t, err, "copying into a repository not on the list")
	s.unchanged("a refused copy", before, s.snapshot())

	// A weak match of the most specific group is blocked everywhere.
	_, err = s.tryPublish(pub{repo: "team", ns: "acme", pkg: "Tool", version: "1.0.0", asset: "a", content: []byte("x")})
	if e := wantErr[*types.AccessDeniedException](t, err, "publishing a look-alike name"); !strings.Contains(e.ErrorMessage(), "normalization") {
		t.Errorf("weak-match refusal: %s", e.ErrorMessage())
	}
	as := must(s.ca.GetAssociatedPackageGroup(s.ctx, &codeartifact.GetAssociatedPackageGroupInput{
		Domain: aws.String(dom), Format: types.PackageFormatGeneric, Namespace: aws.String("acme"), Package: aws.String("T00l"),
	}))(t)
	if aws.ToString(as.PackageGroup.Pattern) != "/generic/acme/tool$" || as.AssociationType != types.PackageGroupAssociationTypeWeak {
		t.Errorf("get-associated-package-group T00l: %s %s", aws.ToString(as.PackageGroup.Pattern), as.AssociationType)
	}
	_, err = s.ca.GetAssociatedPackageGroup(s.ctx, &codeartifact.GetAssociatedPackageGroupInput{Domain: aws.String(dom), Format: types.PackageFormatGeneric, Package: aws.String("x")})
	wantErr[*types.ValidationException](t, err, "a generic package without a namespace")

	// BLOCK on the root reaches every group that inherits.
	s.setOrigin("/*", map[string]types.PackageGroupOriginRestrictionMode{
		string(types.PackageGroupOriginRestrictionTypePublish): types.PackageGroupOriginRestrictionModeBlock,
	})
	_, err = s.tryPublish(pub{repo: "team", ns: "other", pkg: "thing", version: "1.0.0", asset: "a", content: []byte("x")})
	wantErr[*types.AccessDeniedException](t, err, "publishing under a root BLOCK")
	_, err = s.ca.UpdatePackageGroupOriginConfiguration(s.ctx, &codeartifact.UpdatePackageGroupOriginConfigurationInput{
		Domain: aws.String(dom), PackageGroup: aws.String("/*"),
		Restrictions: map[string]types.PackageGroupOriginRestrictionMode{string(types.PackageGroupOriginRestrictionTypePublish): types.PackageGroupOriginRestrictionModeInherit},
	})
	wantErr[*types.ValidationException](t, err, "the root inheriting")
	_, err = s.ca.UpdatePackageGroupOriginConfiguration(s.ctx, &codeartifact.UpdatePackageGroupOriginConfigurationInput{
		Domain: aws.String(dom), PackageGroup: aws.String("/generic/acme/*"),
		AddAllowedRepositories: []types.PackageGroupAllowedRepository{{RepositoryName: aws.String("nope"), OriginRestrictionType: types.PackageGroupOriginRestrictionTypePublish}},
	})
	wantErr[*types.ResourceNotFoundException](t, err, "allowing a missing repository")

	// Associated packages, existing and previewed.
	ap := must(s.ca.ListAssociatedPackages(s.ctx, &codeartifact.ListAssociatedPackagesInput{Domain: aws.String(dom), PackageGroup: aws.String("/generic/acme/tool$")}))(t)
	if len(ap.Packages) != 1 || aws.ToString(ap.Packages[0].Package) != "tool" || ap.Packages[0].AssociationType != types.PackageGroupAssociationTypeStrong {
		t.Errorf("list-associated-packages: %+v", ap.Packages)
	}
	_, err = s.ca.ListAssociatedPackages(s.ctx, &codeartifact.ListAssociatedPackagesInput{Domain: aws.String(dom), PackageGroup: aws.String("/generic/acme/t~")})
	wantErr[*types.ResourceNotFoundException](t, err, "associated packages of a missing group")
	pv := must(s.ca.ListAssociatedPackages(s.ctx, &codeartifact.ListAssociatedPackagesInput{Domain: aws.String(dom), PackageGroup: aws.String("/generic/*"), Preview: aws.Bool(true)}))(t)
	if len(pv.Packages) != 0 {
		t.Errorf("preview of /generic/*: %+v (tool belongs to a more specific group)", pv.Packages)
	}
}
