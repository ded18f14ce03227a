package controlapi_test

// Scenarios of the package operations (User Guide, "Working with
// packages"), with packages seeded through PublishPackageVersion in the
// generic format, and packages of other formats created with no versions
// through PutPackageOriginConfiguration.
//
// Every error path reads the domain's packages back (snapshot) to show
// that nothing changed.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/arcahq/arca/internal/servertest"
)

const dom = "dom"

// --- helpers ---

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// botocoreSigning makes the SDK sign PublishPackageVersion the way
// botocore does (docs/CLIENTS.md §1.2): with the x-amz-content-sha256 header as
// the payload hash, never hashing the body itself. That lets a test send
// a body that does not match its declared SHA-256, as the AWS CLI can.
func botocoreSigning(o *codeartifact.Options) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Finalize.Insert(middleware.FinalizeMiddlewareFunc("BotocorePayloadHash",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					if h := req.Header.Get("X-Amz-Content-Sha256"); h != "" {
						ctx = v4.SetPayloadHash(ctx, h)
					}
				}
				return next.HandleFinalize(ctx, in)
			}), (*v4.ComputePayloadSHA256)(nil).ID(), middleware.Before)
	})
}

// pub is a PublishPackageVersion call of a generic package in dom.
type pub struct {
	repo, ns, pkg, version, asset string
	content                       []byte
	sha                           string // default: the content's
	unfinished                    bool
	body                          io.Reader // default: the content, seekable
}

func (s *scenario) tryPublish(p pub, opts ...func(*codeartifact.Options)) (*codeartifact.PublishPackageVersionOutput, error) {
	if p.ns == "" {
		p.ns = "ns"
	}
	if p.sha == "" {
		p.sha = sha256hex(p.content)
	}
	body := p.body
	if body == nil {
		body = bytes.NewReader(p.content)
	}
	in := &codeartifact.PublishPackageVersionInput{
		Domain: aws.String(dom), Repository: aws.String(p.repo), Format: types.PackageFormatGeneric,
		Namespace: aws.String(p.ns), Package: aws.String(p.pkg), PackageVersion: aws.String(p.version),
		AssetName: aws.String(p.asset), AssetSHA256: aws.String(p.sha), AssetContent: body,
	}
	if p.unfinished {
		in.Unfinished = aws.Bool(true)
	}
	return s.ca.PublishPackageVersion(s.ctx, in, opts...)
}

func (s *scenario) publish(p pub) *codeartifact.PublishPackageVersionOutput {
	s.t.Helper()
	out, err := s.tryPublish(p)
	if err != nil {
		s.t.Fatalf("publish-package-version %s %s/%s %s %s: %v", p.repo, p.ns, p.pkg, p.version, p.asset, err)
	}
	return out
}

// pkgID names a generic package of namespace ns in a repository of dom;
// the zero format means generic.
type pkgID struct {
	repo, format, ns, pkg string
}

func (id pkgID) fmt() types.PackageFormat {
	if id.format == "" {
		return types.PackageFormatGeneric
	}
	return types.PackageFormat(id.format)
}

func (id pkgID) nsPtr() *string {
	if id.ns == "" {
		return nil
	}
	return aws.String(id.ns)
}

func gen(repo, pkg string) pkgID { return pkgID{repo: repo, ns: "ns", pkg: pkg} }

func (s *scenario) describeVersion(id pkgID, version string) *types.PackageVersionDescription {
	s.t.Helper()
	out, err := s.ca.DescribePackageVersion(s.ctx, &codeartifact.DescribePackageVersionInput{
		Domain: aws.String(dom), Repository: aws.String(id.repo), Format: id.fmt(), Namespace: id.nsPtr(),
		Package: aws.String(id.pkg), PackageVersion: aws.String(version),
	})
	if err != nil {
		s.t.Fatalf("describe-package-version %v %s: %v", id, version, err)
	}
	return out.PackageVersion
}

func (s *scenario) tryGetAsset(id pkgID, version, asset, revision string) (*codeartifact.GetPackageVersionAssetOutput, []byte, error) {
	in := &codeartifact.GetPackageVersionAssetInput{
		Domain: aws.String(dom), Repository: aws.String(id.repo), Format: id.fmt(), Namespace: id.nsPtr(),
		Package: aws.String(id.pkg), PackageVersion: aws.String(version), Asset: aws.String(asset),
	}
	if revision != "" {
		in.PackageVersionRevision = aws.String(revision)
	}
	out, err := s.ca.GetPackageVersionAsset(s.ctx, in)
	if err != nil {
		return nil, nil, err
	}
	defer out.Asset.Close()
	b, err := io.ReadAll(out.Asset)
	return out, b, err
}

func (s *scenario) getAsset(id pkgID, version, asset string) []byte {
	s.t.Helper()
	_, b, err := s.tryGetAsset(id, version, asset, "")
	if err != nil {
		s.t.Fatalf("get-package-version-asset %v %s %s: %v", id, version, asset, err)
	}
	return b
}

// versions lists a package's versions (all pages) as version -> status.
func (s *scenario) versions(id pkgID, opts ...func(*codeartifact.ListPackageVersionsInput)) ([]string, map[string]string, *codeartifact.ListPackageVersionsOutput) {
	s.t.Helper()
	in := &codeartifact.ListPackageVersionsInput{
		Domain: aws.String(dom), Repository: aws.String(id.repo), Format: id.fmt(), Namespace: id.nsPtr(), Package: aws.String(id.pkg),
	}
	for _, o := range opts {
		o(in)
	}
	var order []string
	statuses := map[string]string{}
	var first *codeartifact.ListPackageVersionsOutput
	p := codeartifact.NewListPackageVersionsPaginator(s.ca, in)
	for p.HasMorePages() {
		page, err := p.NextPage(s.ctx)
		if err != nil {
			s.t.Fatalf("list-package-versions %v: %v", id, err)
		}
		if first == nil {
			first = page
		}
		for _, v := range page.Versions {
			order = append(order, *v.Version)
			statuses[*v.Version] = string(v.Status)
		}
	}
	return order, statuses, first
}

