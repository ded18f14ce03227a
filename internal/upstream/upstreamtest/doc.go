// Package upstreamtest has fake public registries for tests of external
// connections: real HTTP servers on 127.0.0.1 that serve documents and
// artifacts they generate, count every request by path, and can be made to
// fail the way public registries fail (refusing connections, answering
// errors, answering slowly), so that tests can assert exactly how many
// requests Arca sent upstream and how it behaves during an outage.
//
// NPM is a fake npm registry. Its tarballs are real gzip'd tar archives
// with package/package.json, and its package documents carry correct
// dist.shasum and dist.integrity, so the real npm client can install from
// it (directly or through Arca):
//
//	reg := upstreamtest.NewNPM(t)
//	reg.AddPackage("left-pad", 3)                      // 1.0.0, 1.1.0, 1.2.0; latest 1.2.0
//	reg.Publish("@acme/util", upstreamtest.Version{Version: "2.0.0",
//		Dependencies: map[string]string{"left-pad": "^1.0.0"}})
//	reg.SetTag("left-pad", "beta", "1.1.0")
//	cfg.ExternalConnections["public:npmjs"] = reg.URL
//	...
//	reg.Packuments("left-pad")              // requests for the package document
//	reg.Tarballs("left-pad", "1.2.0")       // requests for one tarball
//	reg.Down()                              // connections refused until Up
//	reg.SetStatus(503)                      // every request answered 503
//	reg.SetDelay(5 * time.Second)           // every request answered late
//	reg.Reset()                             // healthy and fast again
//
// PyPI is a fake Python package index (the simple API in both forms, with
// PEP 658 metadata files) whose wheels and sdists pip and uv install;
// PyPIWheel and PyPISdist build the same files for uploads. Maven is a fake
// Maven repository (the Maven 2 layout, with checksums and
// maven-metadata.xml) that mvn and Gradle resolve from. RubyGems is a fake
// gem registry (the compact index, append-only versions file, and real
// .gem files that gem and Bundler install).
//
// Every fake counts and fails alike, through the server it embeds:
// Requests (by decoded path), Total, Header (of the last request for a
// path), Down and Up (connections really refused, on the same port),
// SetDelay, SetStatus and Reset. The fakes stop when the test ends. They
// are safe for concurrent use.
package upstreamtest
