package main

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
)

const (
	mavenCaseMetadata = "maven-metadata.xml, 32 versions"
	mavenCaseSmall    = "jar 10 KB"
	mavenCaseLarge    = "jar 5 MB"

	mavenGroup    = "com.example.bench"
	mavenArtifact = "bench-lib"
	mavenUA       = "Apache-Maven/3.9.9 (Java 17.0.15; Linux 6.1)"
)

// mavenFile is a file of the Maven 2 layout.
type mavenFile struct {
	path string // below the repository root
	data []byte
}

// makeMavenFixtures returns the files mvn deploy sends for 32 versions
// (a jar and a POM each, with .sha1 and .md5), then maven-metadata.xml;
// 1.1.0's jar is 10 KB and 2.0.0's 5 MB.
func makeMavenFixtures() (files []mavenFile, small, large, metadata mavenFile) {
	base := strings.ReplaceAll(mavenGroup, ".", "/") + "/" + mavenArtifact + "/"
	versions, sizes := versionsOf32()
	withSums := func(f mavenFile) []mavenFile {
		s1, m5 := sha1.Sum(f.data), md5.Sum(f.data)
		return []mavenFile{f, {f.path + ".sha1", []byte(hex.EncodeToString(s1[:]))}, {f.path + ".md5", []byte(hex.EncodeToString(m5[:]))}}
	}
	for i, v := range versions {
		j := mavenFile{base + v + "/" + mavenArtifact + "-" + v + ".jar", fixture.Jar(mavenGroup, mavenArtifact, v, sizes[v], uint64(3000+i))}
		pom := mavenFile{base + v + "/" + mavenArtifact + "-" + v + ".pom", fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>%s</groupId>
  <artifactId>%s</artifactId>
  <version>%s</version>
  <name>Bench library</name>
  <description>A fixture of Arca's load benchmark.</description>
</project>
`, mavenGroup, mavenArtifact, v)}
		files = append(files, withSums(j)...)
		files = append(files, withSums(pom)...)
		switch v {
		case "1.1.0":
			small = j
		case "2.0.0":
			large = j
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata>\n  <groupId>%s</groupId>\n  <artifactId>%s</artifactId>\n  <versioning>\n", mavenGroup, mavenArtifact)
	fmt.Fprintf(&b, "    <latest>2.0.0</latest>\n    <release>2.0.0</release>\n    <versions>\n")
	for _, v := range versions {
		fmt.Fprintf(&b, "      <version>%s</version>\n", v)
	}
	b.WriteString("    </versions>\n    <lastUpdated>20261123120000</lastUpdated>\n  </versioning>\n</metadata>\n")
	metadata = mavenFile{base + "maven-metadata.xml", []byte(b.String())}
	files = append(files, withSums(metadata)...)
	return files, small, large, metadata
}

// mavenPut uploads a file as mvn deploy does.
func mavenPut(u, auth string, data ...[]byte) error {
	// The parts are sent as one body (the scale scenario's metadata
	// shares its list of versions between publishes).
	body := func() (io.ReadCloser, error) {
		readers := make([]io.Reader, len(data))
		for i, d := range data {
			readers[i] = bytes.NewReader(d)
		}
		return io.NopCloser(io.MultiReader(readers...)), nil
	}
	var n int64
	for _, d := range data {
		n += int64(len(d))
	}
	b, _ := body()
	req, _ := http.NewRequest(http.MethodPut, u, b)
	req.ContentLength, req.GetBody = n, body // sent again on a stale connection, as a bytes.Reader body is
	req.Header.Set("Authorization", auth)
	req.Header.Set("User-Agent", mavenUA)
	_, _, err := do(req)
	return err
}

// mavenHeader is what mvn sends, with auth as its Authorization.
func mavenHeader(auth string) http.Header {
	h := http.Header{"User-Agent": {mavenUA}, "Accept-Encoding": {"gzip,deflate"}, "Cache-Control": {"no-cache"}}
	if auth != "" {
		h.Set("Authorization", auth)
	}
	return h
}

// maven runs the Maven scenario: Arca, Reposilite (when it can be had)
// and nginx with the same files, and the three throughput cases.
func (r *runner) maven() error {
	cases := []string{mavenCaseMetadata, mavenCaseSmall, mavenCaseLarge}
	logf("maven: building fixtures")
	files, small, large, metadata := makeMavenFixtures()
	defer stopAll()
	arcas, err := r.startScenarioArcas("maven", types.PackageFormatMaven)
	if err != nil {
		return err
	}
	arca := arcas[0]
	dir, ep := arca.dir, arca.ep
	cs := map[string][]contender{}
	cases3 := func(base string, h http.Header) (metadataT, smallT, largeT target) {
		return target{url: base + metadata.path, header: h, size: -1}, target{url: base + small.path, header: h, size: int64(len(small.data))}, target{url: base + large.path, header: h, size: int64(len(large.data))}
	}
	add := func(server string, pid int, base, auth string) {
		m, sm, lg := cases3(base, mavenHeader(auth))
		cs[mavenCaseMetadata] = append(cs[mavenCaseMetadata], contender{server, pid, m})
		cs[mavenCaseSmall] = append(cs[mavenCaseSmall], contender{server, pid, sm})
		cs[mavenCaseLarge] = append(cs[mavenCaseLarge], contender{server, pid, lg})
	}
	for _, a := range arcas {
		logf("maven: deploying %d files to %s", len(files), a.name)
		for _, f := range files {
			if err := mavenPut(a.ep+f.path, a.basic(), f.data); err != nil {
				return fmt.Errorf("%s: %w", a.name, err)
			}
		}
		m, sm, lg := cases3(a.ep, mavenHeader(a.basic()))
		cs[mavenCaseMetadata] = append(cs[mavenCaseMetadata], a.contender(m))
		cs[mavenCaseSmall] = append(cs[mavenCaseSmall], a.contender(sm))
		cs[mavenCaseLarge] = append(cs[mavenCaseLarge], a.contender(lg))
	}

	// Reposilite.
	var rep *reposiliteServer
	var repStart int64
	if rep, err = r.startReposilite(dir); err != nil {
		logf("maven: Reposilite cannot run here: %v", err)
		r.skip("maven", "reposilite", firstLine(err.Error()), cases...)
		rep = nil
	} else {
		track(rep)
		repStart = startRSS(rep.PID())
		for _, f := range files {
			if err := mavenPut(rep.repo+f.path, rep.auth, f.data); err != nil {
				return fmt.Errorf("reposilite: %w", err)
			}
		}
		add("reposilite", rep.PID(), rep.repo, "")
	}

	// nginx, with the bytes Arca serves at the same paths.
	nginx, nginxBin := r.scenarioNginx("maven", dir, "", cases...)
	if nginx != nil {
		for _, f := range files {
			data := f.data
			if strings.HasSuffix(f.path, "maven-metadata.xml") {
				req, _ := http.NewRequest(http.MethodGet, ep+f.path, nil)
				req.Header.Set("Authorization", arca.basic())
				var err error
				if data, _, err = do(req); err != nil {
					return fmt.Errorf("arca: %w", err)
				}
			}
			if err := writeStatic(nginx.root, f.path, data, strings.HasSuffix(f.path, ".xml")); err != nil {
				return err
			}
		}
		add("nginx", nginx.PID(), nginx.url+"/", "")
	}
	r.noteArcas("maven", arcas)
	if rep != nil {
		r.note("maven", "reposilite", rep.version, rep.PID(), repStart)
	}
	if nginx != nil {
		r.note("maven", "nginx", nginxVersion(nginxBin), nginx.PID(), 0)
	}
	r.measureCase("maven", mavenCaseMetadata, false, cs[mavenCaseMetadata])
	r.measureCase("maven", mavenCaseSmall, false, cs[mavenCaseSmall])
	r.measureCase("maven", mavenCaseLarge, true, cs[mavenCaseLarge])
	return nil
}

// --- Reposilite ---

// reposiliteVersion is the Reposilite fetched when no jar is given.
const reposiliteVersion = "3.5.26"

type reposiliteServer struct {
	*proc
	repo    string // the "releases" repository URL, ending in "/"
	auth    string // Basic credentials of the token that deploys
	version string
}

// reposiliteJar returns a Reposilite jar: the one given with
// -reposilite-jar, one fetched before, or one fetched now with mvn from
// the repositories mvn is configured with (Maven Central here).
func (r *runner) reposiliteJar() (string, error) {
	if r.reposiliteJarPath != "" {
		return r.reposiliteJarPath, nil
	}
	dir := filepath.Join(r.cache, "reposilite")
	jarPath := filepath.Join(dir, "reposilite-"+reposiliteVersion+"-all.jar")
	if _, err := os.Stat(jarPath); err == nil {
		return jarPath, nil
	}
	if !r.install {
		return "", fmt.Errorf("no Reposilite jar in %s (and -no-install)", dir)
	}
	mvn, err := exec.LookPath("mvn")
	if err != nil {
		return "", fmt.Errorf("mvn is not on PATH: %w", err)
	}
	logf("fetching Reposilite %s with mvn", reposiliteVersion)
	art := "com.reposilite:reposilite:" + reposiliteVersion + ":jar:all"
	if _, err := run(5*time.Minute, cleanEnv(), os.TempDir(), mvn, "-q", "-B", "dependency:copy",
		"-Dartifact="+art, "-DoutputDirectory="+dir, "-Dmdep.stripVersion=false"); err != nil {
		logf("mvn: %v", err)
		return "", fmt.Errorf("no Reposilite jar: mvn could not fetch %s from the repositories it is configured with (give one with -reposilite-jar)", art)
	}
	return jarPath, nil
}

// startReposilite runs Reposilite 3 with java, with a token that deploys.
// (Not exercised on the machine the recorded figures come from, where no
// Reposilite jar can be had.)
func (r *runner) startReposilite(dir string) (*reposiliteServer, error) {
	jarPath, err := r.reposiliteJar()
	if err != nil {
		return nil, err
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, fmt.Errorf("java is not on PATH: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	rdir := filepath.Join(dir, "reposilite")
	if err := os.MkdirAll(rdir, 0o755); err != nil {
		return nil, err
	}
	const name, secret = "bench", "bench-reposilite-secret"
	p, err := startProc("reposilite", cleanEnv(), rdir, filepath.Join(rdir, "out.log"), java, "-Xmx128M", "-jar", jarPath,
		"--working-directory", rdir, "--port", strconv.Itoa(port), "--token", name+":"+secret)
	if err != nil {
		return nil, err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	s := &reposiliteServer{proc: p, repo: url + "/releases/", version: filepath.Base(jarPath),
		auth: "Basic " + base64.StdEncoding.EncodeToString([]byte(name+":"+secret))}
	if err := p.waitHTTP(url+"/", 120*time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return s, nil
}
