package authz

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/policy"
	"github.com/arcahq/arca/internal/store"
)

// keys is the request context of one decision, served to policy.Evaluate
// through policy.Keys: each key is found by a switch on its lower-case
// name rather than in a map built for the request. Values of one element
// live in arrays here, so looking them up allocates nothing.
type keys struct {
	preq policy.Request // the request evaluated, kept here to save an allocation

	r                Request
	resourcePolicies [2]Policy // the backing of Case.Resource
	resourceTags     []store.Tag
	clock            *clockKeys

	principalARN, principalAccount, principalType [1]string
	userID, userName, region                      [1]string
	sourceIP, secure                              [1]string
	hasUserName, hasClient                        bool
}

var keysPool = sync.Pool{New: func() any { return new(keys) }}

func (k *keys) init(e *Evaluator, ctx context.Context, p *identity.Principal, r Request) {
	k.r = r
	k.clock = e.clockKeys()
	k.principalARN[0] = p.ARN
	if p.RoleARN != "" {
		k.principalARN[0] = p.RoleARN // aws:PrincipalArn of a session is its role's ARN
	}
	k.principalAccount[0] = p.Account
	k.principalType[0] = principalType(p)
	k.userID[0] = p.UserID
	k.userName[0], k.hasUserName = p.UserName, p.Kind == identity.KindUser
	k.region[0] = e.region
	if c, ok := client(ctx); ok && c.IP != "" {
		k.sourceIP[0], k.secure[0], k.hasClient = c.IP, strconv.FormatBool(c.Secure), true
	}
}

func (k *keys) release() {
	*k = keys{}
	keysPool.Put(k)
}

func principalType(p *identity.Principal) string {
	switch {
	case p.IsRoot():
		return "Account"
	case p.Kind == identity.KindUser:
		return "User"
	}
	return "AssumedRole"
}

// Values implements policy.Keys.
func (k *keys) Values(key string) []string {
	switch key {
	case "aws:principalarn":
		return k.principalARN[:]
	case "aws:principalaccount":
		return k.principalAccount[:]
	case "aws:principaltype":
		return k.principalType[:]
	case "aws:userid":
		if k.userID[0] != "" {
			return k.userID[:]
		}
	case "aws:username":
		if k.hasUserName {
			return k.userName[:]
		}
	case "aws:requestedregion":
		if k.region[0] != "" {
			return k.region[:]
		}
	case "aws:sourceip":
		if k.hasClient {
			return k.sourceIP[:]
		}
	case "aws:securetransport":
		if k.hasClient {
			return k.secure[:]
		}
	case "aws:currenttime":
		return k.clock.currentTime[:]
	case "aws:epochtime":
		return k.clock.epochTime[:]
	case "aws:tagkeys":
		return k.tagKeys()
	case "sts:durationseconds":
		if k.r.DurationSeconds != nil {
			return []string{itoa(*k.r.DurationSeconds)}
		}
	case "sts:awsservicename":
		if k.r.ServiceName != "" {
			return []string{k.r.ServiceName}
		}
	default:
		if name, ok := strings.CutPrefix(key, "aws:requesttag/"); ok {
			return tagValue(k.r.Tags, name)
		}
		if name, ok := strings.CutPrefix(key, "aws:resourcetag/"); ok {
			return tagValue(k.resourceTags, name)
		}
	}
	return nil
}

// tagKeys returns aws:TagKeys: the keys of the tags the request sets, or
// the keys it names (UntagResource); nil when it names none.
func (k *keys) tagKeys() []string {
	if len(k.r.Tags) == 0 {
		if len(k.r.TagKeys) == 0 {
			return nil
		}
		return k.r.TagKeys
	}
	out := make([]string, len(k.r.Tags))
	for i, t := range k.r.Tags {
		out[i] = t.Key
	}
	return out
}

// tagValue returns the value of the tag whose key is name (compared
// without case: the key arrives lower-cased, and IAM condition key names
// are case-insensitive; aws:TagKeys is how a policy insists on a case).
func tagValue(tags []store.Tag, name string) []string {
	for _, t := range tags {
		if strings.EqualFold(t.Key, name) {
			return []string{t.Value}
		}
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
