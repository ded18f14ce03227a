package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
)

// What npm sends for a package document (npm-registry-fetch's
// "corgi" Accept) and with every request.
const (
	npmAccept         = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
	npmAcceptEncoding = "gzip, deflate"
)

// The npm cases.
const (
	npmCaseDoc   = "document, 200 versions (abbreviated, gzip)"
	npmCaseSmall = "tarball 10 KB"
	npmCaseLarge = "tarball 5 MB"
)

// npmRegistry is a server that npm publishes to and installs from.
type npmRegistry struct {
	name     string
	pid      int
	backing  *backing // a database and blob store apart from the server, or nil
	registry string   // the registry URL, ending in "/"
	auth     string   // the Authorization header ("" for none)
	token    string   // for .npmrc's _authToken ("" for none)
}

// header is what npm sends to the registry, asking for accept.
func (g npmRegistry) header(accept string) http.Header {
	h := http.Header{"User-Agent": {"npm/11.6.0 node/v20.20.2 linux x64 workspaces/false"}, "Accept-Encoding": {npmAcceptEncoding}}
	if accept != "" {
		h.Set("Accept", accept)
	}
	if g.auth != "" {
		h.Set("Authorization", g.auth)
	}
	return h
}

// publish sends a publish request, as npm publish does.
func (g npmRegistry) publish(v fixture.NPMVersion) error {
	return g.put(v, g.publishBody(v))
}

// publishBody is the body npm publish sends for v.
func (g npmRegistry) publishBody(v fixture.NPMVersion) []byte {
	return v.PublishBody(g.registry + v.Name + "/-/" + v.TarballFile())
}

// put sends a publish body built by publishBody.
func (g npmRegistry) put(v fixture.NPMVersion, body []byte) error {
	req, _ := http.NewRequest(http.MethodPut, g.registry+v.Name, bytes.NewReader(body))
	req.Header = g.header("")
	req.Header.Set("Content-Type", "application/json")
	if _, _, err := do(req); err != nil {
		return fmt.Errorf("%s: publish %s@%s: %w", g.name, v.Name, v.Version, err)
	}
	return nil
}

// get fetches a URL with the registry's credentials.
func (g npmRegistry) get(url, accept string) ([]byte, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header = g.header(accept)
	req.Header.Del("Accept-Encoding")
	b, _, err := do(req)
	return b, err
}

// npmFixtures are the packages of the throughput cases.
type npmFixtures struct {
	doc          []fixture.NPMVersion // 200 versions of one package
	small, large fixture.NPMVersion
}

// makeNPMFixtures builds the 200-version package and the two tarballs.
func makeNPMFixtures() (npmFixtures, error) {
	var f npmFixtures
	for i := range 200 {
		deps := map[string]string{"bench-small": "^1.0.0"}
		if i%3 == 0 {
			deps["bench-big"] = "^1.0.0"
		}
		v, err := fixture.NPMTarball("bench-doc", fmt.Sprintf("1.%d.%d", i/20, i%20), deps, 0, uint64(i))
		if err != nil {
			return f, err
		}
		f.doc = append(f.doc, v)
	}
	var err error
	if f.small, err = fixture.NPMTarball("bench-small", "1.0.0", nil, 10<<10, 1001); err != nil {
		return f, err
	}
	f.large, err = fixture.NPMTarball("bench-big", "1.0.0", nil, 5<<20, 1002)
	return f, err
}

// npmLocations is nginx's layout for npm: /NAME answers docs/NAME.json
// (or its .gz), and tarballs are under /tarballs/.
const npmLocations = `
        location /tarballs/ { }
        location ~ "^/(?<pkg>[^/]+)$" {
            default_type application/json;
            try_files /docs/$pkg.json =404;
        }`

// writeNginxDoc lays out a package document fetched from Arca for nginx,
// its tarball URLs pointing at nginx.
func writeNginxDoc(root, nginxURL string, arca npmRegistry, name string) error {
	doc, err := arca.get(arca.registry+name, npmAccept)
	if err != nil {
		return err
	}
	doc = bytes.ReplaceAll(doc, []byte(arca.registry+name+"/-/"), []byte(nginxURL+"/tarballs/"))
	return writeStatic(root, "docs/"+name+".json", doc, true)
}

