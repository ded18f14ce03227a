package server_test

// Every format's download of a file too large for the pack of small blobs
// and for the blob cache leaves with sendfile: net/http hands the blob's
// file to the connection's ReadFrom, which gives it to the kernel. A
// response writer or connection wrapper that hides ReadFrom, a digest
// computed while sending or a body copied through a buffer would send the
// bytes with writes instead, at twice the copying; this test fails then,
// naming the format. It also holds that every format answers with the
// same headers (length up front, no chunking or compression, the SHA-256
// as ETag, ranges offered) and sends a range the same way: nothing in one
// format's large-file path differs from another's.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
	"github.com/arcahq/arca/internal/format/nuget/nugettest"
	"github.com/arcahq/arca/internal/servertest"
)

// largeFile is above the pack's and the blob cache's 64 KiB.
const largeFile = 256 << 10

func TestLargeDownloadsGoOutWithSendfile(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	watch := &watchingListener{Listener: ln, closed: map[string]connBytes{}}
	watch.cond = sync.NewCond(&watch.mu)
	srv := servertest.StartOn(t, watch, nil)
	ctx := t.Context()
	ca := srv.CodeArtifact()
	tok := servertest.Domain(t, ca, "big")
	ep := func(f types.PackageFormat) string {
		return strings.TrimSuffix(servertest.Repository(t, ca, "big", "big-"+string(f), f), "/") + "/"
	}
	bearer, basic := "Bearer "+tok, "Basic "+basic("aws", tok)
	send := func(method, url, auth, contentType string, body []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		req.Header.Set("Authorization", auth)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, url, resp.StatusCode, b)
		}
	}

	type download struct {
		format, url, auth string
		want              []byte
	}
	var downloads []download

	npm := ep(types.PackageFormatNpm)
	tgz, err := fixture.NPMTarball("big", "1.0.0", nil, largeFile, 1)
	if err != nil {
		t.Fatal(err)
	}
	send(http.MethodPut, npm+"big", bearer, "application/json", tgz.PublishBody(npm+"big/-/"+tgz.TarballFile()))
	downloads = append(downloads, download{"npm", npm + "big/-/" + tgz.TarballFile(), bearer, tgz.Tarball})

	pypi := ep(types.PackageFormatPypi)
	wheelName, wheel := fixture.Wheel("big", "1.0.0", largeFile, 2)
	ct, body := fixture.TwineBody("big", "1.0.0", wheelName, wheel)
	send(http.MethodPost, pypi, basic, ct, body)
	downloads = append(downloads, download{"pypi", pypi + "files/big/1.0.0/" + wheelName, basic, wheel})

	mavenRepo := ep(types.PackageFormatMaven)
	maven := mavenRepo + "com/example/big/1.0.0/big-1.0.0"
	jar := fixture.Jar("com.example", "big", "1.0.0", largeFile, 3)
	send(http.MethodPut, maven+".jar", basic, "", jar)
	send(http.MethodPut, maven+".pom", basic, "", []byte(`<project><modelVersion>4.0.0</modelVersion><groupId>com.example</groupId><artifactId>big</artifactId><version>1.0.0</version></project>`))
	// mvn deploy ends with the metadata, which publishes the version.
	send(http.MethodPut, mavenRepo+"com/example/big/maven-metadata.xml", basic, "", []byte(`<metadata><groupId>com.example</groupId><artifactId>big</artifactId><versioning><latest>1.0.0</latest><release>1.0.0</release><versions><version>1.0.0</version></versions><lastUpdated>20261207120000</lastUpdated></versioning></metadata>`))
	downloads = append(downloads, download{"maven", maven + ".jar", basic, jar})

	nuget := ep(types.PackageFormatNuget)
	nupkg := nugettest.Package(nugettest.Spec{ID: "Big", Version: "1.0.0", Description: "A large package.",
		Files: map[string]string{"lib/netstandard2.0/payload.bin": string(fixture.Noise(4, largeFile))}})
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	part, _ := mw.CreateFormFile("package", "package.nupkg")
	part.Write(nupkg)
	mw.Close()
	send(http.MethodPut, nuget+"v2/package/", basic, mw.FormDataContentType(), form.Bytes())
	downloads = append(downloads, download{"nuget", nuget + "v3/package/big/1.0.0/big.1.0.0.nupkg", basic, nupkg})

	cargo := ep(types.PackageFormatCargo)
	crate, publish := fixture.Crate("big", "1.0.0", largeFile, 5)
	send(http.MethodPut, cargo+"api/v1/crates/new", tok, "", publish)
	downloads = append(downloads, download{"cargo", cargo + "api/v1/crates/big/1.0.0/download", tok, crate})

	ruby := ep(types.PackageFormatRuby)
	gem := fixture.Gem("big", "1.0.0", largeFile, 6)
	send(http.MethodPost, ruby+"api/v1/gems", bearer, "application/octet-stream", gem)
	downloads = append(downloads, download{"ruby", ruby + "gems/big-1.0.0.gem", basic, gem})

	// Each download on a connection of its own, which the server closes
	// after the response (Connection: close): its counts are then final.
	var local string
	client := &http.Client{Transport: &http.Transport{
		DisableKeepAlives: true, DisableCompression: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err == nil {
				local = c.LocalAddr().String()
			}
			return c, err
		},
	}}
	check := func(format string, got, want []byte) {
		t.Helper()
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: downloaded %d bytes, not the %d published", format, len(got), len(want))
		}
		c := watch.waitClosed(local)
		// net/http copies the first 512 bytes with the headers (to sniff
		// a type, and to write nothing before the body can be read); the
		// rest must be the file's, through ReadFrom.
		if c.fromFile < int64(len(want))-512 || c.written > 4<<10 {
			t.Errorf("%s: %d of %d bytes went out through sendfile and %d through writes; want all but the first 512 through sendfile",
				format, c.fromFile, len(want), c.written)
		}
	}
	get := func(d download, rangeFrom int) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, d.url, nil)
		req.Header.Set("Authorization", d.auth)
		if rangeFrom > 0 {
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-", rangeFrom))
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("%s: GET %s: %v", d.format, d.url, err)
		}
		return resp, got
	}
	for _, d := range downloads {
		resp, got := get(d, 0)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: GET %s: %d", d.format, d.url, resp.StatusCode)
		}
		check(d.format, got, d.want)
		// Every format answers with the same headers: the length up
		// front (no chunking, no compression), the SHA-256 as the ETag,
		// ranges offered.
		sum := sha256.Sum256(d.want)
		if resp.ContentLength != int64(len(d.want)) || len(resp.TransferEncoding) != 0 || resp.Header.Get("Content-Encoding") != "" ||
			resp.Header.Get("Etag") != `"`+hex.EncodeToString(sum[:])+`"` || resp.Header.Get("Accept-Ranges") != "bytes" ||
			resp.Header.Get("Last-Modified") == "" || resp.Header.Get("Content-Type") == "" {
			t.Errorf("%s: answered with Content-Length %d, Transfer-Encoding %q and headers %v; want the length, the SHA-256 as ETag, Accept-Ranges, Last-Modified and a type",
				d.format, resp.ContentLength, resp.TransferEncoding, resp.Header)
		}
		// A resumed download (a range) takes the same way out.
		const from = 100 << 10
		resp, got = get(d, from)
		if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes %d-%d/%d", from, len(d.want)-1, len(d.want)) {
			t.Fatalf("%s: GET %s from byte %d: %d, Content-Range %q", d.format, d.url, from, resp.StatusCode, resp.Header.Get("Content-Range"))
		}
		check(d.format+" (range)", got, d.want[from:])
	}

	// The generic format's assets come through the control plane's
	// GetPackageVersionAsset, signed with SigV4.
	asset := fixture.Noise(7, largeFile)
	sum := sha256.Sum256(asset)
	if _, err := ca.CreateRepository(ctx, &codeartifact.CreateRepositoryInput{Domain: aws.String("big"), Repository: aws.String("big-generic")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.PublishPackageVersion(ctx, &codeartifact.PublishPackageVersionInput{
		Domain: aws.String("big"), Repository: aws.String("big-generic"), Format: types.PackageFormatGeneric,
		Namespace: aws.String("big"), Package: aws.String("big"), PackageVersion: aws.String("1.0.0"),
		AssetName: aws.String("big.bin"), AssetSHA256: aws.String(hex.EncodeToString(sum[:])),
		AssetContent: bytes.NewReader(asset), Unfinished: aws.Bool(false),
	}); err != nil {
		t.Fatal(err)
	}
	out, err := ca.GetPackageVersionAsset(ctx, &codeartifact.GetPackageVersionAssetInput{
		Domain: aws.String("big"), Repository: aws.String("big-generic"), Format: types.PackageFormatGeneric,
		Namespace: aws.String("big"), Package: aws.String("big"), PackageVersion: aws.String("1.0.0"), Asset: aws.String("big.bin"),
	}, func(o *codeartifact.Options) { o.HTTPClient = client })
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(out.Asset)
	out.Asset.Close()
	if err != nil {
		t.Fatal(err)
	}
	check("generic", got, asset)
}

// connBytes counts how a connection's response bytes left: handed to
// ReadFrom with a file as the source (sendfile), or written.
type connBytes struct{ fromFile, written int64 }

// watchingListener wraps the connections it accepts to count their bytes,
// and keeps each closed connection's counts by the client's address.
type watchingListener struct {
	net.Listener
	mu     sync.Mutex
	cond   *sync.Cond
	closed map[string]connBytes
}

func (l *watchingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &watchedConn{TCPConn: c.(*net.TCPConn), l: l}, nil
}

// waitClosed waits for the connection from client address addr to close
// and returns its counts.
func (l *watchingListener) waitClosed(addr string) connBytes {
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		if c, ok := l.closed[addr]; ok {
			return c
		}
		l.cond.Wait()
	}
}

type watchedConn struct {
	*net.TCPConn
	l    *watchingListener
	n    connBytes
	once sync.Once
}

func (c *watchedConn) Write(p []byte) (int, error) {
	n, err := c.TCPConn.Write(p)
	c.n.written += int64(n)
	return n, err
}

// ReadFrom is what net/http calls to send a body it copies; the source is
// a file (the kernel copies it) when it is a syscall.Conn, alone or
// inside an io.LimitedReader, as net's sendfile requires.
func (c *watchedConn) ReadFrom(r io.Reader) (int64, error) {
	src := r
	if lr, ok := src.(*io.LimitedReader); ok {
		src = lr.R
	}
	_, file := src.(syscall.Conn)
	n, err := c.TCPConn.ReadFrom(r)
	if file {
		c.n.fromFile += n
	} else {
		c.n.written += n
	}
	return n, err
}

func (c *watchedConn) Close() error {
	err := c.TCPConn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		c.l.closed[c.RemoteAddr().String()] = c.n
		c.l.mu.Unlock()
		c.l.cond.Broadcast()
	})
	return err
}
