package main

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
	"github.com/arcahq/arca/internal/format/nuget/nugettest"
)

const (
	nugetCaseFlat         = "flat-container index, 32 versions"
	nugetCaseRegistration = "registration index, 32 versions"
	nugetCaseSmall        = "nupkg 10 KB"
	nugetCaseLarge        = "nupkg 5 MB"

	nugetID = "Bench.Lib"
	nugetUA = "NuGet Command Line/5.8.0 (Unix 6.1)"
)

// nugetPackage is one pushed version.
type nugetPackage struct {
	version string
	data    []byte
}

// makeNuGetFixtures returns 32 versions of one package: 1 KB of content
// each, but 1.1.0 with 10 KB and 2.0.0 with 5 MB (incompressible).
func makeNuGetFixtures() (pkgs []nugetPackage, small, large nugetPackage) {
	versions, sizes := versionsOf32()
	for i, v := range versions {
		p := nugetPackage{v, nugettest.Package(nugettest.Spec{
			ID: nugetID, Version: v, Description: "A fixture of Arca's load benchmark.",
			Files: map[string]string{"lib/netstandard2.0/payload.bin": string(fixture.Noise(uint64(5000+i), sizes[v]))},
		})}
		pkgs = append(pkgs, p)
		switch v {
		case "1.1.0":
			small = p
		case "2.0.0":
			large = p
		}
	}
	return pkgs, small, large
}

// nugetPush pushes a package as nuget.exe does: a PUT of a one-part
// multipart form to the publish resource.
func nugetPush(endpoint, auth string, data []byte) error {
	ct, body := nugetPushBody(data)
	return nugetSend(endpoint, auth, ct, body)
}

// nugetPushBody is the multipart form nuget push sends with the package
// data.
func nugetPushBody(data []byte) (contentType string, body []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	part, _ := mw.CreateFormFile("package", "package.nupkg") // writes to memory: no error
	part.Write(data)
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// nugetSend sends a push built by nugetPushBody.
func nugetSend(endpoint, auth, contentType string, body []byte) error {
	req, _ := http.NewRequest(http.MethodPut, endpoint+"v2/package/", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", auth)
	req.Header.Set("User-Agent", nugetUA)
	_, _, err := do(req)
	return err
}

// nugetHeader is what nuget.exe sends, with auth as its Authorization.
func nugetHeader(auth string) http.Header {
	h := http.Header{"User-Agent": {nugetUA}, "Accept-Encoding": {"gzip, deflate"}}
	if auth != "" {
		h.Set("Authorization", auth)
	}
	return h
}

// nuget runs the NuGet scenario: Arca and nginx serving the same bytes at
// the same paths (no other NuGet V3 server runs here), and the four
// throughput cases.
func (r *runner) nuget() error {
	cases := []string{nugetCaseFlat, nugetCaseRegistration, nugetCaseSmall, nugetCaseLarge}
	logf("nuget: building fixtures")
	pkgs, small, large := makeNuGetFixtures()
	defer stopAll()
	arcas, err := r.startScenarioArcas("nuget", types.PackageFormatNuget)
	if err != nil {
		return err
	}
	arca := arcas[0]
	ep := arca.ep
	lower := strings.ToLower(nugetID)
	paths := map[string]string{
		nugetCaseFlat:         "v3/package/" + lower + "/index.json",
		nugetCaseRegistration: "v3/registrations2/" + lower + "/index.json",
		nugetCaseSmall:        "v3/package/" + lower + "/" + small.version + "/" + lower + "." + small.version + ".nupkg",
		nugetCaseLarge:        "v3/package/" + lower + "/" + large.version + "/" + lower + "." + large.version + ".nupkg",
	}
	sizes := map[string]int64{nugetCaseFlat: -1, nugetCaseRegistration: -1, nugetCaseSmall: int64(len(small.data)), nugetCaseLarge: int64(len(large.data))}
	cs := map[string][]contender{}
	add := func(server string, pid int, base, auth string) {
		for _, c := range cases {
			cs[c] = append(cs[c], contender{server, pid, target{url: base + paths[c], header: nugetHeader(auth), size: sizes[c]}})
		}
	}
	for _, a := range arcas {
		logf("nuget: pushing %d versions to %s", len(pkgs), a.name)
		for _, p := range pkgs {
			if err := nugetPush(a.ep, a.basic(), p.data); err != nil {
				return fmt.Errorf("%s: %w", a.name, err)
			}
		}
		for _, c := range cases {
			cs[c] = append(cs[c], a.contender(target{url: a.ep + paths[c], header: nugetHeader(a.basic()), size: sizes[c]}))
		}
	}

	// nginx, with the bytes Arca serves at the same paths (documents as
	// Arca renders them, so their URLs point at Arca: only the bytes
	// matter here).
	nginx, nginxBin := r.scenarioNginx("nuget", arca.dir, "", cases...)
	if nginx != nil {
		for _, c := range cases {
			req, _ := http.NewRequest(http.MethodGet, ep+paths[c], nil)
			req.Header.Set("Authorization", arca.basic())
			data, _, err := do(req)
			if err != nil {
				return fmt.Errorf("arca: %w", err)
			}
			if err := writeStatic(nginx.root, paths[c], data, strings.HasSuffix(paths[c], ".json")); err != nil {
				return err
			}
		}
		add("nginx", nginx.PID(), nginx.url+"/", "")
	}
	r.noteArcas("nuget", arcas)
	if nginx != nil {
		r.note("nuget", "nginx", nginxVersion(nginxBin), nginx.PID(), 0)
	}
	r.measureCase("nuget", nugetCaseFlat, false, cs[nugetCaseFlat])
	r.measureCase("nuget", nugetCaseRegistration, false, cs[nugetCaseRegistration])
	r.measureCase("nuget", nugetCaseSmall, false, cs[nugetCaseSmall])
	r.measureCase("nuget", nugetCaseLarge, true, cs[nugetCaseLarge])
	return nil
}
