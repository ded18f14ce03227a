package e2e

// Maven end to end (User Guide, "Using CodeArtifact with Maven"): the real
// mvn 3.8.7 with Debian's plugin packages, offline from any public
// repository, configured as docs/CLIENTS.md §4.6 describes (a settings.xml with
// the token from `aws codeartifact get-authorization-token` in
// ${env.CODEARTIFACT_AUTH_TOKEN}, and Arca as the mirror of everything);
// the guide's curl recipe verbatim; the AWS CLI on Maven packages; the
// public:maven-central connection against a fake repository and, once,
// against the central repository the installed Maven declares.

import (
	"archive/zip"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/upstream/upstreamtest"
)

const mavenHint = "run scripts/install-test-deps.sh (apt-get install maven libmaven-deploy-plugin-java libmaven-install-plugin-java libmaven-dependency-plugin-java maven-debian-helper)"

// mvnUser is a Maven user: a local repository copied from Debian's
// /usr/share/maven-repo, and a settings.xml pointing every repository at
// an Arca endpoint with the token in the environment.
type mvnUser struct {
	Home     string
	Repo     string // the local repository
	Settings string
	Endpoint string
	env      []string
}

// newMvnUser sets up mvn for a repository endpoint with token.
func newMvnUser(t *testing.T, endpoint, token string) *mvnUser {
	t.Helper()
	tool(t, "mvn")
	if _, err := os.Stat("/usr/share/maven-repo/org/apache/maven/plugins/maven-deploy-plugin"); err != nil {
		t.Fatalf("Debian's Maven plugins are not installed (%v): %s", err, mavenHint)
	}
	dir := t.TempDir()
	u := &mvnUser{Home: filepath.Join(dir, "home"), Repo: filepath.Join(dir, "m2repo"), Settings: filepath.Join(dir, "settings.xml"), Endpoint: endpoint}
	os.Mkdir(u.Home, 0o700)
	// -L: the repository holds relative symlinks, which a plain copy breaks.
	if out, err := exec.Command("cp", "-rL", "/usr/share/maven-repo/.", u.Repo+"/").CombinedOutput(); err != nil {
		if err := os.MkdirAll(u.Repo, 0o755); err == nil {
			out, err = exec.Command("cp", "-rL", "/usr/share/maven-repo/.", u.Repo+"/").CombinedOutput()
			if err != nil {
				t.Fatalf("cp -rL /usr/share/maven-repo: %v\n%s", err, out)
			}
		}
	}
	settings := fmt.Sprintf(`<settings>
  <localRepository>%s</localRepository>
  <offline>false</offline>
  <servers><server><id>codeartifact</id><username>aws</username><password>${env.CODEARTIFACT_AUTH_TOKEN}</password></server></servers>
  <mirrors><mirror><id>codeartifact</id><url>%s</url><mirrorOf>*</mirrorOf></mirror></mirrors>
</settings>
`, u.Repo, endpoint)
	if err := os.WriteFile(u.Settings, []byte(settings), 0o600); err != nil {
		t.Fatal(err)
	}
	u.env = clientEnv(u.Home, "CODEARTIFACT_AUTH_TOKEN="+token, "MAVEN_OPTS=-Xmx512m")
	return u
}

// Mvn runs mvn -B -s settings.xml args in dir.
func (u *mvnUser) Mvn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	if dir == "" {
		dir = u.Home
	}
	return runProgram(t, u.env, dir, tool(t, "mvn"), append([]string{"-B", "-s", u.Settings}, args...)...)
}

// MvnOK runs mvn and requires BUILD SUCCESS.
func (u *mvnUser) MvnOK(t *testing.T, dir string, args ...string) result {
	t.Helper()
	r := u.Mvn(t, dir, args...)
	if r.Code != 0 || !strings.Contains(r.Stdout, "BUILD SUCCESS") {
		t.Fatalf("mvn failed:\n%s", tail(r.String(), 6000))
	}
	return r
}

