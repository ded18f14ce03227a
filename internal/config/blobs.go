package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// S3Blobs is an S3-compatible bucket that holds the blobs, parsed from the
// blobs setting: s3://BUCKET[/PREFIX]?endpoint=URL&region=R&redirect=SIZE.
type S3Blobs struct {
	Bucket string
	// Prefix is prepended to every key (no leading or trailing slash).
	Prefix string
	// Endpoint is the object store's base URL; empty means AWS S3.
	Endpoint string
	// Region signs the requests; empty takes the AWS SDK's (AWS_REGION,
	// the profile).
	Region string
	// RedirectMin is the size from which downloads are redirected to a
	// presigned URL on the object store; 0 is off.
	RedirectMin int64
}

var (
	// bucketPattern is S3's rule for bucket names.
	bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	// prefixPattern keeps keys to characters that need no escaping
	// anywhere (CopyObject's source header, presigned URLs).
	prefixPattern = regexp.MustCompile(`^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$`)
	s3Region      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
)

// ParseBlobs parses the blobs setting. Empty means the directory blobs/ in
// the data directory, and gives nil.
func ParseBlobs(s string) (*S3Blobs, error) {
	if s == "" {
		return nil, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("blobs URL: not a URL")
	}
	// Messages show the URL without a password someone put in it.
	shown := u.Redacted()
	if u.Scheme != "s3" || u.Opaque != "" {
		return nil, fmt.Errorf("blobs URL %q is not s3://BUCKET[/PREFIX]?endpoint=URL&region=REGION (empty: the data directory)", shown)
	}
	if u.User != nil || u.Fragment != "" || u.Port() != "" {
		return nil, fmt.Errorf("blobs URL %q must not have a user, port or fragment: credentials come from the AWS environment, the endpoint from endpoint=", shown)
	}
	b := &S3Blobs{Bucket: u.Host, Prefix: strings.Trim(u.Path, "/")}
	if !bucketPattern.MatchString(b.Bucket) {
		return nil, fmt.Errorf("blobs URL: bucket %q is not an S3 bucket name (3-63 of a-z, 0-9, '.', '-')", b.Bucket)
	}
	if b.Prefix != "" && (!prefixPattern.MatchString(b.Prefix) || strings.Contains("/"+b.Prefix+"/", "/../") || strings.Contains("/"+b.Prefix+"/", "/./")) {
		return nil, fmt.Errorf("blobs URL: prefix %q is not slash-separated names of A-Z, a-z, 0-9, '.', '_', '-'", b.Prefix)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("blobs URL: %w", err)
	}
	for k, v := range q {
		if len(v) != 1 {
			return nil, fmt.Errorf("blobs URL: %s given %d times", k, len(v))
		}
		switch k {
		case "endpoint":
			if err := checkURL(v[0]); err != nil {
				return nil, fmt.Errorf("blobs URL: endpoint: %w", err)
			}
			b.Endpoint = strings.TrimRight(v[0], "/")
		case "region":
			if !s3Region.MatchString(v[0]) {
				return nil, fmt.Errorf("blobs URL: region %q is not a region name", v[0])
			}
			b.Region = v[0]
		case "redirect":
			if b.RedirectMin, err = ParseSize(v[0]); err != nil || b.RedirectMin < 1 {
				return nil, fmt.Errorf("blobs URL: redirect=%q is not a size of at least 1 byte", v[0])
			}
		default:
			return nil, fmt.Errorf("blobs URL: unknown parameter %q (endpoint, region, redirect)", k)
		}
	}
	return b, nil
}