func (s *scenario) assetNames(id pkgID, version string) []string {
	s.t.Helper()
	names := []string{}
	p := codeartifact.NewListPackageVersionAssetsPaginator(s.ca, &codeartifact.ListPackageVersionAssetsInput{
		Domain: aws.String(dom), Repository: aws.String(id.repo), Format: id.fmt(), Namespace: id.nsPtr(),
		Package: aws.String(id.pkg), PackageVersion: aws.String(version),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(s.ctx)
		if err != nil {
			s.t.Fatalf("list-package-version-assets %v %s: %v", id, version, err)
		}
		for _, a := range page.Assets {
			names = append(names, *a.Name)
		}
	}
	return names
}

// packages lists a repository's packages (all pages) as "format ns/name".
func (s *scenario) packages(repo string, opts ...func(*codeartifact.ListPackagesInput)) []string {
	s.t.Helper()
	in := &codeartifact.ListPackagesInput{Domain: aws.String(dom), Repository: aws.String(repo)}
	for _, o := range opts {
		o(in)
	}
	out := []string{}
	p := codeartifact.NewListPackagesPaginator(s.ca, in)
	for p.HasMorePages() {
		page, err := p.NextPage(s.ctx)
		if err != nil {
			s.t.Fatalf("list-packages %s: %v", repo, err)
		}
		for _, pk := range page.Packages {
			out = append(out, string(pk.Format)+" "+aws.ToString(pk.Namespace)+"/"+*pk.Package)
		}
	}
	return out
}

// snapshot is everything a user can read about the packages of dom.
type snapshot struct {
	AssetSizeBytes int64
	// Repos maps repository -> package -> origin restrictions and
	// version -> "status revision [assets]".
	Repos map[string]map[string]map[string]string
}

func (s *scenario) snapshot() snapshot {
	s.t.Helper()
	snap := snapshot{AssetSizeBytes: s.describeDomain(dom).AssetSizeBytes, Repos: map[string]map[string]map[string]string{}}
	for _, repo := range s.repoNames(dom) {
		pkgs := map[string]map[string]string{}
		p := codeartifact.NewListPackagesPaginator(s.ca, &codeartifact.ListPackagesInput{Domain: aws.String(dom), Repository: aws.String(repo)})
		for p.HasMorePages() {
			page, err := p.NextPage(s.ctx)
			if err != nil {
				s.t.Fatalf("list-packages %s: %v", repo, err)
			}
			for _, pk := range page.Packages {
				id := pkgID{repo: repo, format: string(pk.Format), ns: aws.ToString(pk.Namespace), pkg: *pk.Package}
				vs := map[string]string{"(origin)": fmt.Sprint(*pk.OriginConfiguration.Restrictions)}
				order, statuses, _ := s.versions(id)
				for _, v := range order {
					d := s.describeVersion(id, v)
					vs[v] = fmt.Sprintf("%s %s %v", statuses[v], aws.ToString(d.Revision), s.assetNames(id, v))
				}
				pkgs[string(pk.Format)+" "+aws.ToString(pk.Namespace)+"/"+*pk.Package] = vs
			}
		}
		snap.Repos[repo] = pkgs
	}
	return snap
}

// blobExists reports whether the blob store holds bytes with this digest.
func (s *scenario) blobExists(sha string) bool {
	return s.srv.HasBlob(s.t, sha)
}

func wantNotFound(t *testing.T, err error, doing string, resourceType types.ResourceType) {
	t.Helper()
	e := wantErr[*types.ResourceNotFoundException](t, err, doing)
	if e.ResourceType != resourceType {
		t.Errorf("%s: resourceType %q, want %q", doing, e.ResourceType, resourceType)
	}
}

// wantFailed asserts failedVersions: the error code of each version.
func wantFailed(t *testing.T, doing string, failed map[string]types.PackageVersionError, want map[string]types.PackageVersionErrorCode) {
	t.Helper()
	got := map[string]types.PackageVersionErrorCode{}
	for v, e := range failed {
		got[v] = e.ErrorCode
		if aws.ToString(e.ErrorMessage) == "" {
			t.Errorf("%s: failed version %s has no message", doing, v)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: failedVersions %v, want %v", doing, got, want)
	}
}

func successful(m map[string]types.SuccessfulPackageVersionInfo) map[string]string {
	out := map[string]string{}
	for v, i := range m {
		out[v] = string(i.Status)
	}
	return out
}

func newPackageScenario(t *testing.T, repos ...string) *scenario {
	s := start(t)
	s.createDomain(dom)
	for _, r := range repos {
		s.createRepo(dom, r)
	}
	return s
}

// --- PublishPackageVersion and GetPackageVersionAsset ---

func TestPublishGenericPackage(t *testing.T) {
	s := newPackageScenario(t, "repo")
	id := gen("repo", "tool")
	content := []byte("the first asset\n")
	out := s.publish(pub{repo: "repo", pkg: "tool", version: "1.0.0", asset: "tool.tar.gz", content: content})
	if out.Format != types.PackageFormatGeneric || aws.ToString(out.Namespace) != "ns" || *out.Package != "tool" || *out.Version != "1.0.0" ||
		out.Status != types.PackageVersionStatusPublished || aws.ToString(out.VersionRevision) == "" {
		t.Errorf("publish output: %+v", out)
	}
	if a := out.Asset; *a.Name != "tool.tar.gz" || *a.Size != int64(len(content)) || a.Hashes["SHA-256"] != sha256hex(content) ||
		len(a.Hashes["MD5"]) != 32 || len(a.Hashes["SHA-1"]) != 40 || len(a.Hashes["SHA-512"]) != 128 {
		t.Errorf("publish asset summary: %+v", a)
	}
	if got := s.describeDomain(dom).AssetSizeBytes; got != int64(len(content)) {
		t.Errorf("assetSizeBytes %d after publishing %d bytes", got, len(content))
	}

	// The asset downloads with the X-* metadata the clients read.
	got, b, err := s.tryGetAsset(id, "1.0.0", "tool.tar.gz", "")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, content) || *got.AssetName != "tool.tar.gz" || *got.PackageVersion != "1.0.0" || *got.PackageVersionRevision != *out.VersionRevision {
		t.Errorf("get-package-version-asset: %q %+v", b, got)
	}
	// With the current revision it downloads too.
	if _, b, err := s.tryGetAsset(id, "1.0.0", "tool.tar.gz", *out.VersionRevision); err != nil || !bytes.Equal(b, content) {
		t.Errorf("get-package-version-asset with the current revision: %v", err)
	}

	d := s.describeVersion(id, "1.0.0")
	if d.Format != types.PackageFormatGeneric || *d.Namespace != "ns" || *d.PackageName != "tool" || *d.DisplayName != "tool" ||
		*d.Version != "1.0.0" || d.Status != types.PackageVersionStatusPublished || *d.Revision != *out.VersionRevision ||
		d.PublishedTime == nil || time.Since(*d.PublishedTime) > time.Minute ||
		d.Origin == nil || d.Origin.OriginType != types.PackageVersionOriginTypeInternal || aws.ToString(d.Origin.DomainEntryPoint.RepositoryName) != "repo" {
		t.Errorf("describe-package-version: %+v", d)
	}

	// A Published generic version is closed: a new asset is refused and
	// nothing changes.
	second := []byte("the second asset")
	closed := s.snapshot()
	_, err = s.tryPublish(pub{repo: "repo", pkg: "tool", version: "1.0.0", asset: "tool.sig", content: second})
	wantErr[*types.ConflictException](t, err, "adding an asset to a Published generic version")
	s.unchanged("adding an asset to a Published generic version", closed, s.snapshot())

	// While a version is Unfinished, a second asset joins it and changes
	// its revision; the publish without --unfinished closes it.
	first := s.publish(pub{repo: "repo", pkg: "tool", version: "1.1.0", asset: "tool.tar.gz", content: content, unfinished: true})
	out2 := s.publish(pub{repo: "repo", pkg: "tool", version: "1.1.0", asset: "tool.sig", content: second})
	if *out2.VersionRevision == *first.VersionRevision || out2.Status != types.PackageVersionStatusPublished {
		t.Errorf("adding the last asset: revision %s (was %s), status %s", *out2.VersionRevision, *first.VersionRevision, out2.Status)
	}
	if names := s.assetNames(id, "1.1.0"); !slices.Equal(names, []string{"tool.sig", "tool.tar.gz"}) {
		t.Errorf("assets %v", names)
	}
	// tool.tar.gz of 1.0.0 and 1.1.0 share their bytes: counted once.
	if got := s.describeDomain(dom).AssetSizeBytes; got != int64(len(content)+len(second)) {
		t.Errorf("assetSizeBytes %d, want %d", got, len(content)+len(second))
	}
	// The Unfinished revision no longer names the version.
	_, _, err = s.tryGetAsset(id, "1.1.0", "tool.tar.gz", *first.VersionRevision)
	wantNotFound(t, err, "get-package-version-asset with an old revision", types.ResourceTypePackageVersion)

	// The same asset with the same bytes again: idempotent.
	before := s.snapshot()
	again := s.publish(pub{repo: "repo", pkg: "tool", version: "1.1.0", asset: "tool.sig", content: second})
	if *again.VersionRevision != *out2.VersionRevision {
		t.Error("republishing identical bytes changed the revision")
	}
	s.unchanged("republishing identical bytes", before, s.snapshot())

	// The same name with other bytes: 409, nothing changes (User Guide,
	// "Overwriting package assets").
	_, err = s.tryPublish(pub{repo: "repo", pkg: "tool", version: "1.1.0", asset: "tool.sig", content: []byte("different")})
	wantErr[*types.ConflictException](t, err, "publishing other bytes under an existing asset name")
	s.unchanged("publishing other bytes under an existing asset name", before, s.snapshot())

	// Unknown assets and versions are ResourceNotFound.
	_, _, err = s.tryGetAsset(id, "1.0.0", "missing.bin", "")
	wantNotFound(t, err, "get-package-version-asset of a missing asset", types.ResourceTypeAsset)
	_, _, err = s.tryGetAsset(id, "9.9.9", "tool.sig", "")
	wantNotFound(t, err, "get-package-version-asset of a missing version", types.ResourceTypePackageVersion)
	_, _, err = s.tryGetAsset(gen("repo", "nothing"), "1.0.0", "tool.sig", "")
	wantNotFound(t, err, "get-package-version-asset of a missing package", types.ResourceTypePackage)
}

func TestPublishRefusals(t *testing.T) {
	s := newPackageScenario(t, "repo", "up")
	s.createRepo(dom, "down", "up")
	s.publish(pub{repo: "repo", pkg: "tool", version: "1.0.0", asset: "a.bin", content: []byte("existing")})
	s.publish(pub{repo: "up", pkg: "shared", version: "1.0.0", asset: "a.bin", content: []byte("upstream copy")})
	fresh := []byte("bytes that must not be stored")

	cases := []struct {
		name  string
		p     pub
		opts  []func(*codeartifact.Options)
		check errCheck
	}{
		{"a body that does not match its SHA-256", pub{repo: "repo", pkg: "tool", version: "2.0.0", asset: "b.bin", content: fresh, sha: sha256hex([]byte("something else"))},
			[]func(*codeartifact.Options){botocoreSigning}, is[*types.ValidationException]()},
		{"a streamed body that does not match its SHA-256", pub{repo: "repo", pkg: "tool", version: "2.0.0", asset: "b.bin", content: fresh, sha: sha256hex([]byte("something else")), body: io.MultiReader(bytes.NewReader(fresh))},
			[]func(*codeartifact.Options){botocoreSigning}, is[*types.ValidationException]()},
		{"no namespace", pub{repo: "repo", ns: "-", pkg: "tool", version: "2.0.0", asset: "b.bin", content: fresh}, nil, is[*types.ValidationException]()},
		{"an asset name with a space", pub{repo: "repo", pkg: "tool", version: "2.0.0", asset: "a b.bin", content: fresh}, nil, is[*types.ValidationException]()},
		{"an asset name with a slash", pub{repo: "repo", pkg: "tool", version: "2.0.0", asset: "dir/b.bin", content: fresh}, nil, is[*types.ValidationException]()},
		{"a version an upstream repository has", pub{repo: "down", pkg: "shared", version: "1.0.0", asset: "a.bin", content: fresh}, nil, is[*types.ConflictException]()},
		{"a missing repository", pub{repo: "nope", pkg: "tool", version: "2.0.0", asset: "b.bin", content: fresh}, nil, func(t *testing.T, err error, doing string) {
			wantNotFound(t, err, doing, types.ResourceTypeRepository)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := s.snapshot()
			if c.p.ns == "-" {
				// The SDK sends no namespace member when it is nil.
				_, err := s.ca.PublishPackageVersion(s.ctx, &codeartifact.PublishPackageVersionInput{
					Domain: aws.String(dom), Repository: aws.String(c.p.repo), Format: types.PackageFormatGeneric,
					Package: aws.String(c.p.pkg), PackageVersion: aws.String(c.p.version), AssetName: aws.String(c.p.asset),
					AssetSHA256: aws.String(sha256hex(c.p.content)), AssetContent: bytes.NewReader(c.p.content),
				})
				c.check(t, err, "publish-package-version with "+c.name)
			} else {
				_, err := s.tryPublish(c.p, c.opts...)
				c.check(t, err, "publish-package-version with "+c.name)
			}
			s.unchanged("publish-package-version with "+c.name, before, s.snapshot())
			if s.blobExists(sha256hex(fresh)) {
				t.Errorf("publish-package-version with %s stored the bytes", c.name)
			}
		})
	}

	// Only generic packages publish through this API.
	before := s.snapshot()
	_, err := s.ca.PublishPackageVersion(s.ctx, &codeartifact.PublishPackageVersionInput{
		Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatNpm,
		Package: aws.String("left-pad"), PackageVersion: aws.String("1.0.0"), AssetName: aws.String("package.tgz"),
		AssetSHA256: aws.String(sha256hex(fresh)), AssetContent: bytes.NewReader(fresh),
	})
	wantErr[*types.ValidationException](t, err, "publish-package-version --format npm")
	s.unchanged("publish-package-version --format npm", before, s.snapshot())

	// The right SHA-256, signed the botocore way and streamed from a reader
	// that cannot seek, publishes.
	if _, err := s.tryPublish(pub{repo: "repo", pkg: "tool", version: "2.0.0", asset: "b.bin", content: fresh, body: io.MultiReader(bytes.NewReader(fresh))}, botocoreSigning); err != nil {
		t.Fatalf("streamed publish with the right SHA-256: %v", err)
	}
	if !s.blobExists(sha256hex(fresh)) || !bytes.Equal(s.getAsset(gen("repo", "tool"), "2.0.0", "b.bin"), fresh) {
		t.Error("the streamed asset is not stored")
	}
}

// TestPublishOriginBlocked shows publish=BLOCK refusing a publish, and
// ALLOW letting it through.
func TestPublishOriginBlocked(t *testing.T) {
	s := newPackageScenario(t, "repo")
	put := func(publish types.AllowPublish) *codeartifact.PutPackageOriginConfigurationOutput {
		t.Helper()
		return must(s.ca.PutPackageOriginConfiguration(s.ctx, &codeartifact.PutPackageOriginConfigurationInput{
			Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric,
			Namespace: aws.String("ns"), Package: aws.String("blocked"),
			Restrictions: &types.PackageOriginRestrictions{Publish: publish, Upstream: types.AllowUpstreamBlock},
		}))(t)
	}
	out := put(types.AllowPublishBlock)
	if r := out.OriginConfiguration.Restrictions; r.Publish != types.AllowPublishBlock || r.Upstream != types.AllowUpstreamBlock {
		t.Errorf("put-package-origin-configuration: %+v", r)
	}
	// The package exists with no versions.
	if got := s.packages("repo"); !slices.Equal(got, []string{"generic ns/blocked"}) {
		t.Errorf("list-packages after put-package-origin-configuration: %v", got)
	}
	before := s.snapshot()
	_, err := s.tryPublish(pub{repo: "repo", pkg: "blocked", version: "1.0.0", asset: "a", content: []byte("x")})
	wantErr[*types.AccessDeniedException](t, err, "publishing to a package with publish=BLOCK")
	s.unchanged("publishing to a package with publish=BLOCK", before, s.snapshot())

	put(types.AllowPublishAllow)
	s.publish(pub{repo: "repo", pkg: "blocked", version: "1.0.0", asset: "a", content: []byte("x")})
	desc := must(s.ca.DescribePackage(s.ctx, &codeartifact.DescribePackageInput{
		Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("blocked"),
	}))(t)
	if r := desc.Package.OriginConfiguration.Restrictions; r.Publish != types.AllowPublishAllow || r.Upstream != types.AllowUpstreamBlock {
		t.Errorf("describe-package after publishing: %+v", r)
	}
}

func TestPublishUnfinished(t *testing.T) {
	s := newPackageScenario(t, "repo")
	id := gen("repo", "build")
	out := s.publish(pub{repo: "repo", pkg: "build", version: "1.0.0", asset: "part1", content: []byte("one"), unfinished: true})
	if out.Status != types.PackageVersionStatusUnfinished {
		t.Fatalf("publish --unfinished: status %s", out.Status)
	}
	_, _, err := s.tryGetAsset(id, "1.0.0", "part1", "")
	wantErr[*types.ConflictException](t, err, "downloading from an Unfinished version")
	s.publish(pub{repo: "repo", pkg: "build", version: "1.0.0", asset: "part2", content: []byte("two"), unfinished: true})
	if st := s.describeVersion(id, "1.0.0").Status; st != types.PackageVersionStatusUnfinished {
		t.Errorf("after a second --unfinished asset: %s", st)
	}
	last := s.publish(pub{repo: "repo", pkg: "build", version: "1.0.0", asset: "part3", content: []byte("three")})
	if last.Status != types.PackageVersionStatusPublished || s.describeVersion(id, "1.0.0").Status != types.PackageVersionStatusPublished {
		t.Errorf("the final asset without --unfinished: status %s", last.Status)
	}
	if names := s.assetNames(id, "1.0.0"); !slices.Equal(names, []string{"part1", "part2", "part3"}) {
		t.Errorf("assets %v", names)
	}
	if b := s.getAsset(id, "1.0.0", "part1"); string(b) != "one" {
		t.Errorf("part1 = %q", b)
	}
	// Published never goes back to Unfinished, and takes no more assets.
	closed := s.snapshot()
	_, err = s.tryPublish(pub{repo: "repo", pkg: "build", version: "1.0.0", asset: "part4", content: []byte("four"), unfinished: true})
	wantErr[*types.ConflictException](t, err, "--unfinished on a Published version")
	s.unchanged("--unfinished on a Published version", closed, s.snapshot())
	// Unfinished is not a status UpdatePackageVersionsStatus sets.
	before := s.snapshot()
	_, err = s.ca.UpdatePackageVersionsStatus(s.ctx, &codeartifact.UpdatePackageVersionsStatusInput{
		Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"),
		Package: aws.String("build"), Versions: []string{"1.0.0"}, TargetStatus: types.PackageVersionStatusUnfinished,
	})
	wantErr[*types.ValidationException](t, err, "update-package-versions-status --target-status Unfinished")
	s.unchanged("update-package-versions-status --target-status Unfinished", before, s.snapshot())
}

// TestPublishAssetLimits checks the User Guide's quotas: 100 assets per
// version, 1 GB per asset.
func TestPublishAssetLimits(t *testing.T) {
	s := newPackageScenario(t, "repo")
	for i := range 100 {
		s.publish(pub{repo: "repo", pkg: "many", version: "1.0.0", asset: fmt.Sprintf("a%03d", i), content: []byte{byte(i)}, unfinished: true})
	}
	before := s.snapshot()
	_, err := s.tryPublish(pub{repo: "repo", pkg: "many", version: "1.0.0", asset: "a100", content: []byte("one too many")})
	wantErr[*types.ServiceQuotaExceededException](t, err, "publishing a 101st asset")
	s.unchanged("publishing a 101st asset", before, s.snapshot())
	if got := len(s.assetNames(gen("repo", "many"), "1.0.0")); got != 100 {
		t.Errorf("%d assets, want 100", got)
	}

	// A body announced as larger than 1 GB is refused before it is read:
	// the request goes out with its headers only.
	resp := s.rawPublishHeaders("/v1/package/version/publish?domain=dom&repository=repo&format=generic&namespace=ns&package=big&version=1.0.0&asset=big.bin", 1<<30+1)
	if resp.StatusCode != http.StatusPaymentRequired || resp.Header.Get("X-Amzn-Errortype") != "ServiceQuotaExceededException" {
		t.Errorf("a 1 GB + 1 byte asset: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}
	s.unchanged("a 1 GB + 1 byte asset", before, s.snapshot())
}

// rawPublishHeaders sends a signed PublishPackageVersion request whose
// Content-Length announces length bytes, without sending any of them,
// and returns the server's answer.
func (s *scenario) rawPublishHeaders(target string, length int64) *http.Response {
	s.t.Helper()
	req, err := http.NewRequest("POST", s.srv.URL+target, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	sha := sha256hex(nil)
	req.Header.Set("X-Amz-Content-Sha256", sha)
	req.ContentLength = length
	creds := aws.Credentials{AccessKeyID: servertest.AccessKeyID, SecretAccessKey: servertest.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(s.ctx, creds, req, sha, "codeartifact", servertest.Region, time.Now()); err != nil {
		s.t.Fatal(err)
	}
	conn, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { conn.Close() })
	var head strings.Builder
	fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", req.URL.RequestURI(), req.URL.Host, length)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		s.t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// --- ListPackages ---

func TestListPackages(t *testing.T) {
	s := newPackageScenario(t, "repo", "other")
	put := func(format types.PackageFormat, ns, name string, publish types.AllowPublish) {
		t.Helper()
		in := &codeartifact.PutPackageOriginConfigurationInput{
			Domain: aws.String(dom), Repository: aws.String("repo"), Format: format, Package: aws.String(name),
			Restrictions: &types.PackageOriginRestrictions{Publish: publish, Upstream: types.AllowUpstreamAllow},
		}
		if ns != "" {
			in.Namespace = aws.String(ns)
		}
		must(s.ca.PutPackageOriginConfiguration(s.ctx, in))(t)
	}
	put(types.PackageFormatNpm, "", "lodash", types.AllowPublishAllow)
	put(types.PackageFormatNpm, "", "left-pad", types.AllowPublishBlock)
	put(types.PackageFormatNpm, "types", "node", types.AllowPublishAllow)
	put(types.PackageFormatNpm, "typescript-eslint", "parser", types.AllowPublishAllow)
	put(types.PackageFormatPypi, "", "lodash", types.AllowPublishAllow)
	s.publish(pub{repo: "repo", ns: "tools", pkg: "lint", version: "1.0.0", asset: "a", content: []byte("a")})
	s.publish(pub{repo: "other", ns: "tools", pkg: "elsewhere", version: "1.0.0", asset: "a", content: []byte("a")})

	all := []string{"generic tools/lint", "npm /left-pad", "npm /lodash", "npm types/node", "npm typescript-eslint/parser", "pypi /lodash"}
	cases := []struct {
		name string
		in   func(*codeartifact.ListPackagesInput)
		want []string
	}{
		{"no filter", func(*codeartifact.ListPackagesInput) {}, all},
		{"--format npm", func(in *codeartifact.ListPackagesInput) { in.Format = types.PackageFormatNpm },
			[]string{"npm /left-pad", "npm /lodash", "npm types/node", "npm typescript-eslint/parser"}},
		{"--format npm --namespace types (a prefix, as the model says)", func(in *codeartifact.ListPackagesInput) {
			in.Format, in.Namespace = types.PackageFormatNpm, aws.String("types")
		}, []string{"npm types/node", "npm typescript-eslint/parser"}},
		{"--format npm --namespace typescript-", func(in *codeartifact.ListPackagesInput) {
			in.Format, in.Namespace = types.PackageFormatNpm, aws.String("typescript-")
		}, []string{"npm typescript-eslint/parser"}},
		{"--package-prefix lo", func(in *codeartifact.ListPackagesInput) { in.PackagePrefix = aws.String("lo") },
			[]string{"npm /lodash", "pypi /lodash"}},
		{"--format pypi --package-prefix x", func(in *codeartifact.ListPackagesInput) {
			in.Format, in.PackagePrefix = types.PackageFormatPypi, aws.String("x")
		}, []string{}},
		{"--publish BLOCK", func(in *codeartifact.ListPackagesInput) { in.Publish = types.AllowPublishBlock }, []string{"npm /left-pad"}},
		{"--upstream BLOCK (published packages block upstreams)", func(in *codeartifact.ListPackagesInput) { in.Upstream = types.AllowUpstreamBlock },
			[]string{"generic tools/lint"}},
	}
	for _, c := range cases {
		for _, size := range []int32{0, 1, 2} {
			got := s.packages("repo", c.in, func(in *codeartifact.ListPackagesInput) {
				if size > 0 {
					in.MaxResults = aws.Int32(size)
				}
			})
			if !slices.Equal(got, c.want) {
				t.Errorf("list-packages %s (page size %d) = %v, want %v", c.name, size, got, c.want)
			}
		}
	}

	// One page of one package has a nextToken, good only for the listing
	// it came from.
	page := must(s.ca.ListPackages(s.ctx, &codeartifact.ListPackagesInput{Domain: aws.String(dom), Repository: aws.String("repo"), MaxResults: aws.Int32(1)}))(t)
	if len(page.Packages) != 1 || page.NextToken == nil {
		t.Fatalf("list-packages --max-results 1: %d packages, nextToken %v", len(page.Packages), page.NextToken)
	}
	if o := page.Packages[0].OriginConfiguration; o == nil || o.Restrictions.Publish != types.AllowPublishAllow || o.Restrictions.Upstream != types.AllowUpstreamBlock {
		t.Errorf("list-packages origin configuration: %+v", o)
	}
	_, err := s.ca.ListPackages(s.ctx, &codeartifact.ListPackagesInput{Domain: aws.String(dom), Repository: aws.String("other"), NextToken: page.NextToken})
	wantErr[*types.ValidationException](t, err, "list-packages of another repository with a nextToken")
	_, err = s.ca.ListPackages(s.ctx, &codeartifact.ListPackagesInput{Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatNpm, NextToken: page.NextToken})
	wantErr[*types.ValidationException](t, err, "list-packages with other filters and a nextToken")

	// --namespace without --format is an error (User Guide, "Supported
	// search option combinations").
	_, err = s.ca.ListPackages(s.ctx, &codeartifact.ListPackagesInput{Domain: aws.String(dom), Repository: aws.String("repo"), Namespace: aws.String("types")})
	wantErr[*types.ValidationException](t, err, "list-packages --namespace without --format")
	_, err = s.ca.ListPackages(s.ctx, &codeartifact.ListPackagesInput{Domain: aws.String(dom), Repository: aws.String("nope")})
	wantNotFound(t, err, "list-packages of a missing repository", types.ResourceTypeRepository)
	_, err = s.ca.ListPackages(s.ctx, &codeartifact.ListPackagesInput{Domain: aws.String("no-domain"), Repository: aws.String("repo")})
	wantNotFound(t, err, "list-packages in a missing domain", types.ResourceTypeDomain)
}

// TestListPackagesDefaultPageSize checks the guide's default of 100.
func TestListPackagesDefaultPageSize(t *testing.T) {
	s := newPackageScenario(t, "repo")
	for i := range 101 {
		must(s.ca.PutPackageOriginConfiguration(s.ctx, &codeartifact.PutPackageOriginConfigurationInput{
			Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatPypi, Package: aws.String(fmt.Sprintf("p%03d", i)),
			Restrictions: &types.PackageOriginRestrictions{Publish: types.AllowPublishAllow, Upstream: types.AllowUpstreamAllow},
		}))(t)
	}
	page := must(s.ca.ListPackages(s.ctx, &codeartifact.ListPackagesInput{Domain: aws.String(dom), Repository: aws.String("repo")}))(t)
	if len(page.Packages) != 100 || page.NextToken == nil {
		t.Fatalf("first page: %d packages, nextToken %v", len(page.Packages), page.NextToken)
	}
	next := must(s.ca.ListPackages(s.ctx, &codeartifact.ListPackagesInput{Domain: aws.String(dom), Repository: aws.String("repo"), NextToken: page.NextToken}))(t)
	if len(next.Packages) != 1 || *next.Packages[0].Package != "p100" || next.NextToken != nil {
		t.Errorf("second page: %d packages, nextToken %v", len(next.Packages), next.NextToken)
	}
}

// --- DescribePackage, DeletePackage ---

func TestDescribeAndDeletePackage(t *testing.T) {
	s := newPackageScenario(t, "repo")
	s.publish(pub{repo: "repo", pkg: "gone", version: "1.0.0", asset: "a", content: []byte("12345")})
	s.publish(pub{repo: "repo", pkg: "gone", version: "2.0.0", asset: "a", content: []byte("6789")})
	s.publish(pub{repo: "repo", pkg: "kept", version: "1.0.0", asset: "a", content: []byte("12345")}) // shares bytes with gone 1.0.0
	in := &codeartifact.DescribePackageInput{Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("gone")}
	d := must(s.ca.DescribePackage(s.ctx, in))(t).Package
	if d.Format != types.PackageFormatGeneric || *d.Namespace != "ns" || *d.Name != "gone" ||
		d.OriginConfiguration.Restrictions.Publish != types.AllowPublishAllow || d.OriginConfiguration.Restrictions.Upstream != types.AllowUpstreamBlock {
		t.Errorf("describe-package: %+v %+v", d, d.OriginConfiguration.Restrictions)
	}
	if got := s.describeDomain(dom).AssetSizeBytes; got != 9 {
		t.Errorf("assetSizeBytes %d, want 9 (12345 counted once, 6789)", got)
	}

	del := must(s.ca.DeletePackage(s.ctx, &codeartifact.DeletePackageInput{Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("gone")}))(t)
	if p := del.DeletedPackage; p == nil || *p.Package != "gone" || *p.Namespace != "ns" || p.Format != types.PackageFormatGeneric || p.OriginConfiguration == nil {
		t.Errorf("delete-package: %+v", del.DeletedPackage)
	}
	if got := s.packages("repo"); !slices.Equal(got, []string{"generic ns/kept"}) {
		t.Errorf("packages after delete-package: %v", got)
	}
	if got := s.describeDomain(dom).AssetSizeBytes; got != 5 {
		t.Errorf("assetSizeBytes after delete-package %d, want 5 (the bytes kept still references)", got)
	}
	_, err := s.ca.DescribePackage(s.ctx, in)
	wantNotFound(t, err, "describe-package of a deleted package", types.ResourceTypePackage)
	before := s.snapshot()
	_, err = s.ca.DeletePackage(s.ctx, &codeartifact.DeletePackageInput{Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("gone")})
	wantNotFound(t, err, "delete-package of a deleted package", types.ResourceTypePackage)
	s.unchanged("delete-package of a deleted package", before, s.snapshot())
	// Generic packages need their namespace.
	_, err = s.ca.DescribePackage(s.ctx, &codeartifact.DescribePackageInput{Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Package: aws.String("kept")})
	wantErr[*types.ValidationException](t, err, "describe-package of a generic package without namespace")
}

// --- ListPackageVersions ---

func TestListPackageVersions(t *testing.T) {
	s := newPackageScenario(t, "repo")
	id := gen("repo", "lib")
	// Published in this order, a millisecond apart at least.
	for _, v := range []string{"1.2.0", "1.10.0", "0.9.0", "2.0.0-beta.1", "1.9.0"} {
		s.publish(pub{repo: "repo", pkg: "lib", version: v, asset: "lib.zip", content: []byte("lib " + v)})
		time.Sleep(3 * time.Millisecond)
	}
	byVersion := []string{"2.0.0-beta.1", "1.10.0", "1.9.0", "1.2.0", "0.9.0"}
	byTime := []string{"1.9.0", "2.0.0-beta.1", "0.9.0", "1.10.0", "1.2.0"}
	for _, size := range []int32{0, 1, 2, 1000} {
		setSize := func(in *codeartifact.ListPackageVersionsInput) {
			if size > 0 {
				in.MaxResults = aws.Int32(size)
			}
		}
		if got, _, first := s.versions(id, setSize); !slices.Equal(got, byVersion) || aws.ToString(first.DefaultDisplayVersion) != "1.9.0" ||
			first.Format != types.PackageFormatGeneric || aws.ToString(first.Namespace) != "ns" || aws.ToString(first.Package) != "lib" {
			t.Errorf("list-package-versions (page size %d) = %v, default %v, want %v and 1.9.0", size, got, aws.ToString(first.DefaultDisplayVersion), byVersion)
		}
		if got, _, _ := s.versions(id, setSize, func(in *codeartifact.ListPackageVersionsInput) { in.SortBy = types.PackageVersionSortTypePublishedTime }); !slices.Equal(got, byTime) {
			t.Errorf("list-package-versions --sort-by PUBLISHED_TIME (page size %d) = %v, want %v", size, got, byTime)
		}
	}

	// Statuses: every status by default (the model), one with --status.
	update := func(target types.PackageVersionStatus, versions ...string) {
		t.Helper()
		out := must(s.ca.UpdatePackageVersionsStatus(s.ctx, &codeartifact.UpdatePackageVersionsStatusInput{
			Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"),
			Package: aws.String("lib"), Versions: versions, TargetStatus: target,
		}))(t)
		if len(out.FailedVersions) > 0 {
			t.Fatalf("update-package-versions-status %s %v: %v", target, versions, out.FailedVersions)
		}
	}
	update(types.PackageVersionStatusUnlisted, "1.9.0")
	update(types.PackageVersionStatusArchived, "0.9.0", "1.2.0")
	_, statuses, first := s.versions(id)
	if fmt.Sprint(statuses) != "map[0.9.0:Archived 1.10.0:Published 1.2.0:Archived 1.9.0:Unlisted 2.0.0-beta.1:Published]" {
		t.Errorf("statuses %v", statuses)
	}
	// The most recently published version is Unlisted now: the default
	// display version is the most recent Published one.
	if got := aws.ToString(first.DefaultDisplayVersion); got != "2.0.0-beta.1" {
		t.Errorf("defaultDisplayVersion %q, want 2.0.0-beta.1", got)
	}
	for status, want := range map[types.PackageVersionStatus][]string{
		types.PackageVersionStatusArchived:  {"1.2.0", "0.9.0"},
		types.PackageVersionStatusPublished: {"2.0.0-beta.1", "1.10.0"},
		types.PackageVersionStatusUnlisted:  {"1.9.0"},
		types.PackageVersionStatusDisposed:  nil,
	} {
		for _, size := range []int32{0, 1} {
			got, _, _ := s.versions(id, func(in *codeartifact.ListPackageVersionsInput) {
				in.Status = status
				if size > 0 {
					in.MaxResults = aws.Int32(size)
				}
			})
			if !slices.Equal(got, want) {
				t.Errorf("list-package-versions --status %s (page size %d) = %v, want %v", status, size, got, want)
			}
		}
	}
	// Origin: everything here was published, nothing ingested.
	if got, _, _ := s.versions(id, func(in *codeartifact.ListPackageVersionsInput) {
		in.OriginType = types.PackageVersionOriginTypeInternal
	}); len(got) != 5 {
		t.Errorf("--origin-type INTERNAL: %v", got)
	}
	if got, _, _ := s.versions(id, func(in *codeartifact.ListPackageVersionsInput) {
		in.OriginType = types.PackageVersionOriginTypeExternal
	}); len(got) != 0 {
		t.Errorf("--origin-type EXTERNAL: %v", got)
	}
	page := must(s.ca.ListPackageVersions(s.ctx, &codeartifact.ListPackageVersionsInput{
		Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("lib"), MaxResults: aws.Int32(1),
	}))(t)
	v := page.Versions[0]
	if *v.Version != "2.0.0-beta.1" || aws.ToString(v.Revision) == "" || v.Origin == nil || v.Origin.OriginType != types.PackageVersionOriginTypeInternal ||
		aws.ToString(v.Origin.DomainEntryPoint.RepositoryName) != "repo" || page.NextToken == nil {
		t.Errorf("list-package-versions summary: %+v %+v", v, v.Origin)
	}
	// A token is sealed to its listing.
	_, err := s.ca.ListPackageVersions(s.ctx, &codeartifact.ListPackageVersionsInput{
		Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("lib"),
		Status: types.PackageVersionStatusArchived, NextToken: page.NextToken,
	})
	wantErr[*types.ValidationException](t, err, "list-package-versions with another filter's nextToken")
	// A version deleted between pages does not shift the next page.
	must(s.ca.DeletePackageVersions(s.ctx, &codeartifact.DeletePackageVersionsInput{
		Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("lib"), Versions: []string{"2.0.0-beta.1"},
	}))(t)
	next := must(s.ca.ListPackageVersions(s.ctx, &codeartifact.ListPackageVersionsInput{
		Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("lib"),
		MaxResults: aws.Int32(1), NextToken: page.NextToken,
	}))(t)
	if len(next.Versions) != 1 || *next.Versions[0].Version != "1.10.0" {
		t.Errorf("the page after a deleted version: %+v", next.Versions)
	}

	_, err = s.ca.ListPackageVersions(s.ctx, &codeartifact.ListPackageVersionsInput{Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("nothing")})
	wantNotFound(t, err, "list-package-versions of a missing package", types.ResourceTypePackage)
}

// --- DescribePackageVersion, readme, dependencies, assets ---

func TestVersionDetails(t *testing.T) {
	s := newPackageScenario(t, "repo")
	id := gen("repo", "doc")
	contents := map[string]string{"b.txt": "bee", "a.txt": "ay", "ü.txt": "umlaut", "c.txt": "see"}
	for name, c := range contents {
		s.publish(pub{repo: "repo", pkg: "doc", version: "1.0.0", asset: name, content: []byte(c), unfinished: true})
	}
	s.publish(pub{repo: "repo", pkg: "doc", version: "1.0.0", asset: "a.txt", content: []byte(contents["a.txt"])}) // publishes it
	d := s.describeVersion(id, "1.0.0")
	dm, rp, ns, pk := aws.String(dom), aws.String("repo"), aws.String("ns"), aws.String("doc")
	readme := must(s.ca.GetPackageVersionReadme(s.ctx, &codeartifact.GetPackageVersionReadmeInput{Domain: dm, Repository: rp, Format: types.PackageFormatGeneric, Namespace: ns, Package: pk, PackageVersion: aws.String("1.0.0")}))(t)
	if aws.ToString(readme.Readme) != "" || *readme.Version != "1.0.0" || *readme.VersionRevision != *d.Revision || *readme.Package != "doc" || *readme.Namespace != "ns" {
		t.Errorf("get-package-version-readme: %+v", readme)
	}
	deps := must(s.ca.ListPackageVersionDependencies(s.ctx, &codeartifact.ListPackageVersionDependenciesInput{Domain: dm, Repository: rp, Format: types.PackageFormatGeneric, Namespace: ns, Package: pk, PackageVersion: aws.String("1.0.0")}))(t)
	if deps.Dependencies == nil || len(deps.Dependencies) != 0 || *deps.VersionRevision != *d.Revision || deps.NextToken != nil {
		t.Errorf("list-package-version-dependencies: %+v", deps)
	}
	_, err := s.ca.ListPackageVersionDependencies(s.ctx, &codeartifact.ListPackageVersionDependenciesInput{Domain: dm, Repository: rp, Format: types.PackageFormatGeneric, Namespace: ns, Package: pk, PackageVersion: aws.String("1.0.0"), NextToken: aws.String("not-a-token")})
	wantErr[*types.ValidationException](t, err, "list-package-version-dependencies with a token it never gave")

	// Assets come sorted by name, a page at a time, with all four hashes.
	if got := s.assetNames(id, "1.0.0"); !slices.Equal(got, []string{"a.txt", "b.txt", "c.txt", "ü.txt"}) {
		t.Errorf("assets %v", got)
	}
	var names []string
	p := codeartifact.NewListPackageVersionAssetsPaginator(s.ca, &codeartifact.ListPackageVersionAssetsInput{
		Domain: dm, Repository: rp, Format: types.PackageFormatGeneric, Namespace: ns, Package: pk, PackageVersion: aws.String("1.0.0"), MaxResults: aws.Int32(1),
	})
	for p.HasMorePages() {
		page := must(p.NextPage(s.ctx))(t)
		if *page.VersionRevision != *d.Revision || *page.Version != "1.0.0" || page.Format != types.PackageFormatGeneric {
			t.Errorf("list-package-version-assets page: %+v", page)
		}
		for _, a := range page.Assets {
			names = append(names, *a.Name)
			c := contents[*a.Name]
			if *a.Size != int64(len(c)) || a.Hashes["SHA-256"] != sha256hex([]byte(c)) || len(a.Hashes) != 4 {
				t.Errorf("asset %s: size %d hashes %v", *a.Name, *a.Size, a.Hashes)
			}
		}
	}
	if !slices.Equal(names, []string{"a.txt", "b.txt", "c.txt", "ü.txt"}) {
		t.Errorf("assets one page at a time: %v", names)
	}
	// A non-ASCII asset name goes out as UTF-8 in X-AssetName.
	got, b, err := s.tryGetAsset(id, "1.0.0", "ü.txt", "")
	if err != nil || string(b) != "umlaut" || *got.AssetName != "ü.txt" {
		t.Errorf("get-package-version-asset ü.txt: %v %q %+v", err, b, got)
	}

	_, err = s.ca.DescribePackageVersion(s.ctx, &codeartifact.DescribePackageVersionInput{Domain: dm, Repository: rp, Format: types.PackageFormatGeneric, Namespace: ns, Package: pk, PackageVersion: aws.String("2.0.0")})
	wantNotFound(t, err, "describe-package-version of a missing version", types.ResourceTypePackageVersion)
	_, err = s.ca.GetPackageVersionReadme(s.ctx, &codeartifact.GetPackageVersionReadmeInput{Domain: dm, Repository: rp, Format: types.PackageFormatGeneric, Namespace: ns, Package: pk, PackageVersion: aws.String("2.0.0")})
	wantNotFound(t, err, "get-package-version-readme of a missing version", types.ResourceTypePackageVersion)
	_, err = s.ca.ListPackageVersionAssets(s.ctx, &codeartifact.ListPackageVersionAssetsInput{Domain: dm, Repository: rp, Format: types.PackageFormatGeneric, Namespace: ns, Package: pk, PackageVersion: aws.String("2.0.0")})
	wantNotFound(t, err, "list-package-version-assets of a missing version", types.ResourceTypePackageVersion)
	_, err = s.ca.ListPackageVersionDependencies(s.ctx, &codeartifact.ListPackageVersionDependenciesInput{Domain: dm, Repository: rp, Format: types.PackageFormatGeneric, Namespace: ns, Package: pk, PackageVersion: aws.String("2.0.0")})
	wantNotFound(t, err, "list-package-version-dependencies of a missing version", types.ResourceTypePackageVersion)
}

// --- UpdatePackageVersionsStatus ---

func TestUpdatePackageVersionsStatus(t *testing.T) {
	s := newPackageScenario(t, "repo")
	id := gen("repo", "chalk")
	for _, v := range []string{"4.0.0", "4.1.0"} {
		s.publish(pub{repo: "repo", pkg: "chalk", version: v, asset: "chalk.tgz", content: []byte("chalk " + v)})
	}
	rev := func(v string) string { return *s.describeVersion(id, v).Revision }
	call := func(in codeartifact.UpdatePackageVersionsStatusInput) (*codeartifact.UpdatePackageVersionsStatusOutput, error) {
		in.Domain, in.Repository, in.Format, in.Namespace, in.Package = aws.String(dom), aws.String("repo"), types.PackageFormatGeneric, aws.String("ns"), aws.String("chalk")
		return s.ca.UpdatePackageVersionsStatus(s.ctx, &in)
	}

	// The guide's examples, one by one.
	out := must(call(codeartifact.UpdatePackageVersionsStatusInput{Versions: []string{"4.1.0"}, TargetStatus: types.PackageVersionStatusArchived}))(t)
	if fmt.Sprint(successful(out.SuccessfulVersions)) != "map[4.1.0:Archived]" || len(out.FailedVersions) != 0 ||
		aws.ToString(out.SuccessfulVersions["4.1.0"].Revision) != rev("4.1.0") {
		t.Errorf("archive 4.1.0: %+v %+v", out.SuccessfulVersions, out.FailedVersions)
	}
	_, _, err := s.tryGetAsset(id, "4.1.0", "chalk.tgz", "")
	wantErr[*types.ConflictException](t, err, "downloading an Archived version")

	failures := []struct {
		name string
		in   codeartifact.UpdatePackageVersionsStatusInput
		want map[string]types.PackageVersionErrorCode
	}{
		{"--expected-status Unlisted", codeartifact.UpdatePackageVersionsStatusInput{Versions: []string{"4.1.0", "4.0.0"}, TargetStatus: types.PackageVersionStatusArchived, ExpectedStatus: types.PackageVersionStatusUnlisted},
			map[string]types.PackageVersionErrorCode{"4.0.0": types.PackageVersionErrorCodeMismatchedStatus, "4.1.0": types.PackageVersionErrorCodeMismatchedStatus}},
		{"a wrong revision", codeartifact.UpdatePackageVersionsStatusInput{Versions: []string{"4.1.0", "4.0.0"}, TargetStatus: types.PackageVersionStatusPublished,
			VersionRevisions: map[string]string{"4.1.0": "25/UjBleHs1DZewk+zozoeqH/R80Rc9gLIp8vbzVMJ=", "4.0.0": rev("4.0.0")}},
			map[string]types.PackageVersionErrorCode{"4.0.0": types.PackageVersionErrorCodeSkipped, "4.1.0": types.PackageVersionErrorCodeMismatchedRevision}},
		{"a missing version", codeartifact.UpdatePackageVersionsStatusInput{Versions: []string{"4.0.0", "9.9.9"}, TargetStatus: types.PackageVersionStatusUnlisted},
			map[string]types.PackageVersionErrorCode{"4.0.0": types.PackageVersionErrorCodeSkipped, "9.9.9": types.PackageVersionErrorCodeNotFound}},
	}
	for _, c := range failures {
		before := s.snapshot()
		out, err := call(c.in)
		if err != nil {
			t.Fatalf("update-package-versions-status with %s: %v", c.name, err)
		}
		if len(out.SuccessfulVersions) != 0 {
			t.Errorf("update-package-versions-status with %s: successful %v", c.name, out.SuccessfulVersions)
		}
		wantFailed(t, "update-package-versions-status with "+c.name, out.FailedVersions, c.want)
		s.unchanged("update-package-versions-status with "+c.name, before, s.snapshot())
	}

	// The right revisions publish both.
	out = must(call(codeartifact.UpdatePackageVersionsStatusInput{Versions: []string{"4.1.0", "4.0.0"}, TargetStatus: types.PackageVersionStatusPublished,
		VersionRevisions: map[string]string{"4.1.0": rev("4.1.0"), "4.0.0": rev("4.0.0")}}))(t)
	if fmt.Sprint(successful(out.SuccessfulVersions)) != "map[4.0.0:Published 4.1.0:Published]" {
		t.Errorf("publish both with their revisions: %+v %+v", out.SuccessfulVersions, out.FailedVersions)
	}
	if b := s.getAsset(id, "4.1.0", "chalk.tgz"); string(b) != "chalk 4.1.0" {
		t.Errorf("4.1.0 after restoring: %q", b)
	}
	// Unlisted versions still download.
	must(call(codeartifact.UpdatePackageVersionsStatusInput{Versions: []string{"4.0.0"}, TargetStatus: types.PackageVersionStatusUnlisted}))(t)
	if b := s.getAsset(id, "4.0.0", "chalk.tgz"); string(b) != "chalk 4.0.0" {
		t.Errorf("Unlisted 4.0.0: %q", b)
	}

	for _, target := range []types.PackageVersionStatus{types.PackageVersionStatusUnfinished, types.PackageVersionStatusDisposed, types.PackageVersionStatusDeleted} {
		before := s.snapshot()
		_, err := call(codeartifact.UpdatePackageVersionsStatusInput{Versions: []string{"4.0.0"}, TargetStatus: target})
		wantErr[*types.ValidationException](t, err, "update-package-versions-status --target-status "+string(target))
		s.unchanged("update-package-versions-status --target-status "+string(target), before, s.snapshot())
	}
	_, err = s.ca.UpdatePackageVersionsStatus(s.ctx, &codeartifact.UpdatePackageVersionsStatusInput{
		Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("nothing"),
		Versions: []string{"1.0.0"}, TargetStatus: types.PackageVersionStatusArchived,
	})
	wantNotFound(t, err, "update-package-versions-status of a missing package", types.ResourceTypePackage)
}

// --- DisposePackageVersions, DeletePackageVersions ---

func TestDisposeAndDeletePackageVersions(t *testing.T) {
	s := newPackageScenario(t, "repo")
	id := gen("repo", "app")
	shared := []byte("shared bytes") // 12 bytes, in 1.0.0 and 2.0.0
	s.publish(pub{repo: "repo", pkg: "app", version: "1.0.0", asset: "app.bin", content: shared})
	s.publish(pub{repo: "repo", pkg: "app", version: "2.0.0", asset: "app.bin", content: shared, unfinished: true})
	s.publish(pub{repo: "repo", pkg: "app", version: "2.0.0", asset: "extra.bin", content: []byte("extra")})
	s.publish(pub{repo: "repo", pkg: "app", version: "3.0.0", asset: "app.bin", content: []byte("three")})
	if got := s.describeDomain(dom).AssetSizeBytes; got != 12+5+5 {
		t.Fatalf("assetSizeBytes %d, want 22: shared bytes count once", got)
	}
	batch := func(versions ...string) (*string, *string, types.PackageFormat, *string, *string, []string) {
		return aws.String(dom), aws.String("repo"), types.PackageFormatGeneric, aws.String("ns"), aws.String("app"), versions
	}
	dispose := func(expected types.PackageVersionStatus, revisions map[string]string, versions ...string) (*codeartifact.DisposePackageVersionsOutput, error) {
		in := &codeartifact.DisposePackageVersionsInput{ExpectedStatus: expected, VersionRevisions: revisions}
		in.Domain, in.Repository, in.Format, in.Namespace, in.Package, in.Versions = batch(versions...)
		return s.ca.DisposePackageVersions(s.ctx, in)
	}

	// The guide's example: a mismatched expected status fails, and
	// nothing changes.
	before := s.snapshot()
	out := must(dispose(types.PackageVersionStatusUnlisted, nil, "1.0.0"))(t)
	wantFailed(t, "dispose --expected-status Unlisted", out.FailedVersions, map[string]types.PackageVersionErrorCode{"1.0.0": types.PackageVersionErrorCodeMismatchedStatus})
	out = must(dispose("", map[string]string{"1.0.0": "not-the-revision"}, "1.0.0", "3.0.0"))(t)
	wantFailed(t, "dispose with a wrong revision", out.FailedVersions, map[string]types.PackageVersionErrorCode{
		"1.0.0": types.PackageVersionErrorCodeMismatchedRevision, "3.0.0": types.PackageVersionErrorCodeSkipped})
	out = must(dispose("", nil, "1.0.0", "7.0.0"))(t)
	wantFailed(t, "dispose of a missing version", out.FailedVersions, map[string]types.PackageVersionErrorCode{
		"1.0.0": types.PackageVersionErrorCodeSkipped, "7.0.0": types.PackageVersionErrorCodeNotFound})
	s.unchanged("failed disposals", before, s.snapshot())

	// Disposing 1.0.0 keeps the shared bytes counted: 2.0.0 holds them.
	out = must(dispose(types.PackageVersionStatusPublished, nil, "1.0.0"))(t)
	if fmt.Sprint(successful(out.SuccessfulVersions)) != "map[1.0.0:Disposed]" || len(out.FailedVersions) != 0 {
		t.Errorf("dispose 1.0.0: %+v %+v", out.SuccessfulVersions, out.FailedVersions)
	}
	if got := s.describeDomain(dom).AssetSizeBytes; got != 22 {
		t.Errorf("assetSizeBytes %d after disposing 1.0.0, want 22 (2.0.0 still holds the bytes)", got)
	}
	if st := s.describeVersion(id, "1.0.0").Status; st != types.PackageVersionStatusDisposed {
		t.Errorf("1.0.0 is %s", st)
	}
	if names := s.assetNames(id, "1.0.0"); len(names) != 0 {
		t.Errorf("a disposed version still lists assets %v", names)
	}
	_, _, err := s.tryGetAsset(id, "1.0.0", "app.bin", "")
	wantErr[*types.ConflictException](t, err, "downloading a disposed version")
	if got, _, _ := s.versions(id, func(in *codeartifact.ListPackageVersionsInput) { in.Status = types.PackageVersionStatusDisposed }); !slices.Equal(got, []string{"1.0.0"}) {
		t.Errorf("--status Disposed: %v", got)
	}
	// Disposing 2.0.0 drops the shared and the extra bytes.
	must(dispose("", nil, "2.0.0"))(t)
	if got := s.describeDomain(dom).AssetSizeBytes; got != 5 {
		t.Errorf("assetSizeBytes %d after disposing 2.0.0, want 5", got)
	}
	// Disposed is final: no status change brings it back.
	before = s.snapshot()
	upd := must(s.ca.UpdatePackageVersionsStatus(s.ctx, &codeartifact.UpdatePackageVersionsStatusInput{
		Domain: aws.String(dom), Repository: aws.String("repo"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("app"),
		Versions: []string{"1.0.0", "3.0.0"}, TargetStatus: types.PackageVersionStatusPublished,
	}))(t)
	wantFailed(t, "publishing a disposed version", upd.FailedVersions, map[string]types.PackageVersionErrorCode{
		"1.0.0": types.PackageVersionErrorCodeNotAllowed, "3.0.0": types.PackageVersionErrorCodeSkipped})
	s.unchanged("publishing a disposed version", before, s.snapshot())
	// Nor can assets be added to it.
	_, err = s.tryPublish(pub{repo: "repo", pkg: "app", version: "1.0.0", asset: "new.bin", content: []byte("new")})
	wantErr[*types.ConflictException](t, err, "publishing an asset to a disposed version")
	s.unchanged("publishing an asset to a disposed version", before, s.snapshot())

	// Deletion: the disposed versions and 3.0.0 go; the version can then be
	// published again, with other bytes.
	del := func(expected types.PackageVersionStatus, versions ...string) *codeartifact.DeletePackageVersionsOutput {
		in := &codeartifact.DeletePackageVersionsInput{ExpectedStatus: expected}
		in.Domain, in.Repository, in.Format, in.Namespace, in.Package, in.Versions = batch(versions...)
		return must(s.ca.DeletePackageVersions(s.ctx, in))(t)
	}
	dout := del(types.PackageVersionStatusDisposed, "1.0.0", "3.0.0")
	wantFailed(t, "delete --expected-status Disposed", dout.FailedVersions, map[string]types.PackageVersionErrorCode{
		"1.0.0": types.PackageVersionErrorCodeSkipped, "3.0.0": types.PackageVersionErrorCodeMismatchedStatus})
	dout = del("", "3.0.0", "8.0.0")
	wantFailed(t, "delete of a missing version", dout.FailedVersions, map[string]types.PackageVersionErrorCode{
		"3.0.0": types.PackageVersionErrorCodeSkipped, "8.0.0": types.PackageVersionErrorCodeNotFound})
	s.unchanged("failed deletions", before, s.snapshot())
	dout = del("", "1.0.0", "2.0.0", "3.0.0")
	if fmt.Sprint(successful(dout.SuccessfulVersions)) != "map[1.0.0:Deleted 2.0.0:Deleted 3.0.0:Deleted]" || len(dout.FailedVersions) != 0 {
		t.Errorf("delete-package-versions: %+v %+v", dout.SuccessfulVersions, dout.FailedVersions)
	}
	if got, _, _ := s.versions(id); len(got) != 0 {
		t.Errorf("versions after deleting them all: %v", got)
	}
	if got := s.describeDomain(dom).AssetSizeBytes; got != 0 {
		t.Errorf("assetSizeBytes %d after deleting everything, want 0", got)
	}
	s.publish(pub{repo: "repo", pkg: "app", version: "3.0.0", asset: "app.bin", content: []byte("three, again")})
	if b := s.getAsset(id, "3.0.0", "app.bin"); string(b) != "three, again" {
		t.Errorf("republished 3.0.0: %q", b)
	}
}

// --- CopyPackageVersions ---

func TestCopyPackageVersions(t *testing.T) {
	s := newPackageScenario(t, "up", "dst")
	s.createRepo(dom, "src", "up")
	for _, v := range []string{"0.2.0", "0.2.1", "0.3.2"} {
		s.publish(pub{repo: "src", pkg: "array-unique", version: v, asset: "a.tgz", content: []byte("array-unique " + v)})
	}
	s.publish(pub{repo: "up", pkg: "array-unique", version: "5.0.0", asset: "a.tgz", content: []byte("from upstream")})
	src, dst := gen("src", "array-unique"), gen("dst", "array-unique")
	sizeBefore := s.describeDomain(dom).AssetSizeBytes
	copyIn := func(in codeartifact.CopyPackageVersionsInput) (*codeartifact.CopyPackageVersionsOutput, error) {
		in.Domain, in.Format, in.Namespace, in.Package = aws.String(dom), types.PackageFormatGeneric, aws.String("ns"), aws.String("array-unique")
		if in.SourceRepository == nil {
			in.SourceRepository = aws.String("src")
		}
		if in.DestinationRepository == nil {
			in.DestinationRepository = aws.String("dst")
		}
		return s.ca.CopyPackageVersions(s.ctx, &in)
	}

	out := must(copyIn(codeartifact.CopyPackageVersionsInput{Versions: []string{"0.2.1"}}))(t)
	if fmt.Sprint(successful(out.SuccessfulVersions)) != "map[0.2.1:Published]" || len(out.FailedVersions) != 0 ||
		aws.ToString(out.SuccessfulVersions["0.2.1"].Revision) != *s.describeVersion(src, "0.2.1").Revision {
		t.Errorf("copy 0.2.1: %+v %+v", out.SuccessfulVersions, out.FailedVersions)
	}
	d := s.describeVersion(dst, "0.2.1")
	if *d.Revision != *s.describeVersion(src, "0.2.1").Revision || aws.ToString(d.Origin.DomainEntryPoint.RepositoryName) != "src" || d.Origin.OriginType != types.PackageVersionOriginTypeInternal {
		t.Errorf("the copy: revision %s origin %+v", *d.Revision, d.Origin.DomainEntryPoint)
	}
	if b := s.getAsset(dst, "0.2.1", "a.tgz"); string(b) != "array-unique 0.2.1" {
		t.Errorf("the copy's asset: %q", b)
	}
	if got := s.describeDomain(dom).AssetSizeBytes; got != sizeBefore {
		t.Errorf("assetSizeBytes %d after a copy, want %d: copies share the bytes", got, sizeBefore)
	}

	// The guide's example: 0.2.1 is already there and identical, so it is
	// left out of the result; 0.2.0 is copied. Copying again is a no-op.
	out = must(copyIn(codeartifact.CopyPackageVersionsInput{Versions: []string{"0.2.1", "0.2.0"}}))(t)
	if fmt.Sprint(successful(out.SuccessfulVersions)) != "map[0.2.0:Published]" || len(out.FailedVersions) != 0 {
		t.Errorf("copy 0.2.1 0.2.0: %+v %+v", out.SuccessfulVersions, out.FailedVersions)
	}
	before := s.snapshot()
	out = must(copyIn(codeartifact.CopyPackageVersionsInput{Versions: []string{"0.2.1", "0.2.0"}}))(t)
	if len(out.SuccessfulVersions) != 0 || len(out.FailedVersions) != 0 {
		t.Errorf("copying identical versions again: %+v %+v", out.SuccessfulVersions, out.FailedVersions)
	}
	s.unchanged("copying identical versions again", before, s.snapshot())

	// A different 0.3.2 in the destination: ALREADY_EXISTS, the rest SKIPPED.
	s.publish(pub{repo: "dst", pkg: "array-unique", version: "0.3.2", asset: "a.tgz", content: []byte("a different 0.3.2")})
	s.publish(pub{repo: "src", pkg: "array-unique", version: "0.4.0", asset: "a.tgz", content: []byte("array-unique 0.4.0")})
	must(s.ca.UpdatePackageVersionsStatus(s.ctx, &codeartifact.UpdatePackageVersionsStatusInput{
		Domain: aws.String(dom), Repository: aws.String("src"), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("array-unique"),
		Versions: []string{"0.4.0"}, TargetStatus: types.PackageVersionStatusArchived,
	}))(t)
	failures := []struct {
		name string
		in   codeartifact.CopyPackageVersionsInput
		want map[string]types.PackageVersionErrorCode
	}{
		{"a different version in the destination", codeartifact.CopyPackageVersionsInput{Versions: []string{"0.3.2", "0.2.0"}},
			map[string]types.PackageVersionErrorCode{"0.3.2": types.PackageVersionErrorCodeAlreadyExists, "0.2.0": types.PackageVersionErrorCodeSkipped}},
		{"a missing version", codeartifact.CopyPackageVersionsInput{Versions: []string{"0.2.0", "5.6.7"}},
			map[string]types.PackageVersionErrorCode{"0.2.0": types.PackageVersionErrorCodeSkipped, "5.6.7": types.PackageVersionErrorCodeNotFound}},
		{"a wrong revision", codeartifact.CopyPackageVersionsInput{VersionRevisions: map[string]string{"0.2.0": "REVISION-1-SAMPLE-6C81EFF7DA55CC"}},
			map[string]types.PackageVersionErrorCode{"0.2.0": types.PackageVersionErrorCodeMismatchedRevision}},
		{"an Archived version", codeartifact.CopyPackageVersionsInput{Versions: []string{"0.4.0"}},
			map[string]types.PackageVersionErrorCode{"0.4.0": types.PackageVersionErrorCodeNotAllowed}},
		{"a version only upstream, without includeFromUpstream", codeartifact.CopyPackageVersionsInput{Versions: []string{"5.0.0"}},
			map[string]types.PackageVersionErrorCode{"5.0.0": types.PackageVersionErrorCodeNotFound}},
	}
	for _, c := range failures {
		before := s.snapshot()
		out, err := copyIn(c.in)
		if err != nil {
			t.Fatalf("copy-package-versions with %s: %v", c.name, err)
		}
		if len(out.SuccessfulVersions) != 0 {
			t.Errorf("copy-package-versions with %s: successful %v", c.name, out.SuccessfulVersions)
		}
		wantFailed(t, "copy-package-versions with "+c.name, out.FailedVersions, c.want)
		s.unchanged("copy-package-versions with "+c.name, before, s.snapshot())
	}

	// allowOverwrite replaces the destination's 0.3.2.
	out = must(copyIn(codeartifact.CopyPackageVersionsInput{Versions: []string{"0.3.2"}, AllowOverwrite: aws.Bool(true)}))(t)
	if fmt.Sprint(successful(out.SuccessfulVersions)) != "map[0.3.2:Published]" {
		t.Errorf("copy --allow-overwrite: %+v %+v", out.SuccessfulVersions, out.FailedVersions)
	}
	if b := s.getAsset(dst, "0.3.2", "a.tgz"); string(b) != "array-unique 0.3.2" {
		t.Errorf("0.3.2 after --allow-overwrite: %q", b)
	}
	// versionRevisions with the right revision copies.
	out = must(copyIn(codeartifact.CopyPackageVersionsInput{SourceRepository: aws.String("dst"), DestinationRepository: aws.String("up"),
		VersionRevisions: map[string]string{"0.3.2": *s.describeVersion(dst, "0.3.2").Revision}}))(t)
	if fmt.Sprint(successful(out.SuccessfulVersions)) != "map[0.3.2:Published]" {
		t.Errorf("copy --version-revisions: %+v %+v", out.SuccessfulVersions, out.FailedVersions)
	}
	// includeFromUpstream finds 5.0.0 in src's upstream.
	out = must(copyIn(codeartifact.CopyPackageVersionsInput{Versions: []string{"5.0.0"}, IncludeFromUpstream: aws.Bool(true)}))(t)
	if fmt.Sprint(successful(out.SuccessfulVersions)) != "map[5.0.0:Published]" {
		t.Errorf("copy --include-from-upstream: %+v %+v", out.SuccessfulVersions, out.FailedVersions)
	}
	if b := s.getAsset(dst, "5.0.0", "a.tgz"); string(b) != "from upstream" {
		t.Errorf("5.0.0 copied from upstream: %q", b)
	}

	// Request errors.
	before = s.snapshot()
	_, err := copyIn(codeartifact.CopyPackageVersionsInput{Versions: []string{"0.2.0"}, VersionRevisions: map[string]string{"0.2.0": "x"}})
	wantErr[*types.ValidationException](t, err, "copy with versions and versionRevisions")
	_, err = copyIn(codeartifact.CopyPackageVersionsInput{})
	wantErr[*types.ValidationException](t, err, "copy with neither versions nor versionRevisions")
	_, err = copyIn(codeartifact.CopyPackageVersionsInput{Versions: []string{"0.2.0"}, DestinationRepository: aws.String("nope")})
	wantNotFound(t, err, "copy to a missing repository", types.ResourceTypeRepository)
	_, err = copyIn(codeartifact.CopyPackageVersionsInput{Versions: []string{"0.2.0"}, SourceRepository: aws.String("nope")})
	wantNotFound(t, err, "copy from a missing repository", types.ResourceTypeRepository)
	_, err = s.ca.CopyPackageVersions(s.ctx, &codeartifact.CopyPackageVersionsInput{
		Domain: aws.String(dom), SourceRepository: aws.String("src"), DestinationRepository: aws.String("dst"),
		Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String("nothing"), Versions: []string{"1.0.0"},
	})
	wantNotFound(t, err, "copy of a package the source does not have", types.ResourceTypePackage)
	s.unchanged("refused copies", before, s.snapshot())
}

// --- every operation reports what is missing ---

func TestPackageOperationsNotFound(t *testing.T) {
	s := newPackageScenario(t, "repo")
	s.publish(pub{repo: "repo", pkg: "here", version: "1.0.0", asset: "a", content: []byte("a")})
	// Each operation, given a repository, package and version.
	ops := map[string]func(repo, pkg, version string) error{
		"describe-package": func(repo, pkg, _ string) error {
			_, err := s.ca.DescribePackage(s.ctx, &codeartifact.DescribePackageInput{Domain: aws.String(dom), Repository: aws.String(repo), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String(pkg)})
			return err
		},
		"delete-package": func(repo, pkg, _ string) error {
			_, err := s.ca.DeletePackage(s.ctx, &codeartifact.DeletePackageInput{Domain: aws.String(dom), Repository: aws.String(repo), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String(pkg)})
			return err
		},
		"list-package-versions": func(repo, pkg, _ string) error {
			_, err := s.ca.ListPackageVersions(s.ctx, &codeartifact.ListPackageVersionsInput{Domain: aws.String(dom), Repository: aws.String(repo), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String(pkg)})
			return err
		},
		"describe-package-version": func(repo, pkg, v string) error {
			_, err := s.ca.DescribePackageVersion(s.ctx, &codeartifact.DescribePackageVersionInput{Domain: aws.String(dom), Repository: aws.String(repo), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String(pkg), PackageVersion: aws.String(v)})
			return err
		},
		"list-package-version-assets": func(repo, pkg, v string) error {
			_, err := s.ca.ListPackageVersionAssets(s.ctx, &codeartifact.ListPackageVersionAssetsInput{Domain: aws.String(dom), Repository: aws.String(repo), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String(pkg), PackageVersion: aws.String(v)})
			return err
		},
		"get-package-version-asset": func(repo, pkg, v string) error {
			_, _, err := s.tryGetAsset(pkgID{repo: repo, ns: "ns", pkg: pkg}, v, "a", "")
			return err
		},
		"get-package-version-readme": func(repo, pkg, v string) error {
			_, err := s.ca.GetPackageVersionReadme(s.ctx, &codeartifact.GetPackageVersionReadmeInput{Domain: aws.String(dom), Repository: aws.String(repo), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String(pkg), PackageVersion: aws.String(v)})
			return err
		},
		"list-package-version-dependencies": func(repo, pkg, v string) error {
			_, err := s.ca.ListPackageVersionDependencies(s.ctx, &codeartifact.ListPackageVersionDependenciesInput{Domain: aws.String(dom), Repository: aws.String(repo), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String(pkg), PackageVersion: aws.String(v)})
			return err
		},
		"update-package-versions-status": func(repo, pkg, v string) error {
			_, err := s.ca.UpdatePackageVersionsStatus(s.ctx, &codeartifact.UpdatePackageVersionsStatusInput{Domain: aws.String(dom), Repository: aws.String(repo), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String(pkg), Versions: []string{v}, TargetStatus: types.PackageVersionStatusArchived})
			return err
		},
		"delete-package-versions": func(repo, pkg, v string) error {
			_, err := s.ca.DeletePackageVersions(s.ctx, &codeartifact.DeletePackageVersionsInput{Domain: aws.String(dom), Repository: aws.String(repo), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String(pkg), Versions: []string{v}})
			return err
		},
		"dispose-package-versions": func(repo, pkg, v string) error {
			_, err := s.ca.DisposePackageVersions(s.ctx, &codeartifact.DisposePackageVersionsInput{Domain: aws.String(dom), Repository: aws.String(repo), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String(pkg), Versions: []string{v}})
			return err
		},
		"put-package-origin-configuration": func(repo, pkg, _ string) error {
			_, err := s.ca.PutPackageOriginConfiguration(s.ctx, &codeartifact.PutPackageOriginConfigurationInput{Domain: aws.String(dom), Repository: aws.String(repo), Format: types.PackageFormatGeneric, Namespace: aws.String("ns"), Package: aws.String(pkg),
				Restrictions: &types.PackageOriginRestrictions{Publish: types.AllowPublishAllow, Upstream: types.AllowUpstreamAllow}})
			return err
		},
	}
	versionOps := map[string]bool{"describe-package-version": true, "list-package-version-assets": true, "get-package-version-asset": true, "get-package-version-readme": true, "list-package-version-dependencies": true}
	batchOps := map[string]bool{"update-package-versions-status": true, "delete-package-versions": true, "dispose-package-versions": true}
	for name, op := range ops {
		before := s.snapshot()
		wantNotFound(t, op("nope", "here", "1.0.0"), name+" in a missing repository", types.ResourceTypeRepository)
		if name != "put-package-origin-configuration" { // it creates the package
			wantNotFound(t, op("repo", "nothing", "1.0.0"), name+" of a missing package", types.ResourceTypePackage)
		}
		switch {
		case versionOps[name]:
			wantNotFound(t, op("repo", "here", "9.9.9"), name+" of a missing version", types.ResourceTypePackageVersion)
		case batchOps[name]:
			// A missing version is a batch failure, not an error.
			if err := op("repo", "here", "9.9.9"); err != nil {
				t.Errorf("%s of a missing version: %v", name, err)
			}
		}
		s.unchanged(name+" of missing things", before, s.snapshot())
	}
}

// TestPackageValidation sends what the SDKs would not: values the model
// forbids, and combinations the operations forbid.
func TestPackageValidation(t *testing.T) {
	s := newPackageScenario(t, "repo")
	s.publish(pub{repo: "repo", pkg: "p", version: "1.0.0", asset: "a", content: []byte("a")})
	const q = "domain=dom&repository=repo"
	cases := []struct{ name, method, target, body string }{
		{"list-packages --namespace without --format", "POST", "/v1/packages?" + q + "&namespace=ns", ""},
		{"list-packages --format bogus", "POST", "/v1/packages?" + q + "&format=bogus", ""},
		{"list-packages --max-results 1001", "POST", "/v1/packages?" + q + "&max-results=1001", ""},
		{"list-packages --publish MAYBE", "POST", "/v1/packages?" + q + "&publish=MAYBE", ""},
		{"list-package-versions --sort-by NAME", "POST", "/v1/package/versions?" + q + "&format=generic&namespace=ns&package=p&sortBy=NAME", ""},
		{"list-package-versions --status Gone", "POST", "/v1/package/versions?" + q + "&format=generic&namespace=ns&package=p&status=Gone", ""},
		{"list-package-versions --max-results 0", "POST", "/v1/package/versions?" + q + "&format=generic&namespace=ns&package=p&max-results=0", ""},
		{"list-package-versions, generic without namespace", "POST", "/v1/package/versions?" + q + "&format=generic&package=p", ""},
		{"describe-package-version, version with a slash", "GET", "/v1/package/version?" + q + "&format=generic&namespace=ns&package=p&version=1/0", ""},
		{"update-package-versions-status without target", "POST", "/v1/package/versions/update_status?" + q + "&format=generic&namespace=ns&package=p", `{"versions":["1.0.0"]}`},
		{"update-package-versions-status, 101 versions", "POST", "/v1/package/versions/update_status?" + q + "&format=generic&namespace=ns&package=p",
			`{"versions":[` + strings.Repeat(`"1.0.0",`, 100) + `"1.0.0"],"targetStatus":"Archived"}`},
		{"put-package-origin-configuration without upstream", "POST", "/v1/package?" + q + "&format=generic&namespace=ns&package=p", `{"restrictions":{"publish":"ALLOW"}}`},
		{"copy-package-versions, both lists", "POST", "/v1/package/versions/copy?domain=dom&source-repository=repo&destination-repository=repo&format=generic&namespace=ns&package=p",
			`{"versions":["1.0.0"],"versionRevisions":{"1.0.0":"x"}}`},
	}
	for _, c := range cases {
		before := s.snapshot()
		resp := s.do(rawRequest{method: c.method, target: c.target, body: c.body})
		resp.wantAWSError(t, c.name, http.StatusBadRequest, "ValidationException")
		s.unchanged(c.name, before, s.snapshot())
	}
}
