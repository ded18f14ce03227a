package server_test

// A randomized scenario over repository graphs of mixed formats (issue 10:
// a chain holding external connections of several formats once failed
// every request of the other formats with 500). Each seed builds, in its
// own domain, repositories with random upstream edges and random external
// connections (npm, PyPI and Maven fakes, and public:maven-clojars, which
// has no URL configured), publishes random packages of every format to
// random repositories, then reads every package of every format from every
// repository. No request may get a 5xx.

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/servertest"
	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

// The connections a random repository may get: three with a fake behind
// them, one with no URL configured.
var randomConnections = []string{"public:npmjs", "public:pypi", "public:maven-central", "public:maven-clojars"}

func TestRandomMultiFormatGraphsNever5xx(t *testing.T) {
	seeds := 25
	if testing.Short() {
		seeds = 3
	}
	npmReg := upstreamtest.NewNPM(t)
	npmReg.AddPackage("pub-npm", 2) // 1.0.0 1.1.0
	idx := upstreamtest.NewPyPI(t)
	idx.Publish("pub-py", upstreamtest.PyPIDist{Version: "1.0"})
	central := upstreamtest.NewMaven(t)
	central.Publish("org.fake", "pub", "1.0")
	srv := servertest.Start(t, func(c *config.Config) {
		c.ExternalConnections = map[string]string{"public:npmjs": npmReg.URL, "public:pypi": idx.IndexURL, "public:maven-central": central.URL}
	})
	ca := srv.CodeArtifact()
	// accepted counts the publishes accepted and the reads answered 200,
	// by kind, over all seeds: the graphs must exercise every kind.
	accepted := map[string]int{}
	for seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			g := &graph{t: t, rnd: rand.New(rand.NewPCG(uint64(seed), 10)), ca: ca, domain: fmt.Sprintf("d%d", seed), accepted: accepted}
			g.token = servertest.Domain(t, ca, g.domain)
			g.build()
			for range 4 + g.rnd.IntN(6) {
				g.publishRandom()
			}
			for _, repo := range g.repos {
				g.readAll(repo)
			}
		})
	}
	for _, kind := range []string{"publish npm", "publish pypi", "publish maven", "publish generic", "read npm", "read pypi", "read maven", "read generic"} {
		if accepted[kind] == 0 {
			t.Errorf("no %s was accepted over %d seeds: %v", kind, seeds, accepted)
		}
	}
	t.Logf("accepted over %d seeds: %v", seeds, accepted)
}

type graph struct {
	t      *testing.T
	rnd    *rand.Rand
	ca     *codeartifact.Client
	domain string
	token  string
	repos  []string
	// published versions by format: package name -> versions (generic:
	// repository -> versions of ns/own-gen).
	npm, pypi, maven, generic map[string][]string
	accepted                  map[string]int
}

// build creates 2 to 8 repositories, each either with a random external
// connection or with up to 3 upstreams among those created before it (so
// there are no cycles).
func (g *graph) build() {
	g.npm = map[string][]string{"pub-npm": {"1.0.0", "1.1.0"}, "no-such-npm": {"1.0.0"}}
	g.pypi = map[string][]string{"pub-py": {"1.0"}, "no-such-py": {"1.0"}}
	g.maven = map[string][]string{"pub": {"1.0"}, "no-such": {"1.0"}}
	g.generic = map[string][]string{}
	n := 2 + g.rnd.IntN(7)
	for i := range n {
		name := fmt.Sprintf("r%d", i)
		var ups []string
		connect := i == 0 || g.rnd.IntN(10) < 4
		if !connect {
			for _, j := range g.rnd.Perm(i)[:min(i, 1+g.rnd.IntN(3))] {
				ups = append(ups, g.repos[j])
			}
		}
		servertest.Repository(g.t, g.ca, g.domain, name, types.PackageFormatNpm, ups...)
		if connect {
			conn := randomConnections[g.rnd.IntN(len(randomConnections))]
			if _, err := g.ca.AssociateExternalConnection(g.t.Context(), &codeartifact.AssociateExternalConnectionInput{
				Domain: aws.String(g.domain), Repository: aws.String(name), ExternalConnection: aws.String(conn)}); err != nil {
				g.t.Fatalf("associate %s with %s: %v", conn, name, err)
			}
		}
		g.repos = append(g.repos, name)
	}
}

