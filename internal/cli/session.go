package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/smithy-go"

	"github.com/arcahq/arca/internal/cli/creds"
)

// Settings select a domain on a server, and how to authenticate to it.
type Settings struct {
	Profile    string // the arca profile they were read from
	Endpoint   string
	Region     string
	AWSProfile string
	Domain     string
	Owner      string
	Duration   int64 // token lifetime in seconds; 0 for the server's default
}

// session talks to the control plane with resolved settings.
type session struct {
	app      *App
	settings Settings
	cfg      aws.Config
	client   *codeartifact.Client
	endpoint string // the control plane's base URL, as resolved
}

// defaultRegion signs requests when nothing configures a region: Arca
// accepts any region in the credential scope.
const defaultRegion = "us-east-1"

// newSession loads the AWS configuration for s and builds the client.
func (a *App) newSession(ctx context.Context, s Settings) (*session, error) {
	var opts []func(*config.LoadOptions) error
	if s.AWSProfile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.AWSProfile))
	}
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	opts = append(opts, config.WithRetryMaxAttempts(2))
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var pe config.SharedConfigProfileNotExistError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("AWS profile %q not found in the AWS config or credentials file", pe.Profile)
		}
		return nil, fmt.Errorf("loading the AWS configuration: %v", oneLine(err))
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	var base string
	switch {
	case s.Endpoint != "":
		base = s.Endpoint
	case a.getenv("AWS_ENDPOINT_URL_CODEARTIFACT") != "", a.getenv("AWS_ENDPOINT_URL") != "":
		// The SDK reads these itself.
	case a.fileEndpoint != "":
		base = a.fileEndpoint
	}
	client := codeartifact.NewFromConfig(cfg, func(o *codeartifact.Options) {
		if base != "" {
			o.BaseEndpoint = aws.String(base)
		}
	})
	ep := aws.ToString(client.Options().BaseEndpoint)
	if ep == "" {
		return nil, errors.New("no Arca endpoint: pass --endpoint-url, set AWS_ENDPOINT_URL_CODEARTIFACT, or save an endpoint in the arca profile (arca login --endpoint-url URL ...)")
	}
	if !strings.HasPrefix(ep, "http://") && !strings.HasPrefix(ep, "https://") {
		return nil, fmt.Errorf("endpoint %q is not an http:// or https:// URL", ep)
	}
	return &session{app: a, settings: s, cfg: cfg, client: client, endpoint: strings.TrimSuffix(ep, "/")}, nil
}

// principal returns the access key id of the credentials the session
// signs with, which keys the token cache.
func (s *session) principal(ctx context.Context) (string, error) {
	c, err := s.cfg.Credentials.Retrieve(ctx)
	if err != nil || c.AccessKeyID == "" {
		hint := "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile of ~/.aws/credentials with AWS_PROFILE or --aws-profile"
		if s.settings.AWSProfile != "" || s.app.getenv("AWS_PROFILE") != "" {
			return "", fmt.Errorf("no AWS credentials from the AWS profile: %s", oneLine(err))
		}
		return "", errors.New("no AWS credentials found: " + hint)
	}
	return c.AccessKeyID, nil
}

func (s *session) cacheKey(principal string) creds.Key {
	return creds.Key{Principal: principal, Endpoint: s.endpoint, Domain: s.settings.Domain, Owner: s.settings.Owner}
}

// fetch asks the server for a new token.
func (s *session) fetch(ctx context.Context) (creds.Token, error) {
	in := &codeartifact.GetAuthorizationTokenInput{Domain: aws.String(s.settings.Domain)}
	if s.settings.Owner != "" {
		in.DomainOwner = aws.String(s.settings.Owner)
	}
	if s.settings.Duration > 0 {
		in.DurationSeconds = aws.Int64(s.settings.Duration)
	}
	issued := s.app.now()
	out, err := s.client.GetAuthorizationToken(ctx, in)
	if err != nil {
		return creds.Token{}, s.explain(err)
	}
	t := creds.Token{Value: aws.ToString(out.AuthorizationToken), Issued: issued}
	if out.Expiration != nil {
		t.Expiration = *out.Expiration
	}
	if t.Value == "" {
		return creds.Token{}, fmt.Errorf("%s answered GetAuthorizationToken without a token", s.endpoint)
	}
	return t, nil
}

