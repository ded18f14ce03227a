package swift

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"io"
	"math/big"

	"github.com/arcahq/arca/internal/errkind"
)

// A signed release's signatures (SE-0391, signature format cms-1.0.0) are
// CMS SignedData (RFC 5652) in DER, detached from what they sign: the
// source archive, or the publish metadata. VerifyCMS checks that a
// signature is one: that it names a signer whose certificate it carries,
// that its signed attributes' message digest is the digest of the
// content, and that the signature over them verifies with that
// certificate's key. It does not decide whether the certificate is to be
// trusted (no trust roots are configured): that is the client's policy
// (SwiftPM's), which reads the signing certificate from the release's
// metadata.

// OIDs of CMS and the algorithms it names.
var (
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}

	digests = map[string]crypto.Hash{
		"2.16.840.1.101.3.4.2.1": crypto.SHA256,
		"2.16.840.1.101.3.4.2.2": crypto.SHA384,
		"2.16.840.1.101.3.4.2.3": crypto.SHA512,
	}
	// Signature algorithms: the ones naming their digest, and the bare
	// key algorithms, whose digest is the SignerInfo's.
	ecdsaWith = map[string]crypto.Hash{
		"1.2.840.10045.4.3.2": crypto.SHA256, "1.2.840.10045.4.3.3": crypto.SHA384, "1.2.840.10045.4.3.4": crypto.SHA512,
	}
	rsaWith = map[string]crypto.Hash{
		"1.2.840.113549.1.1.11": crypto.SHA256, "1.2.840.113549.1.1.12": crypto.SHA384, "1.2.840.113549.1.1.13": crypto.SHA512,
	}
	oidRSA   = "1.2.840.113549.1.1.1"
	oidECKey = "1.2.840.10045.2.1"
)

type cmsContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type cmsSignedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContent     cmsEncapContent
	Certificates     asn1.RawValue   `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue   `asn1:"optional,tag:1"`
	SignerInfos      []cmsSignerInfo `asn1:"set"`
}

type cmsEncapContent struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"optional,explicit,tag:0"`
}

type cmsAlgorithm struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type cmsSignerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    cmsAlgorithm
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm cmsAlgorithm
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type cmsIssuerAndSerial struct {
	Issuer asn1.RawValue
	Serial *big.Int
}

type cmsAttribute struct {
	Type   asn1.ObjectIdentifier
	Values []asn1.RawValue `asn1:"set"`
}

// maxSignedContent bounds what VerifyCMS reads of the content.
const maxSignedContent = 4 << 30