// npm runs the npm scenario: Arca, Verdaccio and nginx with the same
// packages, the three throughput cases, then `npm install` through each.
func (r *runner) npm() error {
	cases := []string{npmCaseDoc, npmCaseSmall, npmCaseLarge}
	logf("npm: building fixtures")
	fx, err := makeNPMFixtures()
	if err != nil {
		return err
	}
	defer stopAll()
	arcas, err := r.startScenarioArcas("npm", types.PackageFormatNpm)
	if err != nil {
		return err
	}
	dir := arcas[0].dir
	var regs []npmRegistry
	for _, a := range arcas {
		regs = append(regs, npmRegistry{name: a.name, pid: a.PID(), backing: a.backing, registry: a.ep, auth: a.bearer(), token: a.token})
	}

	// Verdaccio.
	var verdStart int64
	verd, verr := r.startVerdaccio(dir)
	if verr != nil {
		logf("npm: Verdaccio cannot run here: %v", verr)
		r.skip("npm", "verdaccio", firstLine(verr.Error()), cases...)
	} else {
		track(verd)
		verdStart = startRSS(verd.PID())
		regs = append(regs, npmRegistry{name: "verdaccio", pid: verd.PID(), registry: verd.url + "/", auth: "Bearer " + verd.token, token: verd.token})
	}

	logf("npm: publishing %d versions to %d servers", len(fx.doc)+2, len(regs))
	for _, g := range regs {
		for _, v := range append([]fixture.NPMVersion{fx.small, fx.large}, fx.doc...) {
			if err := g.publish(v); err != nil {
				return err
			}
		}
	}

	// nginx: the same bytes as static files.
	nginx, nginxBin := r.scenarioNginx("npm", dir, npmLocations, cases...)
	if nginx != nil {
		for _, v := range []fixture.NPMVersion{fx.small, fx.large, fx.doc[0]} {
			if err := writeNginxDoc(nginx.root, nginx.url, regs[0], v.Name); err != nil {
				return err
			}
		}
		for _, v := range append([]fixture.NPMVersion{fx.small, fx.large}, fx.doc...) {
			if err := writeStatic(nginx.root, "tarballs/"+v.TarballFile(), v.Tarball, false); err != nil {
				return err
			}
		}
		regs = append(regs, npmRegistry{name: "nginx", pid: nginx.PID(), registry: nginx.url + "/"})
	}

	r.noteArcas("npm", arcas)
	if verd != nil {
		r.note("npm", "verdaccio", verd.version, verd.PID(), verdStart)
	}
	if nginx != nil {
		r.note("npm", "nginx", nginxVersion(nginxBin), nginx.PID(), 0)
	}

	tarballURL := func(g npmRegistry, v fixture.NPMVersion) string {
		if g.name == "nginx" {
			return g.registry + "tarballs/" + v.TarballFile()
		}
		return g.registry + v.Name + "/-/" + v.TarballFile()
	}
	var doc, small, large []contender
	for _, g := range regs {
		doc = append(doc, contender{g.name, g.pid, target{url: g.registry + "bench-doc", header: g.header(npmAccept), size: -1, backing: g.backing}})
		small = append(small, contender{g.name, g.pid, target{url: tarballURL(g, fx.small), header: g.header(""), size: int64(len(fx.small.Tarball)), backing: g.backing}})
		large = append(large, contender{g.name, g.pid, target{url: tarballURL(g, fx.large), header: g.header(""), size: int64(len(fx.large.Tarball)), backing: g.backing}})
	}
	r.measureCase("npm", npmCaseDoc, false, doc)
	r.measureCase("npm", npmCaseSmall, false, small)
	r.measureCase("npm", npmCaseLarge, true, large)

	if !r.skipInstall {
		if err := r.npmInstall(dir, regs, nginx); err != nil {
			return err
		}
	}
	return nil
}

// nginxVersion is what `nginx -v` says.
func nginxVersion(bin string) string {
	out, _ := exec.Command(bin, "-v").CombinedOutput()
	return strings.TrimPrefix(strings.TrimSpace(string(out)), "nginx version: ")
}

// --- npm install ---

