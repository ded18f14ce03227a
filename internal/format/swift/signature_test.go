package swift

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// The signatures in testdata/cms were made by OpenSSL 3.0 (openssl cms
// -sign -binary -outform DER, detached, with a self-signed certificate):
// ec.sig with a P-256 key and SHA-256, rsa.sig with an RSA 2048 key and
// SHA-384, embedded.sig with the content inside (-nodetach).
func TestVerifyCMS(t *testing.T) {
	content := readTestdata(t, "cms/content.bin")
	for file, signer := range map[string]string{"cms/ec.sig": "Arca test signer EC", "cms/rsa.sig": "Arca test signer RSA"} {
		cert, err := VerifyCMS(readTestdata(t, file), bytes.NewReader(content))
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if cert.Subject.CommonName != signer {
			t.Errorf("%s: signer %q", file, cert.Subject.CommonName)
		}
	}
	tampered := append(append([]byte(nil), content...), '!')
	if _, err := VerifyCMS(readTestdata(t, "cms/ec.sig"), bytes.NewReader(tampered)); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("a signature of other content: %v", err)
	}
	broken := append([]byte(nil), readTestdata(t, "cms/ec.sig")...)
	broken[len(broken)-5] ^= 0xff // inside the signature value
	if _, err := VerifyCMS(broken, bytes.NewReader(content)); err == nil {
		t.Error("a corrupted signature verified")
	}
	for name, sig := range map[string][]byte{
		"embedded": readTestdata(t, "cms/embedded.sig"), "empty": nil, "not DER": []byte("signature"),
		"truncated": readTestdata(t, "cms/rsa.sig")[:200],
	} {
		if _, err := VerifyCMS(sig, bytes.NewReader(content)); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzVerifyCMS(f *testing.F) {
	for _, name := range []string{"cms/ec.sig", "cms/rsa.sig", "cms/embedded.sig"} {
		f.Add(readTestdata(f, name))
	}
	content := readTestdata(f, "cms/content.bin")
	f.Fuzz(func(t *testing.T, sig []byte) {
		if cert, err := VerifyCMS(sig, bytes.NewReader(content)); err == nil && cert == nil {
			t.Fatal("verified without a signer")
		}
	})
}
