package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
	"github.com/arcahq/arca/internal/format/nuget/nugettest"
)

// The scale scenario's targets for the formats added after npm, PyPI
// and Maven: each publishes as its client does, over HTTP, and reads the
// document its client reads to find versions.

// scaleVersion spells version number i the same way in every format.
func scaleVersion(i int) string { return fmt.Sprintf("1.%d.%d", i/1000, i%1000) }

// scaleFormatTarget returns the scale target of cargo, nuget, ruby or
// swift.
func scaleFormatTarget(a scenarioArca, format string) (scaleTarget, error) {
	switch format {
	case "cargo":
		return scaleTarget{
			format:  types.PackageFormatCargo,
			version: scaleVersion,
			prepare: func(pkg string, i int) (scalePayload, error) {
				_, body := fixture.Crate(pkg, scaleVersion(i), 0, uint64(i))
				return scalePayload{size: len(body), send: func() error {
					req, _ := http.NewRequest(http.MethodPut, a.ep+"api/v1/crates/new", bytes.NewReader(body))
					req.Header.Set("Authorization", a.token) // cargo sends the bare token
					_, _, err := do(req)
					return err
				}}, nil
			},
			doc: func(pkg string) target {
				return target{url: a.ep + cargoIndexPath(pkg), header: http.Header{"Authorization": {a.token}, "Accept-Encoding": {"gzip"}}, size: -1}
			},
		}, nil
	case "ruby":
		return scaleTarget{
			format:  types.PackageFormatRuby,
			version: scaleVersion,
			prepare: func(pkg string, i int) (scalePayload, error) {
				gem := fixture.Gem(pkg, scaleVersion(i), 0, uint64(i))
				return scalePayload{size: len(gem), send: func() error {
					req, _ := http.NewRequest(http.MethodPost, a.ep+"api/v1/gems", bytes.NewReader(gem))
					req.Header.Set("Authorization", a.bearer())
					req.Header.Set("Content-Type", "application/octet-stream")
					_, _, err := do(req)
					return err
				}}, nil
			},
			// Bundler's compact index: the gem's info file.
			doc: func(pkg string) target {
				return target{url: a.ep + "info/" + pkg, header: http.Header{"Authorization": {a.basic()}, "Accept-Encoding": {"gzip"}}, size: -1}
			},
		}, nil
	case "nuget":
		return scaleTarget{
			format:  types.PackageFormatNuget,
			version: scaleVersion,
			prepare: func(pkg string, i int) (scalePayload, error) {
				ct, body := nugetPushBody(nugettest.Package(nugettest.Spec{ID: pkg, Version: scaleVersion(i), Description: "A fixture of Arca's scale benchmark."}))
				return scalePayload{size: len(body), send: func() error { return nugetSend(a.ep, a.basic(), ct, body) }}, nil
			},
			// The flat container's version list: what nuget.exe and
			// dotnet restore read to pick a version.
			doc: func(pkg string) target {
				return target{url: a.ep + "v3/package/" + strings.ToLower(pkg) + "/index.json", header: nugetHeader(a.basic()), size: -1}
			},
		}, nil
	case "swift":
		return scaleTarget{
			format:  types.PackageFormatSwift,
			version: scaleVersion,
			prepare: func(pkg string, i int) (scalePayload, error) {
				ct, body := swiftPublishBody(pkg, fixture.SwiftArchive(pkg, scaleVersion(i), 0, uint64(i)))
				return scalePayload{size: len(body), send: func() error { return swiftSend(a, pkg, scaleVersion(i), ct, body) }}, nil
			},
			// The release list (SE-0292 4.1), what SwiftPM reads to
			// resolve a version.
			doc: func(pkg string) target {
				return target{url: a.ep + swiftScope + "/" + pkg, header: swiftHeader(a), size: -1}
			},
			// The identifiers of the repository URL every release declares
			// (4.5), what SwiftPM asks to map a URL dependency to a
			// registry package.
			lookup: func(pkg string) target {
				return target{url: a.ep + "identifiers?url=" + url.QueryEscape(swiftRepositoryURL(pkg)), header: swiftHeader(a), size: -1}
			},
		}, nil
	}
	return scaleTarget{}, fmt.Errorf("the scale scenario has no format %q (npm, pypi, maven, cargo, nuget, ruby, swift)", format)
}

// swiftScope is the scope of the benchmarks' Swift packages.
const swiftScope = "bench"

// swiftRepositoryURL is the source repository a Swift package's releases
// declare in their metadata.
func swiftRepositoryURL(pkg string) string { return "https://example.com/bench/" + pkg + ".git" }

// swiftHeader is what SwiftPM sends to read: the registry's JSON media
// type, and the token of ~/.netrc as Basic.
func swiftHeader(a scenarioArca) http.Header {
	return http.Header{"Accept": {"application/vnd.swift.registry.v1+json"}, "Authorization": {a.basic()}, "Accept-Encoding": {"gzip"}}
}

// swiftPublish publishes a release as `swift package-registry publish`
// does: PUT /{scope}/{name}/{version}, multipart with the source archive
// and the metadata naming the package's repository URL.
func swiftPublish(a scenarioArca, pkg, version string, archive []byte) error {
	ct, body := swiftPublishBody(pkg, archive)
	return swiftSend(a, pkg, version, ct, body)
}

// swiftPublishBody is the multipart body of a publish of pkg's archive.
func swiftPublishBody(pkg string, archive []byte) (contentType string, body []byte) {
	return fixture.SwiftPublishBody(archive, `{"description":"A fixture of Arca's benchmarks.","repositoryURLs":["`+swiftRepositoryURL(pkg)+`"]}`)
}

// swiftSend sends a publish built by swiftPublishBody.
func swiftSend(a scenarioArca, pkg, version, ct string, body []byte) error {
	req, _ := http.NewRequest(http.MethodPut, a.ep+swiftScope+"/"+pkg+"/"+version, bytes.NewReader(body))
	req.Header = swiftHeader(a)
	req.Header.Del("Accept-Encoding")
	req.Header.Set("Content-Type", ct)
	_, _, err := do(req)
	return err
}

// cargoIndexPath is the sparse index path of a crate of four or more
// characters: "sc/al/scalecargo".
func cargoIndexPath(name string) string {
	n := strings.ToLower(name)
	return n[:2] + "/" + n[2:4] + "/" + n
}

// scaleFormatOf is the package format of a scale format name beyond npm,
// PyPI and Maven.
func scaleFormatOf(name string) (types.PackageFormat, bool) {
	switch name {
	case "cargo":
		return types.PackageFormatCargo, true
	case "nuget":
		return types.PackageFormatNuget, true
	case "ruby":
		return types.PackageFormatRuby, true
	case "swift":
		return types.PackageFormatSwift, true
	}
	return "", false
}