// installPackages are 200 small interdependent packages: bench-dep-NNN
// depends on the next one, the one 7 further and the one 31 further, so
// the install resolves a graph, not a list.
func installPackages() ([]fixture.NPMVersion, error) {
	const n = 200
	var out []fixture.NPMVersion
	for i := range n {
		deps := map[string]string{}
		for _, step := range []int{1, 7, 31} {
			if i+step < n {
				deps[fmt.Sprintf("bench-dep-%03d", i+step)] = "^1.0.0"
			}
		}
		v, err := fixture.NPMTarball(fmt.Sprintf("bench-dep-%03d", i), "1.0.0", deps, 0, uint64(5000+i))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// npmrc writes an .npmrc for a registry.
func npmrc(path string, g npmRegistry) error {
	s := "registry=" + g.registry + "\naudit=false\nfund=false\nupdate-notifier=false\n"
	if g.token != "" {
		s += "//" + strings.TrimPrefix(strings.TrimPrefix(g.registry, "http://"), "https://") + ":_authToken=" + g.token + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o600)
}

// npmInstall publishes the install fixtures with `npm publish` and times
// `npm install` of all of them through each registry.
func (r *runner) npmInstall(dir string, regs []npmRegistry, nginx *nginxServer) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		for _, g := range regs {
			r.installs = append(r.installs, installRow{Server: g.name, Skipped: "npm is not on PATH"})
		}
		return nil
	}
	pkgs, err := installPackages()
	if err != nil {
		return err
	}
	idir := filepath.Join(dir, "install")
	tgzDir := filepath.Join(idir, "tarballs")
	os.MkdirAll(tgzDir, 0o755)
	for _, v := range pkgs {
		if err := os.WriteFile(filepath.Join(tgzDir, v.TarballFile()), v.Tarball, 0o644); err != nil {
			return err
		}
	}
	// Publish the same tarballs with `npm publish` to the registries that
	// take publishes, four at a time.
	var arca npmRegistry
	for _, g := range regs {
		if g.name == "nginx" {
			continue
		}
		if g.name == "arca" {
			arca = g
		}
		rc := filepath.Join(idir, g.name+".npmrc")
		if err := npmrc(rc, g); err != nil {
			return err
		}
		logf("npm install: `npm publish` of %d packages to %s", len(pkgs), g.name)
		cache := filepath.Join(idir, g.name+"-publish-cache")
		errs := make(chan error, len(pkgs))
		sem := make(chan struct{}, 4)
		for _, v := range pkgs {
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				_, err := run(5*time.Minute, cleanEnv("NPM_CONFIG_USERCONFIG="+rc), idir, npm, "publish",
					filepath.Join(tgzDir, v.TarballFile()), "--cache", cache, "--loglevel=error", "--ignore-scripts")
				errs <- err
			}()
		}
		for range pkgs {
			if err := <-errs; err != nil {
				return fmt.Errorf("%s: %w", g.name, err)
			}
		}
	}
	if nginx != nil {
		for _, v := range pkgs {
			if err := writeNginxDoc(nginx.root, nginx.url, arca, v.Name); err != nil {
				return err
			}
			if err := writeStatic(nginx.root, "tarballs/"+v.TarballFile(), v.Tarball, false); err != nil {
				return err
			}
		}
	}
	// The project depends on every package, so npm fetches 200 documents
	// and 200 tarballs, the way a real install fans out.
	deps := []string{}
	for _, v := range pkgs {
		deps = append(deps, fmt.Sprintf("%q: %q", v.Name, "^1.0.0"))
	}
	manifest := `{"name":"bench-app","version":"1.0.0","private":true,"dependencies":{` + strings.Join(deps, ",") + "}}\n"

	for _, g := range regs {
		row := installRow{Server: g.name}
		rc := filepath.Join(idir, g.name+".npmrc")
		if err := npmrc(rc, g); err != nil {
			return err
		}
		once := func(n int) (time.Duration, error) {
			proj := filepath.Join(idir, fmt.Sprintf("%s-%d", g.name, n))
			os.RemoveAll(proj)
			if err := os.MkdirAll(proj, 0o755); err != nil {
				return 0, err
			}
			defer os.RemoveAll(proj)
			if err := os.WriteFile(filepath.Join(proj, "package.json"), []byte(manifest), 0o644); err != nil {
				return 0, err
			}
			start := time.Now()
			_, err := run(10*time.Minute, cleanEnv("NPM_CONFIG_USERCONFIG="+rc), proj, npm, "install",
				"--cache", filepath.Join(proj, ".npm-cache"), "--no-package-lock", "--ignore-scripts", "--loglevel=error")
			took := time.Since(start)
			if err != nil {
				return 0, err
			}
			entries, _ := filepath.Glob(filepath.Join(proj, "node_modules", "bench-dep-*"))
			if len(entries) != len(pkgs) {
				return 0, fmt.Errorf("npm install through %s installed %d packages, want %d", g.name, len(entries), len(pkgs))
			}
			return took, nil
		}
		logf("npm install through %s: one warm-up run, then %d measured", g.name, r.installRuns)
		if _, err := once(0); err != nil {
			row.Skipped = "failed: " + firstLine(err.Error())
			logf("  %v", err)
			r.installs = append(r.installs, row)
			continue
		}
		cpu0, _ := treeUsage(g.pid)
		back0, xacts0 := g.backing.usage()
		rss := sampleRSS(g.pid, 100*time.Millisecond)
		for n := 1; n <= r.installRuns; n++ {
			d, err := once(n)
			if err != nil {
				row.Skipped = "failed: " + firstLine(err.Error())
				logf("  %v", err)
				break
			}
			row.Runs = append(row.Runs, d)
			logf("  run %d: %.1fs", n, d.Seconds())
		}
		cpu1, _ := treeUsage(g.pid)
		back1, xacts1 := g.backing.usage()
		row.PeakRSS = rss.Peak()
		row.Backed = g.backing != nil
		if len(row.Runs) > 0 && row.Skipped == "" {
			row.CPU = (cpu1 - cpu0) / time.Duration(len(row.Runs))
			row.BackingCPU = (back1 - back0) / time.Duration(len(row.Runs))
			row.DBXacts = (xacts1 - xacts0) / int64(len(row.Runs))
			row.Median = median(row.Runs)
		}
		r.installs = append(r.installs, row)
	}
	return nil
}

// median returns the middle of ds.
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
