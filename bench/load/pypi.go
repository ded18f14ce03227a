package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
)

// What pip 24+ sends for a project page.
const (
	pipAccept         = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
	pipAcceptEncoding = "gzip, deflate"
	pipUserAgent      = `pip/24.3.1 {"installer":{"name":"pip","version":"24.3.1"},"python":"3.11.7"}`
)

const (
	pypiCaseIndex = "simple page, 1,000 files (as pip asks)"
	pypiCaseSmall = "file 10 KB"
	pypiCaseLarge = "file 5 MB"
)

// pypiFile is a distribution file of the fixtures.
type pypiFile struct {
	project, version, name string
	data                   []byte
}

// pypiFixtures: "benchindex" has 1,000 wheels (1,000 versions), and
// "benchfiles" a 10 KB wheel (1.0.0) and a 5 MB one (2.0.0).
func makePyPIFixtures() (index []pypiFile, small, large pypiFile) {
	for i := range 1000 {
		v := fmt.Sprintf("%d.%d.%d", 1+i/100, (i/10)%10, i%10)
		name, data := fixture.Wheel("benchindex", v, 0, uint64(i))
		index = append(index, pypiFile{"benchindex", v, name, data})
	}
	n, d := fixture.Wheel("benchfiles", "1.0.0", 10<<10, 2001)
	small = pypiFile{"benchfiles", "1.0.0", n, d}
	n, d = fixture.Wheel("benchfiles", "2.0.0", 5<<20, 2002)
	large = pypiFile{"benchfiles", "2.0.0", n, d}
	return
}

// pypiserverServer is pypiserver (from PyPI) on waitress (which its
// "auto" server picks when installed), serving a
// package directory, without authentication.
type pypiserverServer struct {
	*proc
	url     string
	dir     string
	version string
}

// ensurePypiserver installs pypiserver into a venv in the cache, once.
func (r *runner) ensurePypiserver() (string, error) {
	venv := filepath.Join(r.cache, "pypiserver-venv")
	bin := filepath.Join(venv, "bin", "pypi-server")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if !r.install {
		return "", fmt.Errorf("pypiserver is not installed in %s (and -no-install)", venv)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		return "", fmt.Errorf("python3 is not on PATH: %w", err)
	}
	logf("installing pypiserver into %s with pip", venv)
	if _, err := run(5*time.Minute, cleanEnv(), r.cache, py, "-m", "venv", venv); err != nil {
		return "", err
	}
	// [cache] adds watchdog, so pypiserver keeps its package list and
	// digests in memory instead of listing the directory per request.
	if _, err := run(10*time.Minute, cleanEnv(), r.cache, filepath.Join(venv, "bin", "pip"), "install", "--quiet",
		"pypiserver[passlib,cache]", "waitress"); err != nil {
		return "", err
	}
	return bin, nil
}

// startPypiserver starts pypiserver on waitress, serving the package
// directory under dir without authentication.
func (r *runner) startPypiserver(dir string) (*pypiserverServer, error) {
	bin, err := r.ensurePypiserver()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	pdir := filepath.Join(dir, "pypiserver")
	pkgs := filepath.Join(pdir, "packages")
	if err := os.MkdirAll(pkgs, 0o755); err != nil {
		return nil, err
	}
	p, err := startProc("pypiserver", cleanEnv(), pdir, filepath.Join(pdir, "out.log"), bin, "run",
		"-p", strconv.Itoa(port), "-i", "127.0.0.1", "-a", ".", "-P", ".", "--server", "auto",
		"--hash-algo", "sha256", "--log-stream", "none", pkgs)
	if err != nil {
		return nil, err
	}
	s := &pypiserverServer{proc: p, url: "http://127.0.0.1:" + strconv.Itoa(port), dir: pkgs, version: "pypiserver"}
	if err := p.waitHTTP(s.url+"/health", 60*time.Second, 200); err != nil {
		p.Stop()
		return nil, err
	}
	if out, err := run(time.Minute, cleanEnv(), pdir, bin, "--version"); err == nil {
		s.version = "pypiserver " + strings.TrimSpace(string(out)) + " on waitress"
	}
	return s, nil
}

