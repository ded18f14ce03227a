package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"

	"github.com/arcahq/arca/internal/archive/archivetest"
)

const mib = 1 << 20

// attacks are issue 16's findings, in its order (the slow body, which
// takes a 30-second window, runs beside them: main).
var attacks = []attack{
	{"control-body", "a signed control-plane body declaring x-amz-content-sha256", 64 * mib, controlBody},
	{"form-names", "PyPI form parts with 9 MiB field names", 64 * mib, formNames},
	{"data-dir", "secrets at rest: modes of the data directory and database; token lifetime", 0, dataDir},
	{"wheel-entries", "a wheel whose zip lists 1.5 million entries (67 MiB)", 256 * mib, wheelEntries},
	{"wheel-metadata", "8 concurrent PEP 658 .metadata GETs of a 150,000-entry wheel", 160 * mib, wheelMetadata},
	{"audit-flood", "unauthenticated 'Bearer garbage' requests against the audit log", 128 * mib, auditFlood},
	{"idle-conns", "idle connections beyond --max-connections", 256 * mib, idleConns},
	{"sweep-race", "re-upload of an orphan blob while the sweep runs", 0, sweepRace},
	{"rejected-upload", "a rejected upload's bytes on disk", 64 * mib, rejectedUpload},
	{"npm-docs", "16 concurrent 32 MiB npm publish documents (--buffer-budget 256MiB)", 640 * mib, npmDocs},
	{"bad-input", "signature echo, npm length/tarball/name, PyPI path, dist-tags", 64 * mib, badInput},
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func controlBody(ctx context.Context, s *server, z sizes) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/v1/repository?domain="+domain+"&repository=big", io.LimitReader(zeros{}, z.controlBody))
	req.ContentLength = z.controlBody
	req.Header.Set("Content-Type", "application/json")
	hash := strings.Repeat("ab", 32) // what the body is said to hash to
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}, req, hash, "codeartifact", region, time.Now()); err != nil {
		return "", err
	}
	status, h, body, err := send(req)
	if err != nil {
		return "", fmt.Errorf("no answer: %v", err)
	}
	if status < 400 || status >= 500 {
		return "", fmt.Errorf("%d %s", status, body)
	}
	return fmt.Sprintf("%d MiB body: %d %s", z.controlBody/mib, status, h.Get("x-amzn-ErrorType")), nil
}

func formNames(ctx context.Context, s *server, z sizes) (string, error) {
	const boundary = "hostileboundary"
	name := strings.Repeat("n", 9*mib)
	var parts []io.Reader
	for range z.formParts {
		parts = append(parts, strings.NewReader("--"+boundary+"\r\nContent-Disposition: form-data; name=\""), strings.NewReader(name), strings.NewReader("\"\r\n\r\nx\r\n"))
	}
	parts = append(parts, strings.NewReader("--"+boundary+"--\r\n"))
	var n int64
	for _, p := range parts {
		n += int64(p.(*strings.Reader).Len())
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.pypi, io.MultiReader(parts...))
	req.ContentLength = n
	req.SetBasicAuth("aws", s.token)
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	status, _, body, err := send(req)
	if err != nil {
		return "", fmt.Errorf("no answer: %v", err)
	}
	if status < 400 || status >= 500 {
		return "", fmt.Errorf("%d %s", status, body)
	}
	return fmt.Sprintf("%d parts, %d MiB: %d %s", z.formParts, n/mib, status, firstLine(body)), nil
}

func dataDir(ctx context.Context, s *server, z sizes) (string, error) {
	dir := filepath.Join(s.data, "d")
	var open []string
	checked := 0
	for _, name := range []string{".", "arca.db", "arca.db-wal", "arca.db-shm", "master.key"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if errors.Is(err, fs.ErrNotExist) && name != "." && name != "arca.db" {
			continue
		}
		if err != nil {
			return "", err
		}
		checked++
		if fi.Mode().Perm()&0o077 != 0 {
			open = append(open, fmt.Sprintf("%s %v", name, fi.Mode().Perm()))
		}
	}
	if len(open) > 0 {
		return "", fmt.Errorf("readable by others: %s", strings.Join(open, ", "))
	}
	_, err := s.ca.GetAuthorizationToken(ctx, &codeartifact.GetAuthorizationTokenInput{Domain: aws.String(domain), DurationSeconds: aws.Int64(100 * 365 * 24 * 3600)})
	if err == nil || !strings.Contains(err.Error(), "ValidationException") {
		return "", fmt.Errorf("a 100-year token: %v", err)
	}
	return fmt.Sprintf("%d files private (no group/other bits); a 100-year token refused (ValidationException)", checked), nil
}

