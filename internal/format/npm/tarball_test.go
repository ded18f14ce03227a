package npm_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"strings"
	"testing"

	"github.com/arcahq/arca/internal/format/npm"
)

// packTar gzips a tar of the given entries, in order.
func packTar(entries ...[2]string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		tw.WriteHeader(&tar.Header{Name: e[0], Mode: 0o644, Size: int64(len(e[1])), Typeflag: tar.TypeReg})
		tw.Write([]byte(e[1]))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func TestCheckTarball(t *testing.T) {
	pj := [2]string{"package/package.json", `{"name":"@s/a","version":"1.0.0"}`}
	if err := npm.CheckTarball(bytes.NewReader(packTar([2]string{"package/index.js", "x"}, pj)), "@s/a", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	big := [2]string{"package/big.txt", strings.Repeat("x", 4096)}
	for name, c := range map[string]struct {
		data []byte
		says string
	}{
		"not gzip":        {[]byte("plain"), "not gzip"},
		"not a tar":       {gzipped(strings.Repeat("x", 1000)), "not a valid"},
		"truncated":       {packTar(pj)[:40], "not a valid"},
		"no package.json": {packTar([2]string{"package/index.js", "x"}), "no package/package.json"},
		"other dir":       {packTar([2]string{"pkg/package.json", pj[1]}), "no package/package.json"},
		"twice":           {packTar(pj, pj), "more than once"},
		"other name":      {packTar([2]string{pj[0], `{"name":"@s/b","version":"1.0.0"}`}), "for @s/b@1.0.0"},
		"other version":   {packTar([2]string{pj[0], `{"name":"@s/a","version":"1.0.1"}`}), "for @s/a@1.0.1"},
		"not JSON":        {packTar([2]string{pj[0], `[`}), "not a JSON object"},
		"too many":        {packTar(pj, [2]string{"package/a", ""}, [2]string{"package/b", ""}, [2]string{"package/c", ""}), "more than 3 entries"},
		"unpacks large":   {packTar(big, big, pj), "unpacks to more than 6000 bytes"},
	} {
		err := npm.CheckTarballWithin(bytes.NewReader(c.data), "@s/a", "1.0.0", 6000, 3)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want %q", name, err, c.says)
		}
	}
}

func FuzzCheckTarball(f *testing.F) {
	f.Add(packTar([2]string{"package/package.json", `{"name":"a","version":"1.0.0"}`}))
	f.Add([]byte("x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		npm.CheckTarballWithin(bytes.NewReader(data), "a", "1.0.0", 1<<20, 100)
	})
}