// Forget removes a group from the local repository, so the next build
// downloads it again.
func (u *mvnUser) Forget(t *testing.T, group string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(u.Repo, strings.ReplaceAll(group, ".", "/"))); err != nil {
		t.Fatal(err)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// codeartifactToken is the guide's
// `aws codeartifact get-authorization-token --query authorizationToken --output text`.
func codeartifactToken(t *testing.T, aws *cli, domain string) string {
	t.Helper()
	r := aws.Raw(t, "codeartifact", "get-authorization-token", "--domain", domain, "--domain-owner", aws.srv.Account,
		"--query", "authorizationToken", "--output", "text")
	if r.Code != 0 {
		t.Fatalf("get-authorization-token:\n%s", r)
	}
	return strings.TrimSpace(r.Stdout)
}

// mavenEndpoint is `aws codeartifact get-repository-endpoint --format maven`.
func mavenEndpoint(t *testing.T, aws *cli, domain, repo string) string {
	t.Helper()
	return str(t, aws.OK(t, "get-repository-endpoint", "--domain", domain, "--repository", repo, "--format", "maven"), "repositoryEndpoint")
}

// writeJar writes a small jar and returns its path and bytes.
func writeJar(t *testing.T, dir, name string, files map[string]string) (string, []byte) {
	t.Helper()
	b := upstreamtest.Jar(files)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, b
}

// project writes a Maven project that depends on deps
// ("group:artifact:version") and deploys to endpoint.
func mavenProject(t *testing.T, group, artifactID, version, endpoint string, deps ...string) string {
	t.Helper()
	dir := t.TempDir()
	var d strings.Builder
	for _, dep := range deps {
		p := strings.Split(dep, ":")
		fmt.Fprintf(&d, "    <dependency><groupId>%s</groupId><artifactId>%s</artifactId><version>%s</version></dependency>\n", p[0], p[1], p[2])
	}
	pom := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>%s</groupId>
  <artifactId>%s</artifactId>
  <version>%s</version>
  <name>Arca e2e app</name>
  <description>A project built by the Maven end-to-end test.</description>
  <url>https://example.com/app</url>
  <licenses><license><name>Apache-2.0</name></license></licenses>
  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <repositories>
    <repository><id>codeartifact</id><url>%s</url><snapshots><enabled>true</enabled></snapshots></repository>
  </repositories>
  <dependencies>
%s  </dependencies>
  <distributionManagement>
    <repository><id>codeartifact</id><name>codeartifact</name><url>%s</url></repository>
    <snapshotRepository><id>codeartifact</id><name>codeartifact</name><url>%s</url></snapshotRepository>
  </distributionManagement>
</project>
`, group, artifactID, version, endpoint, d.String(), endpoint, endpoint)
	writeAt(t, filepath.Join(dir, "pom.xml"), pom)
	writeAt(t, filepath.Join(dir, "src/main/java/com/example/app/App.java"), "package com.example.app;\n\npublic class App {\n  public static String hello() { return \"hello\"; }\n}\n")
	return dir
}

func writeAt(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// accessLog returns the server's access log lines for requests whose path
// contains substr, as "METHOD status".
func accessLog(s *server, substr string) []string {
	var out []string
	re := regexp.MustCompile(`method=(\S+) path=(\S+) status=(\d+)`)
	for _, line := range strings.Split(s.AccessLog(), "\n") {
		if m := re.FindStringSubmatch(line); m != nil && strings.Contains(m[2], substr) {
			out = append(out, m[1]+" "+m[3])
		}
	}
	return out
}

func sha1Hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

// TestMaven is the guide's Maven section with the real mvn: deploy:deploy-file
// of a third-party jar, dependency:get of it and of a 5 MB jar, mvn deploy
// of a project that depends on the first (resolved from Arca), two SNAPSHOT
// deploys; then the AWS CLI on the packages mvn published.
func TestMaven(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "repo-2")
	ep := mavenEndpoint(t, aws, "my-domain", "my-repo")
	token := codeartifactToken(t, aws, "my-domain")
	u := newMvnUser(t, ep, token)
	step := steps(t)
	work := t.TempDir()
	demoJar, demoBytes := writeJar(t, work, "demo.jar", map[string]string{"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n", "com/example/demo/Demo.txt": "demo"})
	pkg := func(name string, extra ...string) []string {
		return append([]string{"--domain", "my-domain", "--repository", "my-repo", "--format", "maven", "--namespace", "com.example", "--package", name}, extra...)
	}

	step("deploy-file", func(t *testing.T) {
		u.MvnOK(t, work, "deploy:deploy-file", "-Dfile="+demoJar, "-DgroupId=com.example", "-DartifactId=demo",
			"-Dversion=1.0.0", "-Dpackaging=jar", "-Durl="+ep, "-DrepositoryId=codeartifact")
		// The wire of docs/CLIENTS.md §4.6: each file with its checksums, then
		// the metadata.
		wire := accessLogPaths(s, "/maven/my-repo/com/example/demo/")
		t.Logf("deploy-file on the wire: %v", wire)
		for _, want := range []string{
			"PUT 1.0.0/demo-1.0.0.jar 201", "PUT 1.0.0/demo-1.0.0.jar.sha1 201", "PUT 1.0.0/demo-1.0.0.jar.md5 201",
			"PUT 1.0.0/demo-1.0.0.pom 201", "PUT maven-metadata.xml 201", "PUT maven-metadata.xml.sha1 201",
		} {
			if !contains(wire, want) {
				t.Errorf("deploy-file did not send %q: %v", want, wire)
			}
		}
		v := aws.OK(t, append([]string{"describe-package-version"}, pkg("demo", "--package-version", "1.0.0")...)...)
		want(t, "describe-package-version", obj(t, v, "packageVersion"), "status", "Published")
		as := aws.OK(t, append([]string{"list-package-version-assets"}, pkg("demo", "--package-version", "1.0.0")...)...)
		names := map[string]bool{}
		for _, a := range list(t, as, "assets") {
			names[a.(map[string]any)["name"].(string)] = true
		}
		for _, n := range []string{"demo-1.0.0.jar", "demo-1.0.0.pom", "maven-metadata.xml"} {
			if !names[n] {
				t.Errorf("asset %s missing: %v", n, names)
			}
		}
	})

	step("dependency:get", func(t *testing.T) {
		u.Forget(t, "com.example")
		before := len(accessLog(s, "demo-1.0.0.jar"))
		// -C: a checksum Arca serves that does not match fails the build.
		u.MvnOK(t, work, "-C", "dependency:get", "-Dartifact=com.example:demo:1.0.0")
		got, err := os.ReadFile(filepath.Join(u.Repo, "com/example/demo/1.0.0/demo-1.0.0.jar"))
		if err != nil || !bytes.Equal(got, demoBytes) {
			t.Fatalf("the jar mvn downloaded differs: %v", err)
		}
		// Every GET goes out without credentials, then again after the
		// 401 challenge.
		log := gets(accessLog(s, "demo-1.0.0.jar")[before:])
		if len(log) < 2 || log[0] != "GET 401" || !contains(log, "GET 200") {
			t.Errorf("dependency:get of the jar: %v, want GET 401 then GET 200", log)
		}
	})

	step("a 5 MB jar", func(t *testing.T) {
		// A jar too large for the blob cache: mvn gets it the way every
		// large download leaves (sendfile), and -C checks it against the
		// .sha1 Arca answers from the digests stored at publish.
		payload := make([]byte, 5<<20)
		rand.NewChaCha8([32]byte{5}).Read(payload)
		bigJar, bigBytes := writeJar(t, work, "big.jar", map[string]string{"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n", "payload.bin": string(payload)})
		u.MvnOK(t, work, "deploy:deploy-file", "-Dfile="+bigJar, "-DgroupId=com.example", "-DartifactId=big",
			"-Dversion=1.0.0", "-Dpackaging=jar", "-Durl="+ep, "-DrepositoryId=codeartifact")
		u.Forget(t, "com.example")
		u.MvnOK(t, work, "-C", "dependency:get", "-Dartifact=com.example:big:1.0.0")
		got, err := os.ReadFile(filepath.Join(u.Repo, "com/example/big/1.0.0/big-1.0.0.jar"))
		if err != nil || !bytes.Equal(got, bigBytes) {
			t.Fatalf("the 5 MB jar mvn downloaded differs (%d bytes of %d): %v", len(got), len(bigBytes), err)
		}
		if log := gets(accessLog(s, "big-1.0.0.jar")); !contains(log, "GET 200") {
			t.Errorf("dependency:get of the 5 MB jar: %v, want a GET 200", log)
		}
	})

	app := mavenProject(t, "com.example", "app", "1.0.0", ep, "com.example:demo:1.0.0")
	step("deploy", func(t *testing.T) {
		u.Forget(t, "com.example")
		u.MvnOK(t, app, "deploy")
		v := obj(t, aws.OK(t, append([]string{"describe-package-version"}, pkg("app", "--package-version", "1.0.0")...)...), "packageVersion")
		want(t, "describe app", v, "status", "Published")
		want(t, "describe app", v, "displayName", "Arca e2e app")
		want(t, "describe app", v, "summary", "A project built by the Maven end-to-end test.")
		want(t, "describe app", v, "homePage", "https://example.com/app")
		deps := aws.OK(t, append([]string{"list-package-version-dependencies"}, pkg("app", "--package-version", "1.0.0")...)...)
		d := list(t, deps, "dependencies")
		if len(d) != 1 || d[0].(map[string]any)["package"] != "demo" || d[0].(map[string]any)["dependencyType"] != "compile" {
			t.Errorf("dependencies of app: %s", pretty(deps))
		}
		// A second deploy of the same release changes nothing: the same
		// bytes are accepted... but a rebuilt jar differs, so Maven's
		// reproducibility decides; only the metadata is checked here.
	})

	step("snapshots", func(t *testing.T) {
		snap := mavenProject(t, "com.example", "proj", "1.1.0-SNAPSHOT", ep)
		u.MvnOK(t, snap, "deploy")
		// The second deploy reads the metadata the first published, and
		// checks its checksums (-C: strictly).
		u.MvnOK(t, snap, "-C", "deploy")
		vs := aws.OK(t, append([]string{"list-package-versions"}, pkg("proj", "--status", "Unlisted")...)...)
		builds := list(t, vs, "versions")
		if len(builds) != 1 || !regexp.MustCompile(`^1\.1\.0-\d{8}\.\d{6}-1$`).MatchString(builds[0].(map[string]any)["version"].(string)) {
			t.Errorf("Unlisted builds: %s", pretty(vs))
		}
		v := obj(t, aws.OK(t, append([]string{"describe-package-version"}, pkg("proj", "--package-version", "1.1.0-SNAPSHOT")...)...), "packageVersion")
		want(t, "the SNAPSHOT", v, "status", "Published")
		// A consumer resolves the SNAPSHOT to the latest build.
		consumer := mavenProject(t, "com.example", "consumer", "1.0.0", ep, "com.example:proj:1.1.0-SNAPSHOT")
		u.Forget(t, "com.example")
		u.MvnOK(t, consumer, "-C", "dependency:resolve")
		jars, _ := filepath.Glob(filepath.Join(u.Repo, "com/example/proj/1.1.0-SNAPSHOT/proj-1.1.0-*-2.jar"))
		if len(jars) == 0 {
			entries, _ := os.ReadDir(filepath.Join(u.Repo, "com/example/proj/1.1.0-SNAPSHOT"))
			t.Errorf("build 2 was not resolved: %v", entries)
		}
	})

	step("aws cli", func(t *testing.T) {
		ps := aws.OK(t, "list-packages", "--domain", "my-domain", "--repository", "my-repo", "--format", "maven", "--namespace", "com.example")
		names := map[string]bool{}
		for _, p := range list(t, ps, "packages") {
			m := p.(map[string]any)
			names[m["package"].(string)] = true
			if m["format"] != "maven" || m["namespace"] != "com.example" {
				t.Errorf("list-packages entry %v", m)
			}
		}
		if !names["demo"] || !names["app"] || !names["proj"] {
			t.Errorf("list-packages: %s", pretty(ps))
		}
		out := filepath.Join(t.TempDir(), "demo.jar")
		r := aws.Raw(t, append([]string{"codeartifact", "get-package-version-asset"}, append(pkg("demo", "--package-version", "1.0.0", "--asset", "demo-1.0.0.jar"), out)...)...)
		if got, _ := os.ReadFile(out); r.Code != 0 || !bytes.Equal(got, demoBytes) {
			t.Errorf("get-package-version-asset:\n%s", r)
		}
		// Unlisted: downloads, but is not in the metadata mvn reads.
		aws.OK(t, append([]string{"update-package-versions-status"}, pkg("demo", "--versions", "1.0.0", "--target-status", "Unlisted")...)...)
		if code := get(t, ep+"com/example/demo/maven-metadata.xml", basic("aws:"+token)); code != 404 {
			t.Errorf("metadata with the only version Unlisted: %d", code)
		}
		if code := get(t, ep+"com/example/demo/1.0.0/demo-1.0.0.jar", basic("aws:"+token)); code != 200 {
			t.Errorf("Unlisted jar: %d", code)
		}
		aws.OK(t, append([]string{"update-package-versions-status"}, pkg("demo", "--versions", "1.0.0", "--target-status", "Archived")...)...)
		if code := get(t, ep+"com/example/demo/1.0.0/demo-1.0.0.jar", basic("aws:"+token)); code != 404 {
			t.Errorf("Archived jar: %d", code)
		}
		aws.OK(t, append([]string{"update-package-versions-status"}, pkg("demo", "--versions", "1.0.0", "--target-status", "Published")...)...)
		// Copy to repo-2, where mvn finds it.
		c := aws.OK(t, "copy-package-versions", "--domain", "my-domain", "--source-repository", "my-repo", "--destination-repository", "repo-2",
			"--format", "maven", "--namespace", "com.example", "--package", "demo", "--versions", "1.0.0")
		if _, ok := obj(t, c, "successfulVersions")["1.0.0"]; !ok {
			t.Errorf("copy: %s", pretty(c))
		}
		ep2 := mavenEndpoint(t, aws, "my-domain", "repo-2")
		if code := get(t, ep2+"com/example/demo/1.0.0/demo-1.0.0.jar", basic("aws:"+token)); code != 200 {
			t.Errorf("copied jar: %d", code)
		}
		// Dispose in repo-2, delete in my-repo.
		aws.OK(t, "dispose-package-versions", "--domain", "my-domain", "--repository", "repo-2", "--format", "maven",
			"--namespace", "com.example", "--package", "demo", "--versions", "1.0.0")
		if code := get(t, ep2+"com/example/demo/1.0.0/demo-1.0.0.jar", basic("aws:"+token)); code != 404 {
			t.Errorf("disposed jar: %d", code)
		}
		aws.OK(t, append([]string{"delete-package-versions"}, pkg("demo", "--versions", "1.0.0")...)...)
		if code := get(t, ep+"com/example/demo/1.0.0/demo-1.0.0.jar", basic("aws:"+token)); code != 404 {
			t.Errorf("deleted jar: %d", code)
		}
		// Deleted, it can be published again.
		u.MvnOK(t, work, "deploy:deploy-file", "-Dfile="+demoJar, "-DgroupId=com.example", "-DartifactId=demo",
			"-Dversion=1.0.0", "-Dpackaging=jar", "-Durl="+ep, "-DrepositoryId=codeartifact")
		aws.OK(t, append([]string{"delete-package"}, pkg("proj")...)...)
		if code := get(t, ep+"com/example/proj/maven-metadata.xml", basic("aws:"+token)); code != 404 {
			t.Errorf("metadata of a deleted package: %d", code)
		}
	})
}

// accessLogPaths returns the access log lines for paths containing
// prefix, as "METHOD rest-of-path status".
func accessLogPaths(s *server, prefix string) []string {
	var out []string
	re := regexp.MustCompile(`method=(\S+) path=(\S+) status=(\d+)`)
	for _, line := range strings.Split(s.AccessLog(), "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			if _, rest, ok := strings.Cut(m[2], prefix); ok {
				out = append(out, m[1]+" "+rest+" "+m[3])
			}
		}
	}
	return out
}

// gets keeps the GETs of an access log.
func gets(log []string) []string {
	var out []string
	for _, l := range log {
		if strings.HasPrefix(l, "GET ") {
			out = append(out, l)
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestMavenCurlRecipe runs the User Guide's "Publishing with curl" with
// the real curl, verbatim but for the endpoint.
func TestMavenCurlRecipe(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
	ep := mavenEndpoint(t, aws, "my-domain", "my-repo")
	token := codeartifactToken(t, aws, "my-domain")
	dir := t.TempDir()
	writeJar(t, filepath.Join(dir), "placeholder.jar", map[string]string{"x": "y"})
	os.MkdirAll(filepath.Join(dir, "target"), 0o755)
	_, jar := writeJar(t, filepath.Join(dir, "target"), "my-app-1.0.jar", map[string]string{"com/mycompany/app/App.class": "bytes"})
	writeAt(t, filepath.Join(dir, "target/my-app-1.0.pom"), `<project><modelVersion>4.0.0</modelVersion><groupId>com.mycompany.app</groupId><artifactId>my-app</artifactId><version>1.0</version></project>`)
	writeAt(t, filepath.Join(dir, "target/maven-metadata.xml"), `<metadata modelVersion="1.1.0">
  <groupId>com.mycompany.app</groupId>
  <artifactId>my-app</artifactId>
  <versioning>
    <latest>1.0</latest>
    <release>1.0</release>
    <versions>
      <version>1.0</version>
    </versions>
    <lastUpdated>20200731090423</lastUpdated>
  </versioning>
</metadata>
`)
	env := clientEnv(t.TempDir(), "CODEARTIFACT_AUTH_TOKEN="+token)
	sh := func(script string) {
		t.Helper()
		r := runProgram(t, env, dir, "/bin/sh", "-c", script)
		if r.Code != 0 {
			t.Fatalf("%s", r)
		}
	}
	status := func(version string) string {
		t.Helper()
		v := aws.OK(t, "describe-package-version", "--domain", "my-domain", "--repository", "my-repo", "--format", "maven",
			"--namespace", "com.mycompany.app", "--package", "my-app", "--package-version", version)
		return str(t, obj(t, v, "packageVersion"), "status")
	}
	tool(t, "curl")
	sh(`curl --fail --request PUT ` + ep + `com/mycompany/app/my-app/1.0/my-app-1.0.jar \
     --user "aws:$CODEARTIFACT_AUTH_TOKEN" --header "Content-Type: application/octet-stream" \
     --data-binary @target/my-app-1.0.jar`)
	sh(`curl --fail --request PUT ` + ep + `com/mycompany/app/my-app/1.0/my-app-1.0.pom \
     --user "aws:$CODEARTIFACT_AUTH_TOKEN" --header "Content-Type: application/octet-stream" \
     --data-binary @target/my-app-1.0.pom`)
	if got := status("1.0"); got != "Unfinished" {
		t.Fatalf("status after the jar and the POM = %s, want Unfinished", got)
	}
	if code := get(t, ep+"com/mycompany/app/my-app/1.0/my-app-1.0.jar", basic("aws:"+token)); code != 404 {
		t.Errorf("an Unfinished jar downloads: %d", code)
	}
	sh(`curl --fail --request PUT ` + ep + `com/mycompany/app/my-app/maven-metadata.xml \
     --user "aws:$CODEARTIFACT_AUTH_TOKEN" --header "Content-Type: application/octet-stream" \
     --data-binary @target/maven-metadata.xml`)
	if got := status("1.0"); got != "Published" {
		t.Fatalf("status after the metadata = %s, want Published", got)
	}
	r := runProgram(t, env, dir, "curl", "--fail", "-s", "--user", "aws:"+token, ep+"com/mycompany/app/my-app/1.0/my-app-1.0.jar")
	if r.Code != 0 || r.Stdout != string(jar) {
		t.Errorf("the published jar: %s", r)
	}
	// Option 2: update-package-versions-status.
	sh(`curl --fail --request PUT ` + ep + `com/mycompany/app/my-app/2.0/my-app-2.0.jar \
     --user "aws:$CODEARTIFACT_AUTH_TOKEN" --header "Content-Type: application/octet-stream" \
     --data-binary @target/my-app-1.0.jar`)
	if got := status("2.0"); got != "Unfinished" {
		t.Fatalf("status of 2.0 = %s", got)
	}
	aws.OK(t, "update-package-versions-status", "--domain", "my-domain", "--repository", "my-repo", "--format", "maven",
		"--namespace", "com.mycompany.app", "--package", "my-app", "--versions", "2.0", "--target-status", "Published")
	if got := status("2.0"); got != "Published" {
		t.Fatalf("status of 2.0 after update-package-versions-status = %s", got)
	}
	// A checksum that does not match stops the publish.
	r = runProgram(t, env, dir, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--request", "PUT", "--user", "aws:"+token,
		"--data-binary", "0000000000000000000000000000000000000000", ep+"com/mycompany/app/my-app/2.0/my-app-2.0.jar.sha1")
	if r.Stdout != "400" {
		t.Errorf("a mismatching .sha1: %s", r)
	}
	r = runProgram(t, env, dir, "curl", "-s", "--user", "aws:"+token, ep+"com/mycompany/app/my-app/2.0/my-app-2.0.jar.sha1")
	if r.Stdout != sha1Hex(jar) {
		t.Errorf(".sha1 served: %q", r.Stdout)
	}
}

// superPOMCentral reads the central repository URL from the installed
// Maven's super POM.
func superPOMCentral(t *testing.T) string {
	t.Helper()
	jars, _ := filepath.Glob("/usr/share/maven/lib/maven-model-builder-*.jar")
	if len(jars) == 0 {
		t.Fatalf("no maven-model-builder jar in /usr/share/maven/lib: %s", mavenHint)
	}
	zr, err := zip.OpenReader(jars[0])
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.Open("org/apache/maven/model/pom-4.0.0.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	m := regexp.MustCompile(`(?s)<repository>\s*<id>central</id>.*?<url>([^<]+)</url>`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no central repository in the super POM")
	}
	return string(m[1])
}

// TestMavenExternalConnection: mvn resolves through public:maven-central
// pointed at a fake repository; a jar fetched once still resolves when the
// repository is down.
func TestMavenExternalConnection(t *testing.T) {
	t.Parallel()
	fake := upstreamtest.NewMaven(t)
	fake.Publish("org.fake", "lib", "1.0", "org.fake:dep:2.0")
	fake.Publish("org.fake", "dep", "2.0")
	s := startServer(t, "--external-connection", "public:maven-central="+fake.URL, "--upstream-timeout", "5s")
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "central-store")
	aws.OK(t, "associate-external-connection", "--domain", "my-domain", "--repository", "central-store", "--external-connection", "public:maven-central")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo", "--upstreams", "repositoryName=central-store")
	ep := mavenEndpoint(t, aws, "my-domain", "my-repo")
	u := newMvnUser(t, ep, codeartifactToken(t, aws, "my-domain"))
	u.MvnOK(t, "", "dependency:get", "-Dartifact=org.fake:lib:1.0")
	for _, f := range []string{"org/fake/lib/1.0/lib-1.0.jar", "org/fake/dep/2.0/dep-2.0.jar"} {
		got, err := os.ReadFile(filepath.Join(u.Repo, f))
		if err != nil || !bytes.Equal(got, fake.File("/"+f)) {
			t.Errorf("%s: %v", f, err)
		}
	}
	if n := fake.Requests("/org/fake/lib/1.0/lib-1.0.jar"); n != 1 {
		t.Errorf("the jar was fetched %d times", n)
	}
	vs := aws.OK(t, "list-package-versions", "--domain", "my-domain", "--repository", "my-repo", "--format", "maven", "--namespace", "org.fake", "--package", "lib")
	if v := list(t, vs, "versions"); len(v) != 1 || obj(t, v[0].(map[string]any), "origin")["originType"] != "EXTERNAL" {
		t.Errorf("retained versions: %s", pretty(vs))
	}

	fake.Down()
	u.Forget(t, "org.fake")
	u.MvnOK(t, "", "dependency:get", "-Dartifact=org.fake:lib:1.0")
	if got, err := os.ReadFile(filepath.Join(u.Repo, "org/fake/lib/1.0/lib-1.0.jar")); err != nil || !bytes.Equal(got, fake.File("/org/fake/lib/1.0/lib-1.0.jar")) {
		t.Errorf("the jar during the outage: %v", err)
	}
}

// TestMavenCentralSmoke resolves junit:junit:4.13.2's POM through
// public:maven-central pointed at the central repository URL the installed
// Maven declares.
func TestMavenCentralSmoke(t *testing.T) {
	t.Parallel()
	central := superPOMCentral(t)
	s := startServer(t, "--external-connection", "public:maven-central="+central)
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
	aws.OK(t, "associate-external-connection", "--domain", "my-domain", "--repository", "my-repo", "--external-connection", "public:maven-central")
	ep := mavenEndpoint(t, aws, "my-domain", "my-repo")
	u := newMvnUser(t, ep, codeartifactToken(t, aws, "my-domain"))
	// Debian's repository has JUnit 4.13.2: the POM must come through Arca.
	if err := os.RemoveAll(filepath.Join(u.Repo, "junit/junit/4.13.2")); err != nil {
		t.Fatal(err)
	}
	u.MvnOK(t, "", "dependency:get", "-Dartifact=junit:junit:4.13.2:pom", "-Dtransitive=false")
	b, err := os.ReadFile(filepath.Join(u.Repo, "junit/junit/4.13.2/junit-4.13.2.pom"))
	if err != nil || !strings.Contains(string(b), "<artifactId>junit</artifactId>") {
		t.Fatalf("junit POM: %v", err)
	}
	v := aws.OK(t, "describe-package-version", "--domain", "my-domain", "--repository", "my-repo", "--format", "maven",
		"--namespace", "junit", "--package", "junit", "--package-version", "4.13.2")
	want(t, "junit", obj(t, v, "packageVersion"), "displayName", "JUnit")
}

// TestGradle is the guide's "Use CodeArtifact with Gradle" (fetching
// dependencies) with Debian's Gradle 4.4.1: a build resolves a library
// and its dependency from Arca, Gradle sending credentials after the 401
// challenge. Publishing with maven-publish cannot be tried with this
// Gradle: Debian's package registers no transporter for remote
// repositories ("No transporter factories registered"), whatever the
// server.
func TestGradle(t *testing.T) {
	t.Parallel()
	gradle := tool(t, "gradle")
	s := startServer(t)
	aws := newCLI(t, s)
	aws.OK(t, "create-domain", "--domain", "my-domain")
	aws.OK(t, "create-repository", "--domain", "my-domain", "--repository", "my-repo")
	ep := mavenEndpoint(t, aws, "my-domain", "my-repo")
	token := codeartifactToken(t, aws, "my-domain")
	home := t.TempDir()
	env := clientEnv(home, "CODEARTIFACT_AUTH_TOKEN="+token, "GRADLE_USER_HOME="+filepath.Join(home, ".gradle"))

	// A library and its dependency, published with curl as the guide does.
	dir := t.TempDir()
	_, depJar := writeJar(t, dir, "dep.jar", map[string]string{"com/example/dep/Dep.txt": "dep"})
	_, libJar := writeJar(t, dir, "lib.jar", map[string]string{"com/example/lib/Lib.txt": "lib"})
	putFile(t, ep+"com/example/dep/1.0/dep-1.0.jar", token, depJar)
	putFile(t, ep+"com/example/dep/1.0/dep-1.0.pom", token, []byte(`<project><modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>dep</artifactId><version>1.0</version></project>`))
	putFile(t, ep+"com/example/dep/maven-metadata.xml", token, []byte(`<metadata><groupId>com.example</groupId><artifactId>dep</artifactId><versioning><versions><version>1.0</version></versions></versioning></metadata>`))
	putFile(t, ep+"com/example/lib/2.0/lib-2.0.jar", token, libJar)
	putFile(t, ep+"com/example/lib/2.0/lib-2.0.pom", token, []byte(`<project><modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>lib</artifactId><version>2.0</version>
  <dependencies><dependency><groupId>com.example</groupId><artifactId>dep</artifactId><version>1.0</version></dependency></dependencies></project>`))
	putFile(t, ep+"com/example/lib/maven-metadata.xml", token, []byte(`<metadata><groupId>com.example</groupId><artifactId>lib</artifactId><versioning><versions><version>2.0</version></versions></versioning></metadata>`))

	app := t.TempDir()
	writeAt(t, filepath.Join(app, "settings.gradle"), "rootProject.name = 'gradle-app'\n")
	writeAt(t, filepath.Join(app, "build.gradle"), fmt.Sprintf(`apply plugin: 'java'
repositories {
    maven {
        url '%s'
        credentials {
            username "aws"
            password System.env.CODEARTIFACT_AUTH_TOKEN
        }
    }
}
dependencies {
    compile 'com.example:lib:2.0'
}
task fetch(type: Copy) {
    from configurations.runtime
    into 'libs'
}
`, ep))
	r := runProgram(t, env, app, gradle, "--no-daemon", "--console=plain", "-q", "fetch")
	if r.Code != 0 {
		t.Fatalf("gradle fetch:\n%s", tail(r.String(), 6000))
	}
	for f, want := range map[string][]byte{"lib-2.0.jar": libJar, "dep-1.0.jar": depJar} {
		if got, err := os.ReadFile(filepath.Join(app, "libs", f)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s not resolved: %v", f, err)
		}
	}
	if log := gets(accessLog(s, "/com/example/lib/2.0/lib-2.0.pom")); len(log) < 2 || log[0] != "GET 401" || !contains(log, "GET 200") {
		t.Errorf("gradle's requests for the POM: %v, want 401 then 200", log)
	}
}

// putFile PUTs a file with Basic aws:token, requiring 201.
func putFile(t *testing.T, url, token string, body []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", basic("aws:"+token))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT %s: %d %s", url, resp.StatusCode, b)
	}
}