// wheelForm is a twine upload of a wheel; sha256 is the digest declared
// ("" for the real one).
func wheelForm(filename, name, version string, content io.Reader, size int64, sha string) (string, io.Reader, int64) {
	const boundary = "hostilewheelboundary"
	var head bytes.Buffer
	for _, kv := range [][2]string{{":action", "file_upload"}, {"protocol_version", "1"}, {"name", name}, {"version", version},
		{"filetype", "bdist_wheel"}, {"pyversion", "py3"}, {"metadata_version", "2.1"}, {"sha256_digest", sha}} {
		if kv[1] != "" {
			fmt.Fprintf(&head, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", boundary, kv[0], kv[1])
		}
	}
	fmt.Fprintf(&head, "--%s\r\nContent-Disposition: form-data; name=\"content\"; filename=\"%s\"\r\nContent-Type: application/octet-stream\r\n\r\n", boundary, filename)
	tail := "\r\n--" + boundary + "--\r\n"
	return "multipart/form-data; boundary=" + boundary, io.MultiReader(bytes.NewReader(head.Bytes()), content, strings.NewReader(tail)), int64(head.Len()) + size + int64(len(tail))
}

func (s *server) uploadWheel(ctx context.Context, filename, name, version string, content io.Reader, size int64, sha string) (int, string, error) {
	ct, body, n := wheelForm(filename, name, version, content, size, sha)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.pypi, body)
	req.ContentLength = n
	req.SetBasicAuth("aws", s.token)
	req.Header.Set("Content-Type", ct)
	status, _, text, err := send(req)
	return status, text, err
}

func metadataOf(name, version string) string {
	return "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\nSummary: hostile\n"
}

func wheelEntries(ctx context.Context, s *server, z sizes) (string, error) {
	w := archivetest.ManyEntries(1_500_000, map[string]string{"many-1.0.dist-info/METADATA": metadataOf("many", "1.0")})
	status, text, err := s.uploadWheel(ctx, "many-1.0-py3-none-any.whl", "many", "1.0", bytes.NewReader(w), int64(len(w)), "")
	if err != nil {
		return "", err
	}
	if status != http.StatusBadRequest || !strings.Contains(text, "more than 200000 entries") {
		return "", fmt.Errorf("%d %s", status, text)
	}
	return fmt.Sprintf("%d MiB wheel: %d %s", len(w)/mib, status, firstLine(text)), nil
}

func wheelMetadata(ctx context.Context, s *server, z sizes) (string, error) {
	md := metadataOf("meta", "1.0")
	w := archivetest.ManyEntries(150_000, map[string]string{"meta-1.0.dist-info/METADATA": md})
	file := "meta-1.0-py3-none-any.whl"
	status, text, err := s.uploadWheel(ctx, file, "meta", "1.0", bytes.NewReader(w), int64(len(w)), "")
	if err != nil || status != http.StatusOK {
		return "", fmt.Errorf("upload of the 150,000-entry wheel: %d %s %v", status, text, err)
	}
	t0 := time.Now()
	var bad atomic.Int64
	var wg sync.WaitGroup
	for range z.metadataRounds {
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, _, body, err := s.do(ctx, http.MethodGet, s.pypi+"files/meta/1.0/"+file+".metadata", "", nil)
				if err != nil || st != http.StatusOK || body != md {
					bad.Add(1)
				}
			}()
		}
		wg.Wait()
	}
	if n := bad.Load(); n > 0 {
		return "", fmt.Errorf("%d of %d .metadata GETs failed", n, 8*z.metadataRounds)
	}
	gets := 8 * z.metadataRounds
	return fmt.Sprintf("%d GETs, each 200 with the METADATA, %.1f ms each on average (8 at once)", gets, float64(time.Since(t0).Microseconds())/1000/float64(gets)*8), nil
}