// read GETs url and counts a 200 as a read of kind.
func (g *graph) read(kind, url string) (int, []byte) {
	g.t.Helper()
	status, body := g.do(http.MethodGet, url, "", nil)
	if status == http.StatusOK {
		g.accepted["read "+kind]++
	}
	return status, body
}

// do sends a request with the domain's token and fails the test on a 5xx.
func (g *graph) do(method, url, contentType string, body []byte) (int, []byte) {
	g.t.Helper()
	req, err := http.NewRequestWithContext(g.t.Context(), method, url, bytes.NewReader(body))
	if err != nil {
		g.t.Fatal(err)
	}
	req.SetBasicAuth("aws", g.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		g.t.Fatal(err)
	}
	if resp.StatusCode >= 500 {
		g.t.Errorf("%s %s: %d %s", method, url, resp.StatusCode, b)
	}
	return resp.StatusCode, b
}

// published fails the test unless a publish was accepted, or refused with
// 409 because the version is reachable upstream.
func (g *graph) published(what string, status int, body []byte) bool {
	g.t.Helper()
	switch {
	case status == http.StatusOK || status == http.StatusCreated:
		g.accepted["publish "+strings.Fields(what)[0]]++
		return true
	case status != http.StatusConflict:
		g.t.Errorf("%s: %d %s, want accepted or a 409", what, status, body)
	}
	return false
}

func (g *graph) repoEndpoint(repo string, format types.PackageFormat) string {
	g.t.Helper()
	out, err := g.ca.GetRepositoryEndpoint(g.t.Context(), &codeartifact.GetRepositoryEndpointInput{
		Domain: aws.String(g.domain), Repository: aws.String(repo), Format: format})
	if err != nil {
		g.t.Fatal(err)
	}
	return *out.RepositoryEndpoint
}

// publishRandom publishes a random version of a random package of a random
// format to a random repository; names include the public packages, so
// some publishes are refused as reachable through a connection.
func (g *graph) publishRandom() {
	g.t.Helper()
	repo := g.repos[g.rnd.IntN(len(g.repos))]
	version := fmt.Sprintf("%d.%d.0", 1+g.rnd.IntN(2), g.rnd.IntN(2))
	switch g.rnd.IntN(4) {
	case 0:
		name := []string{"pub-npm", "own-npm"}[g.rnd.IntN(2)]
		if st, b := g.publishNPM(repo, name, version); g.published("npm publish "+name+"@"+version+" to "+repo, st, b) {
			g.npm[name] = append(g.npm[name], version)
		}
	case 1:
		name := []string{"pub-py", "own-py"}[g.rnd.IntN(2)]
		if st, b := g.publishPyPI(repo, name, version); g.published("pypi twine upload "+name+" "+version+" to "+repo, st, b) {
			g.pypi[name] = append(g.pypi[name], version)
		}
	case 2:
		name := []string{"pub", "own"}[g.rnd.IntN(2)]
		if st, b := g.publishMaven(repo, name, version); g.published("maven mvn deploy org.fake:"+name+":"+version+" to "+repo, st, b) {
			g.maven[name] = append(g.maven[name], version)
		}
	default:
		content := []byte("generic " + repo + " " + version)
		sum := sha256.Sum256(content)
		_, err := g.ca.PublishPackageVersion(g.t.Context(), &codeartifact.PublishPackageVersionInput{
			Domain: aws.String(g.domain), Repository: aws.String(repo), Format: types.PackageFormatGeneric,
			Namespace: aws.String("ns"), Package: aws.String("own-gen"), PackageVersion: aws.String(version),
			AssetContent: bytes.NewReader(content), AssetName: aws.String("a.txt"), AssetSHA256: aws.String(hex.EncodeToString(sum[:])),
		})
		var conflict *types.ConflictException
		switch {
		case err == nil:
			g.accepted["publish generic"]++
			g.generic[repo] = append(g.generic[repo], version)
		case !errors.As(err, &conflict):
			g.t.Errorf("publish-package-version own-gen %s to %s: %v", version, repo, err)
		}
	}
}

