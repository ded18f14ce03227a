// Package authz decides whether a principal may perform an action on a
// resource.
//
// The rule today is the account boundary: a principal may act on "*" and
// on the resources of its own account, and on nothing else. Identity
// policies and domain and repository resource policies (stored and
// validated already) join the decision when IAM principals other than the
// account root arrive; callers already name the action and the resource
// ARN of the CodeArtifact permissions reference for every request, so the
// decision can grow without touching them.
package authz

import (
	"context"
	"strings"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/identity"
)

// Authorizer makes decisions.
type Authorizer struct{}

// New returns an Authorizer.
func New() *Authorizer { return &Authorizer{} }

// Authorize returns nil if p may perform action on resourceARN, and an
// AccessDenied error saying what was refused otherwise.
func (*Authorizer) Authorize(_ context.Context, p identity.Principal, action, resourceARN string) error {
	if resourceARN == "*" || resourceAccount(resourceARN) == p.Account {
		return nil
	}
	return errkind.Deniedf("User: %s is not authorized to perform: %s on resource: %s", p.ARN, action, resourceARN)
}

// resourceAccount returns the account field of an ARN.
func resourceAccount(resourceARN string) string {
	parts := strings.SplitN(resourceARN, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