// auditFiles returns the audit log's files' total size and whether any
// holds s.
func (s *server) auditFiles(find string) (int64, int, bool) {
	var total int64
	files, found := 0, false
	filepath.WalkDir(filepath.Join(s.data, "d", "audit"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		files++
		if fi, err := d.Info(); err == nil {
			total += fi.Size()
		}
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(find)) {
			found = true
		}
		return nil
	})
	return total, files, found
}

func auditFlood(ctx context.Context, s *server, z sizes) (string, error) {
	if _, _, found := s.auditFiles(`"CreateRepository"`); !found {
		time.Sleep(time.Second) // the audit writer batches
		if _, _, found := s.auditFiles(`"CreateRepository"`); !found {
			return "", fmt.Errorf("no CreateRepository event in the audit log before the flood")
		}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 32}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	var next atomic.Int64
	var byStatus sync.Map
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(z.floodRequests) {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.npm+"left-pad", nil)
				req.Header.Set("Authorization", "Bearer garbage")
				resp, err := c.Do(req)
				st := 0
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					st = resp.StatusCode
				}
				v, _ := byStatus.LoadOrStore(st, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			}
		}()
	}
	wg.Wait()
	time.Sleep(500 * time.Millisecond) // the audit writer batches
	total, files, found := s.auditFiles(`"CreateRepository"`)
	if !found {
		return "", fmt.Errorf("the CreateRepository event is gone after the flood (%d files, %d KiB)", files, total>>10)
	}
	var counts []string
	byStatus.Range(func(k, v any) bool {
		counts = append(counts, fmt.Sprintf("%v x%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	return fmt.Sprintf("%d requests (%s); CreateRepository still logged; audit log %d files, %d KiB", z.floodRequests, strings.Join(counts, ", "), files, total>>10), nil
}

func idleConns(ctx context.Context, s *server, z sizes) (string, error) {
	conns := make([]net.Conn, 0, z.idleConns)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range z.idleConns {
		c, err := net.Dial("tcp", s.host)
		if err != nil {
			return "", fmt.Errorf("dial after %d connections: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	// Connections over the bound are answered 503 and closed at once.
	var refused atomic.Int64
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			if line, _ := bufio.NewReader(c).ReadString('\n'); strings.Contains(line, " 503 ") {
				refused.Add(1)
			}
		}()
	}
	wg.Wait()
	// Idle connections are closed after 30 s without request headers,
	// which frees slots while a long run is still dialling: count
	// refusals, bound the descriptors.
	fds := s.sample().fds
	if refused.Load() == 0 {
		return "", fmt.Errorf("none of %d connections refused at the bound of %d", z.idleConns, z.maxConnections)
	}
	if fds > z.maxConnections+200 {
		return "", fmt.Errorf("the server holds %d file descriptors with --max-connections %d", fds, z.maxConnections)
	}
	for _, c := range conns {
		c.Close()
	}
	conns = nil
	for i := 0; ; i++ {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if i == 100 {
			return "", fmt.Errorf("/healthz does not answer after the idle connections closed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Sprintf("%d idle connections: %d refused with 503 at the bound of %d; /healthz answers once they close", z.idleConns, refused.Load(), z.maxConnections), nil
}

func sweepRace(ctx context.Context, s *server, z sizes) (string, error) {
	// The sweep runs hourly inside the server: the interleaving is forced
	// by a unit test instead.
	return "forced interleaving kept as go test ./internal/blob -run TestSweepRacesAnUpload", nil
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func rejectedUpload(ctx context.Context, s *server, z sizes) (string, error) {
	blobs := filepath.Join(s.data, "d", "blobs")
	before := dirSize(blobs)
	status, text, err := s.uploadWheel(ctx, "rejected-1.0-py3-none-any.whl", "rejected", "1.0", io.LimitReader(zeros{}, z.rejectedUpload), z.rejectedUpload, strings.Repeat("0", 64))
	if err != nil {
		return "", err
	}
	if status != http.StatusBadRequest {
		return "", fmt.Errorf("%d %s", status, text)
	}
	after := dirSize(blobs)
	if after-before > mib {
		return "", fmt.Errorf("the blob directory grew by %d MiB after the refusal", (after-before)/mib)
	}
	return fmt.Sprintf("%d MiB upload with a wrong sha256_digest: %d; blob directory %+d bytes once answered", z.rejectedUpload/mib, status, after-before), nil
}

// npmDoc is a publish document for name@version with tarball as its
// attachment; edit adjusts the version object and the document.
func npmDoc(name, version string, tarball []byte, edit func(doc, ver map[string]any)) []byte {
	ver := map[string]any{"name": name, "version": version,
		"dist": map[string]any{"tarball": "http://x/" + name + "-" + version + ".tgz", "shasum": sha1hex(tarball), "integrity": integrity(tarball)}}
	doc := map[string]any{"_id": name, "name": name, "versions": map[string]any{version: ver},
		"dist-tags": map[string]any{"latest": version},
		"_attachments": map[string]any{name + "-" + version + ".tgz": map[string]any{"content_type": "application/octet-stream",
			"data": base64.StdEncoding.EncodeToString(tarball), "length": len(tarball)}}}
	if edit != nil {
		edit(doc, ver)
	}
	b, _ := json.Marshal(doc)
	return b
}

func npmDocs(ctx context.Context, s *server, z sizes) (string, error) {
	junk := make([]byte, 24*mib) // base64: 32 MiB
	rand.Read(junk)
	doc := npmDoc("big-doc", "1.0.0", junk, nil)
	var mu sync.Mutex
	byStatus := map[int]int{}
	var last400 string
	var fastest, slowest time.Duration
	var wg sync.WaitGroup
	for range z.npmDocs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			st, _, body, err := s.do(ctx, http.MethodPut, s.npm+"big-doc", "application/json", doc, "npm-command", "publish")
			if err != nil {
				st = 0
			}
			d := time.Since(t0)
			mu.Lock()
			byStatus[st]++
			if fastest == 0 || d < fastest {
				fastest = d
			}
			slowest = max(slowest, d)
			if st == http.StatusBadRequest {
				last400 = body
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	for st := range byStatus {
		if st != http.StatusBadRequest && st != http.StatusServiceUnavailable {
			return "", fmt.Errorf("answers %v: want 400 (not a gzip'd tar) or 503 (budget spent)", byStatus)
		}
	}
	return fmt.Sprintf("%d documents of %d MiB: answers %v (%s), %.1f to %.1f s each", z.npmDocs, len(doc)/mib, byStatus, firstLine(last400), fastest.Seconds(), slowest.Seconds()), nil
}

func badInput(ctx context.Context, s *server, z sizes) (string, error) {
	// IncompleteSignatureException must not echo the Authorization header.
	const marker = "SECRETMARKER-0f3a9c"
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/v1/domain?domain=x", nil)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+keyID+"/20261207/us-east-1/codeartifact/aws4_request, "+marker)
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	st, _, body, err := send(req)
	if err != nil || st < 400 || st >= 500 || strings.Contains(body, marker) {
		return "", fmt.Errorf("a malformed Authorization: %d %s %v", st, body, err)
	}
	tgz := npmTarball("good-pkg", "1.0.0")
	cases := []struct {
		what string
		name string
		doc  []byte
	}{
		{`"length": -5`, "good-pkg", npmDoc("good-pkg", "1.0.0", tgz, func(doc, _ map[string]any) {
			for _, a := range doc["_attachments"].(map[string]any) {
				a.(map[string]any)["length"] = -5
			}
		})},
		{"a tarball that is not a gzip'd tar", "good-pkg", npmDoc("good-pkg", "1.0.0", []byte("plain text, no tar"), nil)},
		{"a package.json naming another package", "good-pkg", npmDoc("good-pkg", "1.0.0", npmTarball("other-pkg", "1.0.0"), nil)},
		{"101 dist-tags", "good-pkg", npmDoc("good-pkg", "1.0.0", tgz, func(doc, _ map[string]any) {
			tags := map[string]any{}
			for i := range 101 {
				tags[fmt.Sprintf("t%d", i)] = "1.0.0"
			}
			doc["dist-tags"] = tags
		})},
	}
	var refused []string
	for _, c := range cases {
		st, _, body, err := s.do(ctx, http.MethodPut, s.npm+c.name, "application/json", c.doc, "npm-command", "publish")
		if err != nil || st != http.StatusBadRequest {
			return "", fmt.Errorf("npm, %s: %d %s %v", c.what, st, body, err)
		}
		refused = append(refused, c.what)
	}
	if st, _, _, _ := s.do(ctx, http.MethodGet, s.npm+"good-pkg", "", nil); st != http.StatusNotFound {
		return "", fmt.Errorf("after the refusals good-pkg answers %d, want 404 (nothing stored)", st)
	}
	w := archivetest.ManyEntries(0, map[string]string{"x-1.0.dist-info/METADATA": metadataOf("x", "1.0")})
	st, text, err := s.uploadWheel(ctx, "../../x-1.0-py3-none-any.whl", "x", "1.0", bytes.NewReader(w), int64(len(w)), "")
	if err != nil || st != http.StatusBadRequest {
		return "", fmt.Errorf("PyPI ../../x.whl: %d %s %v", st, text, err)
	}
	refused = append(refused, "PyPI ../../x.whl")
	time.Sleep(300 * time.Millisecond) // the audit writer batches
	if _, _, found := s.auditFiles(marker); found {
		return "", fmt.Errorf("the audit log holds the Authorization header's text")
	}
	return "all 400, nothing stored: " + strings.Join(refused, "; ") + "; a malformed Authorization is not echoed (answer, audit log)", nil
}

func npmTarball(name, version string) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	pj := fmt.Sprintf(`{"name":%q,"version":%q}`, name, version)
	tw.WriteHeader(&tar.Header{Name: "package/package.json", Mode: 0o644, Size: int64(len(pj)), Typeflag: tar.TypeReg})
	io.WriteString(tw, pj)
	tw.Close()
	zw.Close()
	return b.Bytes()
}

// slowBody sends three 10 GB bodies (npm, PyPI, Maven) at one byte a
// second and reports when the server cut each off.
func slowBody(ctx context.Context, s *server) (string, error) {
	type target struct{ what, method, url, contentType string }
	targets := []target{
		{"npm", http.MethodPut, s.npm + "slow-pkg", "application/json"},
		{"PyPI", http.MethodPost, s.pypi, "multipart/form-data; boundary=b"},
		{"Maven", http.MethodPut, s.maven + "com/example/slow/1.0/slow-1.0.jar", "application/java-archive"},
	}
	results := make([]string, len(targets))
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = trickle(s, t.method, t.url, t.contentType)
			results[i] = t.what + " " + results[i]
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	return strings.Join(results, "; "), nil
}

func trickle(s *server, method, url, contentType string) (string, error) {
	c, err := net.Dial("tcp", s.host)
	if err != nil {
		return "", err
	}
	defer c.Close()
	path := strings.TrimPrefix(url, s.url)
	auth := base64.StdEncoding.EncodeToString([]byte("aws:" + s.token))
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Basic %s\r\nContent-Type: %s\r\nContent-Length: 10000000000\r\n\r\n", method, path, s.host, auth, contentType)
	t0 := time.Now()
	answered := make(chan string, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			answered <- ""
			return
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		answered <- resp.Status + ": " + firstLine(string(b))
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case line := <-answered:
			if line == "" {
				line = "connection closed"
			}
			return fmt.Sprintf("cut off after %.0fs (%s)", time.Since(t0).Seconds(), line), nil
		case <-tick.C:
			if time.Since(t0) > 90*time.Second {
				return "", fmt.Errorf("%s still held after 90 s", url)
			}
			c.SetWriteDeadline(time.Now().Add(time.Second))
			c.Write([]byte{' '}) // JSON whitespace, a multipart preamble, jar bytes
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	return s
}

func sha1hex(b []byte) string {
	h := sha1.Sum(b)
	return hex.EncodeToString(h[:])
}

func integrity(b []byte) string {
	h := sha512.Sum512(b)
	return "sha512-" + base64.StdEncoding.EncodeToString(h[:])
}