// publishNPM sends what npm publish sends.
func (g *graph) publishNPM(repo, name, version string) (int, []byte) {
	tgz, err := upstreamtest.Tarball(map[string]any{"name": name, "version": version}, nil)
	if err != nil {
		g.t.Fatal(err)
	}
	ep := g.repoEndpoint(repo, types.PackageFormatNpm)
	file := name + "-" + version + ".tgz"
	sum := sha1.Sum(tgz)
	doc, _ := json.Marshal(map[string]any{
		"_id": name, "name": name, "dist-tags": map[string]string{"latest": version},
		"versions": map[string]any{version: map[string]any{"name": name, "version": version, "_id": name + "@" + version,
			"dist": map[string]string{"integrity": upstreamtest.Integrity(tgz), "shasum": hex.EncodeToString(sum[:]), "tarball": ep + name + "/-/" + file}}},
		"_attachments": map[string]any{file: map[string]any{"content_type": "application/octet-stream", "data": base64.StdEncoding.EncodeToString(tgz), "length": len(tgz)}},
	})
	return g.do(http.MethodPut, ep+name, "application/json", doc)
}

// publishPyPI sends a wheel as twine upload does.
func (g *graph) publishPyPI(repo, name, version string) (int, []byte) {
	file, wheel := upstreamtest.PyPIWheel(upstreamtest.PyPIDist{Name: name, Version: version})
	sum := sha256.Sum256(wheel)
	const boundary = "b0undary-of-the-upload"
	var b bytes.Buffer
	for _, kv := range [][2]string{{":action", "file_upload"}, {"protocol_version", "1"}, {"metadata_version", "2.1"},
		{"name", name}, {"version", version}, {"filetype", "bdist_wheel"}, {"pyversion", "py3"}, {"sha256_digest", hex.EncodeToString(sum[:])}} {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, kv[0], kv[1])
	}
	fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"content\"; filename=%q\r\nContent-Type: application/octet-stream\r\n\r\n", boundary, file)
	b.Write(wheel)
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return g.do(http.MethodPost, g.repoEndpoint(repo, types.PackageFormatPypi), "multipart/form-data; boundary="+boundary, b.Bytes())
}

// publishMaven PUTs a POM, a jar and the artifact's metadata, as mvn
// deploy does; the first refusal ends it.
func (g *graph) publishMaven(repo, artifactID, version string) (int, []byte) {
	ep := g.repoEndpoint(repo, types.PackageFormatMaven)
	dir := ep + "org/fake/" + artifactID + "/"
	pom := fmt.Sprintf(`<project><modelVersion>4.0.0</modelVersion><groupId>org.fake</groupId><artifactId>%s</artifactId><version>%s</version></project>`, artifactID, version)
	metadata := fmt.Sprintf(`<metadata><groupId>org.fake</groupId><artifactId>%s</artifactId><versioning><latest>%s</latest><release>%s</release><versions><version>%s</version></versions></versioning></metadata>`,
		artifactID, version, version, version)
	for _, f := range []struct{ path, body string }{
		{dir + version + "/" + artifactID + "-" + version + ".pom", pom},
		{dir + version + "/" + artifactID + "-" + version + ".jar", "jar of " + artifactID + " " + version + " in " + repo},
		{dir + "maven-metadata.xml", metadata},
	} {
		if status, body := g.do(http.MethodPut, f.path, "application/octet-stream", []byte(f.body)); status >= 300 {
			return status, body
		}
	}
	return http.StatusCreated, nil
}