// pypiGet fetches a URL with headers, failing on anything but 2xx.
func pypiGet(u string, h http.Header) ([]byte, http.Header, error) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header = h.Clone()
	req.Header.Del("Accept-Encoding")
	return do(req)
}

// pipHeader is what pip sends, with auth as its Authorization.
func pipHeader(auth string) http.Header {
	h := http.Header{"User-Agent": {pipUserAgent}, "Accept-Encoding": {pipAcceptEncoding}}
	if auth != "" {
		h.Set("Authorization", auth)
	}
	return h
}

// pypi runs the PyPI scenario: Arca, pypiserver and nginx with the same
// files, and the three throughput cases.
func (r *runner) pypi() error {
	cases := []string{pypiCaseIndex, pypiCaseSmall, pypiCaseLarge}
	logf("pypi: building fixtures")
	index, small, large := makePyPIFixtures()
	all := append(append([]pypiFile{}, index...), small, large)
	defer stopAll()
	arcas, err := r.startScenarioArcas("pypi", types.PackageFormatPypi)
	if err != nil {
		return err
	}
	cs := map[string][]contender{}
	add := func(c string, x contender) { cs[c] = append(cs[c], x) }
	// The first Arca's page, and the URLs of its files, for nginx.
	var (
		ep, arcaIndexURL string
		page             []byte
		hdr              http.Header
		fileURLs         map[string]string
	)
	for i, arca := range arcas {
		aep := arca.ep
		logf("pypi: uploading %d files to %s as twine does", len(all), arca.name)
		for _, f := range all {
			ct, body := fixture.TwineBody(f.project, f.version, f.name, f.data)
			req, _ := http.NewRequest(http.MethodPost, aep, bytes.NewReader(body))
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Authorization", arca.basic())
			req.Header.Set("User-Agent", "twine/6.1.0 CPython/3.11.7")
			if _, _, err := do(req); err != nil {
				return fmt.Errorf("%s: upload %s: %w", arca.name, f.name, err)
			}
		}
		// The page Arca serves, and the URLs of its files.
		indexURL := aep + "simple/benchindex/"
		pg, h, err := pypiGet(indexURL, withAccept(pipHeader(arca.basic()), pipAccept))
		if err != nil {
			return err
		}
		filesPage, _, err := pypiGet(aep+"simple/benchfiles/", withAccept(pipHeader(arca.basic()), pipAccept))
		if err != nil {
			return err
		}
		urls, err := simpleURLs(aep+"simple/benchfiles/", filesPage)
		if err != nil {
			return err
		}
		if i == 0 {
			ep, arcaIndexURL, page, hdr, fileURLs = aep, indexURL, pg, h, urls
		}
		add(pypiCaseIndex, arca.contender(target{url: indexURL, header: withAccept(pipHeader(arca.basic()), pipAccept), size: -1}))
		add(pypiCaseSmall, arca.contender(target{url: urls[small.name], header: pipHeader(arca.basic()), size: int64(len(small.data))}))
		add(pypiCaseLarge, arca.contender(target{url: urls[large.name], header: pipHeader(arca.basic()), size: int64(len(large.data))}))
	}
	dir := arcas[0].dir

	// pypiserver, with the same files in its directory.
	var ps *pypiserverServer
	var psStart int64
	if ps, err = r.startPypiserver(dir); err != nil {
		logf("pypi: pypiserver cannot run here: %v", err)
		r.skip("pypi", "pypiserver", firstLine(err.Error()), cases...)
		ps = nil
	} else {
		track(ps)
		psStart = startRSS(ps.PID())
		for _, f := range all {
			if err := os.WriteFile(filepath.Join(ps.dir, f.name), f.data, 0o644); err != nil {
				return err
			}
		}
		time.Sleep(2 * time.Second) // let its directory watcher catch up
		h := withAccept(pipHeader(""), pipAccept)
		if _, _, err := pypiGet(ps.url+"/simple/benchindex/", h); err != nil {
			return err
		}
		add(pypiCaseIndex, contender{"pypiserver", ps.PID(), target{url: ps.url + "/simple/benchindex/", header: h, size: -1}})
		add(pypiCaseSmall, contender{"pypiserver", ps.PID(), target{url: ps.url + "/packages/" + small.name, header: pipHeader(""), size: int64(len(small.data))}})
		add(pypiCaseLarge, contender{"pypiserver", ps.PID(), target{url: ps.url + "/packages/" + large.name, header: pipHeader(""), size: int64(len(large.data))}})
	}

	// nginx, with Arca's page and files laid out under the same paths.
	nginx, nginxBin := r.scenarioNginx("pypi", dir, `
        location /simple/ {
            index index.json;
            types { }
            default_type `+hdr.Get("Content-Type")+`;
        }
        location /files/ { }`, cases...)
	if nginx != nil {
		if err := writeStatic(nginx.root, "simple/benchindex/index.json", page, true); err != nil {
			return err
		}
		indexURLs, err := simpleURLs(arcaIndexURL, page)
		if err != nil {
			return err
		}
		for _, f := range all {
			u := fileURLs[f.name]
			if u == "" {
				u = indexURLs[f.name]
			}
			if !strings.HasPrefix(u, ep) {
				return fmt.Errorf("arca's URL of %s, %q, is not under the endpoint", f.name, u)
			}
			if err := writeStatic(nginx.root, strings.TrimPrefix(u, ep), f.data, false); err != nil {
				return err
			}
		}
		h := withAccept(pipHeader(""), pipAccept)
		add(pypiCaseIndex, contender{"nginx", nginx.PID(), target{url: nginx.url + "/simple/benchindex/", header: h, size: -1}})
		add(pypiCaseSmall, contender{"nginx", nginx.PID(), target{url: nginx.url + "/" + strings.TrimPrefix(fileURLs[small.name], ep), header: pipHeader(""), size: int64(len(small.data))}})
		add(pypiCaseLarge, contender{"nginx", nginx.PID(), target{url: nginx.url + "/" + strings.TrimPrefix(fileURLs[large.name], ep), header: pipHeader(""), size: int64(len(large.data))}})
	}

	r.noteArcas("pypi", arcas)
	if ps != nil {
		r.note("pypi", "pypiserver", ps.version, ps.PID(), psStart)
	}
	if nginx != nil {
		r.note("pypi", "nginx", nginxVersion(nginxBin), nginx.PID(), 0)
	}
	r.measureCase("pypi", pypiCaseIndex, false, cs[pypiCaseIndex])
	r.measureCase("pypi", pypiCaseSmall, false, cs[pypiCaseSmall])
	r.measureCase("pypi", pypiCaseLarge, true, cs[pypiCaseLarge])
	return nil
}

// withAccept returns a copy of h asking for accept.
func withAccept(h http.Header, accept string) http.Header {
	h = h.Clone()
	h.Set("Accept", accept)
	return h
}

// simpleURLs reads a PEP 691 JSON page and returns its files' absolute
// URLs (without the #fragment) by file name.
func simpleURLs(pageURL string, page []byte) (map[string]string, error) {
	var p struct {
		Files []struct {
			Filename string `json:"filename"`
			URL      string `json:"url"`
		} `json:"files"`
	}
	if err := json.Unmarshal(page, &p); err != nil {
		return nil, fmt.Errorf("%s is not a PEP 691 page: %w", pageURL, err)
	}
	base, err := url.Parse(pageURL)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range p.Files {
		u, err := base.Parse(f.URL)
		if err != nil {
			return nil, err
		}
		u.Fragment = ""
		out[f.Filename] = u.String()
	}
	return out, nil
}