// freshToken fetches a new token and caches it for the helpers.
func (s *session) freshToken(ctx context.Context) (creds.Token, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return creds.Token{}, err
	}
	t, err := s.fetch(ctx)
	if err != nil {
		return creds.Token{}, err
	}
	if c, err := s.app.cache(); err == nil {
		if err := c.Store(s.cacheKey(p), t); err != nil {
			s.app.warnf("could not cache the token: %v", err)
		}
	}
	return t, nil
}

// token returns a current token: the cached one while it is fresh.
func (s *session) token(ctx context.Context) (creds.Token, error) {
	p, err := s.principal(ctx)
	if err != nil {
		return creds.Token{}, err
	}
	c, err := s.app.cache()
	if err != nil {
		s.app.warnf("%v", err)
		return s.fetch(ctx)
	}
	t, warning, err := c.Get(ctx, s.cacheKey(p), s.fetch)
	if err != nil {
		return creds.Token{}, err
	}
	if warning != nil {
		s.app.warnf("%v", oneLine(warning))
	}
	return t, nil
}

// repositoryEndpoint asks the server for the repository's endpoint URL,
// which always ends in "/".
func (s *session) repositoryEndpoint(ctx context.Context, repository, format string) (string, error) {
	in := &codeartifact.GetRepositoryEndpointInput{
		Domain:     aws.String(s.settings.Domain),
		Repository: aws.String(repository),
		Format:     codeartifactFormat(format),
	}
	if s.settings.Owner != "" {
		in.DomainOwner = aws.String(s.settings.Owner)
	}
	out, err := s.client.GetRepositoryEndpoint(ctx, in)
	if err != nil {
		return "", s.explain(err)
	}
	ep := aws.ToString(out.RepositoryEndpoint)
	if ep == "" {
		return "", fmt.Errorf("%s answered GetRepositoryEndpoint without an endpoint", s.endpoint)
	}
	if !strings.HasSuffix(ep, "/") {
		ep += "/"
	}
	return ep, nil
}

// explain turns an SDK error into one line a user can act on.
func (s *session) explain(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code, msg := ae.ErrorCode(), ae.ErrorMessage()
		switch code {
		case "ResourceNotFoundException":
			return fmt.Errorf("not found: %s (%s)", msg, code)
		case "AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
			"SignatureDoesNotMatch", "InvalidClientTokenId", "ExpiredTokenException", "IncompleteSignature":
			return fmt.Errorf("access denied by %s: %s (%s)", s.endpoint, msg, code)
		case "ValidationException":
			return fmt.Errorf("the request was refused: %s (%s)", msg, code)
		}
		var re *awshttp.ResponseError
		if errors.As(err, &re) && !strings.HasSuffix(code, "Exception") {
			return fmt.Errorf("%s does not look like an Arca endpoint: it answered HTTP %d", s.endpoint, re.HTTPStatusCode())
		}
		if msg == "" {
			return fmt.Errorf("%s answered %s", s.endpoint, code)
		}
		return fmt.Errorf("%s answered %s: %s", s.endpoint, code, msg)
	}
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	switch {
	case errors.As(err, &de):
		return fmt.Errorf("cannot reach Arca at %s: unknown host %s", s.endpoint, de.Name)
	case errors.As(err, &oe):
		return fmt.Errorf("cannot reach Arca at %s: %v", s.endpoint, oe.Err)
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("cannot reach Arca at %s: timed out", s.endpoint)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return fmt.Errorf("%s does not look like an Arca endpoint: it answered HTTP %d", s.endpoint, re.HTTPStatusCode())
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("cannot reach Arca at %s: timed out", s.endpoint)
	}
	return fmt.Errorf("calling %s: %s", s.endpoint, oneLine(err))
}

// oneLine keeps an error's text on one line.
func oneLine(err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// expiresIn renders how long until t, as the AWS CLI does: "12 hours",
// "1 hour and 5 minutes".
func expiresIn(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case h > 0 && m > 0:
		return plural(h, "hour") + " and " + plural(m, "minute")
	case h > 0:
		return plural(h, "hour")
	default:
		return plural(m, "minute")
	}
}