// readAll reads every known package of every format from repo: npm
// documents and tarballs, PyPI project pages and their files, Maven
// metadata, POMs and jars, and generic assets.
func (g *graph) readAll(repo string) {
	g.t.Helper()
	npmEP := g.repoEndpoint(repo, types.PackageFormatNpm)
	for name, versions := range g.npm {
		g.read("npm", npmEP+name)
		for _, v := range versions {
			g.read("npm", npmEP+name+"/-/"+name+"-"+v+".tgz")
		}
	}
	pypiEP := g.repoEndpoint(repo, types.PackageFormatPypi)
	for name := range g.pypi {
		page := pypiEP + "simple/" + name + "/"
		status, body := g.read("pypi", page)
		if status != http.StatusOK {
			continue
		}
		base, _ := url.Parse(page)
		for _, m := range strings.Split(string(body), `href="`)[1:] {
			href, _, _ := strings.Cut(m, `"`)
			href, _, _ = strings.Cut(href, "#")
			if u, err := base.Parse(strings.ReplaceAll(href, "&amp;", "&")); err == nil {
				g.read("pypi", u.String())
			}
		}
	}
	mavenEP := g.repoEndpoint(repo, types.PackageFormatMaven)
	for artifactID, versions := range g.maven {
		dir := mavenEP + "org/fake/" + artifactID + "/"
		g.read("maven", dir+"maven-metadata.xml")
		for _, v := range versions {
			g.read("maven", dir+v+"/"+artifactID+"-"+v+".pom")
			g.read("maven", dir+v+"/"+artifactID+"-"+v+".jar")
		}
	}
	for from, versions := range g.generic {
		for _, v := range versions {
			_, err := g.ca.GetPackageVersionAsset(g.t.Context(), &codeartifact.GetPackageVersionAssetInput{
				Domain: aws.String(g.domain), Repository: aws.String(repo), Format: types.PackageFormatGeneric,
				Namespace: aws.String("ns"), Package: aws.String("own-gen"), PackageVersion: aws.String(v), Asset: aws.String("a.txt"),
			})
			if err == nil {
				g.accepted["read generic"]++
			}
			var notFound *types.ResourceNotFoundException
			if err != nil && !(repo != from && errors.As(err, &notFound)) {
				g.t.Errorf("get-package-version-asset own-gen %s (published to %s) from %s: %v", v, from, repo, err)
			}
		}
	}
}

// A package request that finds nothing through a connection with no URL
// configured answers the format's 404, saying which connection has no
// registry URL on this server; the connection's status is NOT_CONFIGURED.
func TestNotFoundNamesConnectionWithoutURL(t *testing.T) {
	srv := servertest.Start(t)
	ca := srv.CodeArtifact()
	g := &graph{t: t, ca: ca, domain: "my-domain", accepted: map[string]int{}}
	g.token = servertest.Domain(t, ca, g.domain)
	for store, conn := range map[string]string{"npm-store": "public:npmjs", "pypi-store": "public:pypi", "maven-store": "public:maven-central"} {
		servertest.Repository(t, ca, g.domain, store, types.PackageFormatNpm)
		out, err := ca.AssociateExternalConnection(t.Context(), &codeartifact.AssociateExternalConnectionInput{
			Domain: aws.String(g.domain), Repository: aws.String(store), ExternalConnection: aws.String(conn)})
		if err != nil {
			t.Fatal(err)
		}
		if c := out.Repository.ExternalConnections; len(c) != 1 || c[0].Status != "NOT_CONFIGURED" {
			t.Errorf("associate %s with no URL: status %v, want NOT_CONFIGURED", conn, c)
		}
	}
	servertest.Repository(t, ca, g.domain, "my-repo", types.PackageFormatNpm, "npm-store", "pypi-store", "maven-store")
	for conn, url := range map[string]string{
		"public:npmjs":         g.repoEndpoint("my-repo", types.PackageFormatNpm) + "left-pad",
		"public:pypi":          g.repoEndpoint("my-repo", types.PackageFormatPypi) + "simple/left-pad/",
		"public:maven-central": g.repoEndpoint("my-repo", types.PackageFormatMaven) + "org/fake/lib/1.0/lib-1.0.jar",
	} {
		status, body := g.do(http.MethodGet, url, "", nil)
		if want := "external connection " + conn + " has no registry URL configured on this server"; status != http.StatusNotFound || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d %s, want a 404 saying %q", url, status, body, want)
		}
	}
}
