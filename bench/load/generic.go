package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"

	"github.com/arcahq/arca/bench/fixture"
)

const (
	genericCaseSmall = "asset 10 KB"
	genericCaseLarge = "asset 5 MB"

	genericNamespace = "bench"
	genericPackage   = "bench-blob"
)

// generic runs the generic format's downloads: a package with a 10 KB and
// a 5 MB asset, fetched as `aws codeartifact get-package-version-asset`
// does (GetPackageVersionAsset, SigV4), against nginx serving the same
// bytes. The generic format has no package endpoint and no document:
// its assets are read through the control plane.
func (r *runner) generic() error {
	cases := []string{genericCaseSmall, genericCaseLarge}
	defer stopAll()
	arcas, err := r.startScenarioArcas("generic", types.PackageFormatGeneric)
	if err != nil {
		return err
	}
	files := map[string][]byte{genericCaseSmall: fixture.Noise(9001, 10<<10), genericCaseLarge: fixture.Noise(9002, 5<<20)}
	names := map[string]string{genericCaseSmall: "small.bin", genericCaseLarge: "large.bin"}
	versions := map[string]string{genericCaseSmall: "1.1.0", genericCaseLarge: "2.0.0"}
	cs := map[string][]contender{}
	for _, arca := range arcas {
		logf("generic: publishing 2 versions to %s", arca.name)
		for _, c := range cases {
			sum := sha256.Sum256(files[c])
			if _, err := arca.ca.PublishPackageVersion(context.Background(), &codeartifact.PublishPackageVersionInput{
				Domain: aws.String(arcaDomain), Repository: aws.String(arcaRepo), Format: types.PackageFormatGeneric,
				Namespace: aws.String(genericNamespace), Package: aws.String(genericPackage), PackageVersion: aws.String(versions[c]),
				AssetName: aws.String(names[c]), AssetSHA256: aws.String(hex.EncodeToString(sum[:])),
				AssetContent: bytes.NewReader(files[c]), Unfinished: aws.Bool(false),
			}); err != nil {
				return fmt.Errorf("%s: publish-package-version: %w", arca.name, err)
			}
		}
		for _, c := range cases {
			// One signed request, sent again and again: a signature is good
			// for the allowed clock skew (minutes), longer than a case runs.
			t, err := signedAssetRequest(arca.url, versions[c], names[c])
			if err != nil {
				return err
			}
			t.size = int64(len(files[c]))
			cs[c] = append(cs[c], arca.contender(t))
		}
	}
	arca := arcas[0]
	nginx, nginxBin := r.scenarioNginx("generic", arca.dir, "", cases...)
	if nginx != nil {
		for _, c := range cases {
			p := genericNamespace + "/" + genericPackage + "/" + versions[c] + "/" + names[c]
			if err := writeStatic(nginx.root, p, files[c], false); err != nil {
				return err
			}
			cs[c] = append(cs[c], contender{"nginx", nginx.PID(), target{url: nginx.url + "/" + p, header: http.Header{}, size: int64(len(files[c]))}})
		}
	}
	r.noteArcas("generic", arcas)
	if nginx != nil {
		r.note("generic", "nginx", nginxVersion(nginxBin), nginx.PID(), 0)
	}
	for _, c := range cases {
		r.measureCase("generic", c, c == genericCaseLarge, cs[c])
	}
	return nil
}

// signedAssetRequest is GetPackageVersionAsset of one asset, signed with
// the benchmark's root key as the AWS CLI signs it.
func signedAssetRequest(base, version, asset string) (target, error) {
	q := url.Values{"domain": {arcaDomain}, "repository": {arcaRepo}, "format": {"generic"},
		"namespace": {genericNamespace}, "package": {genericPackage}, "version": {version}, "asset": {asset}}
	req, err := http.NewRequest(http.MethodGet, base+"/v1/package/version/asset?"+q.Encode(), nil)
	if err != nil {
		return target{}, err
	}
	empty := sha256.Sum256(nil)
	creds := aws.Credentials{AccessKeyID: arcaKeyID, SecretAccessKey: arcaSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(empty[:]), "codeartifact", "us-east-1", time.Now()); err != nil {
		return target{}, err
	}
	return target{url: req.URL.String(), header: req.Header}, nil
}
