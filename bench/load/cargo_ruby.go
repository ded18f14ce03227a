package main

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
)

// docScenario is a scenario of one package with 32 versions published to
// Arca, a document case and a 10 KB and a 5 MB file case, measured beside
// nginx serving the same bytes at the same paths (no other registry of
// the format runs here).
type docScenario struct {
	name   string
	format types.PackageFormat
	// publish sends version v (1 KB, 10 KB or 5 MB of content) to Arca
	// and returns the path of its file below the endpoint.
	publish func(a scenarioArca, v string, size int, seed uint64) (string, error)
	docCase string
	docPath string // the document's path below the endpoint
	// auth is the Authorization header the format's client sends.
	auth func(a scenarioArca) string
	// nginxDoc, when set, is where nginx keeps the document, served at
	// docPath by the location nginxConf adds (a document whose path is
	// also the directory of the files).
	nginxDoc, nginxConf string
}

// versionsOf32 are the fixture's versions: 30 of 1 KB, then 1.1.0 of
// 10 KB and 2.0.0 of 5 MB.
func versionsOf32() (versions []string, sizes map[string]int) {
	sizes = map[string]int{}
	for i := range 30 {
		v := fmt.Sprintf("1.0.%d", i)
		versions, sizes[v] = append(versions, v), 1<<10
	}
	versions = append(versions, "1.1.0", "2.0.0")
	sizes["1.1.0"], sizes["2.0.0"] = 10<<10, 5<<20
	return versions, sizes
}

func (r *runner) docScenario(s docScenario) error {
	small, large := s.name+" file 10 KB", s.name+" file 5 MB"
	cases := []string{s.docCase, small, large}
	defer stopAll()
	arcas, err := r.startScenarioArcas(s.name, s.format)
	if err != nil {
		return err
	}
	versions, sizes := versionsOf32()
	paths := map[string]string{s.docCase: s.docPath}
	bodies := map[string][]byte{} // the first Arca's, for nginx
	cs := map[string][]contender{}
	for _, a := range arcas {
		logf("%s: publishing %d versions to %s", s.name, len(versions), a.name)
		for i, v := range versions {
			p, err := s.publish(a, v, sizes[v], uint64(7000+i))
			if err != nil {
				return fmt.Errorf("%s: %s %s: %w", a.name, s.name, v, err)
			}
			switch v {
			case "1.1.0":
				paths[small] = p
			case "2.0.0":
				paths[large] = p
			}
		}
		for _, c := range cases {
			req, _ := http.NewRequest(http.MethodGet, a.ep+paths[c], nil)
			req.Header.Set("Authorization", s.auth(a))
			body, _, err := do(req)
			if err != nil {
				return fmt.Errorf("%s: %w", a.name, err)
			}
			if bodies[c] == nil {
				bodies[c] = body
			}
			cs[c] = append(cs[c], a.contender(docTarget(s, c, a.ep+paths[c], s.auth(a), body)))
		}
	}
	arca := arcas[0]
	add := func(server string, pid int, base string) {
		for _, c := range cases {
			cs[c] = append(cs[c], contender{server, pid, docTarget(s, c, base+paths[c], "", bodies[c])})
		}
	}
	nginx, nginxBin := r.scenarioNginx(s.name, arca.dir, s.nginxConf, cases...)
	if nginx != nil {
		for _, c := range cases {
			file := paths[c]
			if c == s.docCase && s.nginxDoc != "" {
				file = s.nginxDoc
			}
			if err := writeStatic(nginx.root, file, bodies[c], c == s.docCase); err != nil {
				return err
			}
		}
		add("nginx", nginx.PID(), nginx.url+"/")
	}
	r.noteArcas(s.name, arcas)
	if nginx != nil {
		r.note(s.name, "nginx", nginxVersion(nginxBin), nginx.PID(), 0)
	}
	r.measureCase(s.name, s.docCase, false, cs[s.docCase])
	r.measureCase(s.name, small, false, cs[small])
	r.measureCase(s.name, large, true, cs[large])
	return nil
}

// docTarget is case c of the scenario at url, with the client's
// Authorization (none when empty); body is what Arca answered.
func docTarget(s docScenario, c, url, auth string, body []byte) target {
	h := http.Header{"Accept-Encoding": {"gzip"}}
	if auth != "" {
		h.Set("Authorization", auth)
	}
	size := int64(len(body))
	if c == s.docCase {
		size = -1
	}
	return target{url: url, header: h, size: size}
}

// cargo: the sparse index file of a crate with 32 versions, a 10 KB and
// a 5 MB .crate; cargo sends the bare token.
func (r *runner) cargo() error {
	const crate = "bench-crate"
	return r.docScenario(docScenario{
		name: "cargo", format: types.PackageFormatCargo,
		docCase: "index file, 32 versions", docPath: "be/nc/" + crate,
		auth: func(a scenarioArca) string { return a.token },
		publish: func(a scenarioArca, v string, size int, seed uint64) (string, error) {
			_, body := fixture.Crate(crate, v, size, seed)
			req, _ := http.NewRequest(http.MethodPut, a.ep+"api/v1/crates/new", bytes.NewReader(body))
			req.Header.Set("Authorization", a.token)
			_, _, err := do(req)
			return "api/v1/crates/" + crate + "/" + v + "/download", err
		},
	})
}

// ruby: Bundler's compact-index info file of a gem with 32 versions, a
// 10 KB and a 5 MB .gem; gem and Bundler send Basic credentials.
func (r *runner) ruby() error {
	const gem = "bench-gem"
	return r.docScenario(docScenario{
		name: "ruby", format: types.PackageFormatRuby,
		docCase: "compact index info, 32 versions", docPath: "info/" + gem,
		auth: func(a scenarioArca) string { return a.basic() },
		publish: func(a scenarioArca, v string, size int, seed uint64) (string, error) {
			req, _ := http.NewRequest(http.MethodPost, strings.TrimSuffix(a.ep, "/")+"/api/v1/gems", bytes.NewReader(fixture.Gem(gem, v, size, seed)))
			req.Header.Set("Authorization", a.bearer())
			req.Header.Set("Content-Type", "application/octet-stream")
			_, _, err := do(req)
			return "gems/" + gem + "-" + v + ".gem", err
		},
	})
}

// swift: a package's release list (SE-0292 4.1) with 32 versions, a 10 KB
// and a 5 MB source archive; SwiftPM sends Basic credentials.
func (r *runner) swift() error {
	const pkg = "benchswift"
	return r.docScenario(docScenario{
		name: "swift", format: types.PackageFormatSwift,
		docCase: "release list, 32 versions", docPath: swiftScope + "/" + pkg,
		auth: func(a scenarioArca) string { return a.basic() },
		// The list's path is also the directory of the archives.
		nginxDoc: "releases/" + pkg + ".json",
		nginxConf: `
        location = /` + swiftScope + "/" + pkg + ` {
            default_type application/json;
            try_files /releases/` + pkg + `.json =404;
        }`,
		publish: func(a scenarioArca, v string, size int, seed uint64) (string, error) {
			err := swiftPublish(a, pkg, v, fixture.SwiftArchive(pkg, v, size, seed))
			return swiftScope + "/" + pkg + "/" + v + ".zip", err
		},
	})
}