// VerifyCMS verifies a detached CMS signature of content (read whole) and
// returns the signer's certificate.
func VerifyCMS(sig []byte, content io.Reader) (*x509.Certificate, error) {
	bad := func(format string, args ...any) error {
		return errkind.Validationf("The signature is not a valid cms-1.0.0 signature: "+format, args...)
	}
	var ci cmsContentInfo
	if rest, err := asn1.Unmarshal(sig, &ci); err != nil || len(rest) > 0 || !ci.ContentType.Equal(oidSignedData) {
		return nil, bad("not DER CMS SignedData")
	}
	var sd cmsSignedData
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil || len(rest) > 0 {
		return nil, bad("its SignedData cannot be read")
	}
	if len(sd.EncapContent.Content.Bytes) > 0 {
		return nil, bad("it embeds its content; a release's signature is detached")
	}
	if len(sd.SignerInfos) != 1 {
		return nil, bad("it has %d signers, want 1", len(sd.SignerInfos))
	}
	si := sd.SignerInfos[0]
	certs, err := x509.ParseCertificates(sd.Certificates.Bytes)
	if err != nil || len(certs) == 0 {
		return nil, bad("it carries no readable certificate")
	}
	var signer *x509.Certificate
	var ias cmsIssuerAndSerial
	if rest, err := asn1.Unmarshal(si.SID.FullBytes, &ias); err == nil && len(rest) == 0 && ias.Serial != nil {
		for _, c := range certs {
			if c.SerialNumber.Cmp(ias.Serial) == 0 && bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) {
				signer = c
			}
		}
	} else if si.SID.Class == asn1.ClassContextSpecific && si.SID.Tag == 0 {
		for _, c := range certs {
			if len(c.SubjectKeyId) > 0 && bytes.Equal(c.SubjectKeyId, si.SID.Bytes) {
				signer = c
			}
		}
	}
	if signer == nil {
		return nil, bad("the certificate of its signer is not in it")
	}
	hash, ok := digests[si.DigestAlgorithm.Algorithm.String()]
	if !ok {
		return nil, bad("digest algorithm %s is not SHA-256, SHA-384 or SHA-512", si.DigestAlgorithm.Algorithm)
	}
	h := hash.New()
	n, err := io.Copy(h, io.LimitReader(content, maxSignedContent+1))
	if err != nil {
		return nil, err
	}
	if n > maxSignedContent {
		return nil, bad("the signed content is larger than %d bytes", int64(maxSignedContent))
	}
	digest := h.Sum(nil)
	if len(si.SignedAttrs.FullBytes) == 0 {
		return nil, bad("it has no signed attributes")
	}
	// The signature is over the DER of the attributes as a SET (RFC 5652
	// 5.4), which the SignerInfo holds as [0] IMPLICIT.
	set := append([]byte{0x31}, si.SignedAttrs.FullBytes[1:]...)
	var attrs []cmsAttribute
	if rest, err := asn1.UnmarshalWithParams(set, &attrs, "set"); err != nil || len(rest) > 0 {
		return nil, bad("its signed attributes cannot be read")
	}
	var md []byte
	var ct asn1.ObjectIdentifier
	for _, a := range attrs {
		if len(a.Values) != 1 {
			continue
		}
		switch {
		case a.Type.Equal(oidMessageDigest):
			if _, err := asn1.Unmarshal(a.Values[0].FullBytes, &md); err != nil {
				return nil, bad("its message digest cannot be read")
			}
		case a.Type.Equal(oidContentType):
			if _, err := asn1.Unmarshal(a.Values[0].FullBytes, &ct); err != nil {
				return nil, bad("its content type cannot be read")
			}
		}
	}
	if !ct.Equal(oidData) || !ct.Equal(sd.EncapContent.ContentType) {
		return nil, bad("its signed content type is not data")
	}
	if !bytes.Equal(md, digest) {
		return nil, errkind.Validationf("The signature does not match what it signs: its message digest is not the digest of the content")
	}
	algo, err := signatureAlgorithm(si.SignatureAlgorithm.Algorithm.String(), hash)
	if err != nil {
		return nil, bad("%s", errkind.As(err).Message)
	}
	if err := signer.CheckSignature(algo, set, si.Signature); err != nil {
		return nil, errkind.Validationf("The signature does not verify with its signer's certificate: %v", err)
	}
	return signer, nil
}

// signatureAlgorithm is the x509 algorithm of a SignerInfo's signature
// algorithm and digest: ECDSA or RSA (PKCS #1 v1.5) with SHA-2.
func signatureAlgorithm(alg string, hash crypto.Hash) (x509.SignatureAlgorithm, error) {
	ecdsa := map[crypto.Hash]x509.SignatureAlgorithm{crypto.SHA256: x509.ECDSAWithSHA256, crypto.SHA384: x509.ECDSAWithSHA384, crypto.SHA512: x509.ECDSAWithSHA512}
	rsa := map[crypto.Hash]x509.SignatureAlgorithm{crypto.SHA256: x509.SHA256WithRSA, crypto.SHA384: x509.SHA384WithRSA, crypto.SHA512: x509.SHA512WithRSA}
	switch {
	case alg == oidECKey || ecdsaWith[alg] == hash && ecdsaWith[alg] != 0:
		return ecdsa[hash], nil
	case alg == oidRSA || rsaWith[alg] == hash && rsaWith[alg] != 0:
		return rsa[hash], nil
	}
	return 0, errkind.Validationf("signature algorithm %s is not ECDSA or RSA with the signer's digest", alg)
}
