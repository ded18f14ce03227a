package catalog

import (
	"context"
	"errors"
	"unsafe"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/store"
)

// Attributes are what authorization reads of a domain or a repository on
// every request: its resource policy, its tags and, for a repository, the
// account that administers it.
type Attributes struct {
	// Policy is the resource policy; its Revision is "" when none is set.
	// A revision names one document for good (PutPolicy draws a new one
	// for every put), so compiled policies can be cached by it.
	Policy store.Policy
	// Tags are the resource's tags (aws:ResourceTag/<key>).
	Tags []store.Tag
	// Administrator is the account that administers a repository (its
	// creator, who may be another account than the domain's owner); ""
	// for a domain.
	Administrator string
}

// The catalog caches Attributes by Resource (Catalog.attrs). Entries carry the
// generation they were read under: the counter attributesChange, which
// every write that can change an attribute (policies, tags, creating or
// deleting a domain or repository) moves in its transaction, so the next
// read on any server sees it. Those writes are rare next to package
// requests, so one counter for the whole catalog costs little and cannot
// miss a case. An entry dropped is read again.

type cachedAttributes struct {
	a   Attributes
	gen uint64
}

// Attributes returns the resource policy, tags and administrator of a
// domain or repository, from a cache that a committed change to any of
// them invalidates. A resource that does not exist is errkind.NotFound.
// Callers must not modify the returned slices.
func (c *Catalog) Attributes(ctx context.Context, res Resource) (Attributes, error) {
	gen := c.gens.Load(attributesChange)
	if e, ok := c.attrs.Load(res); ok && e.gen == gen {
		return e.a, nil
	}
	a, err := c.readAttributes(ctx, c.st, res)
	if err != nil {
		return Attributes{}, err
	}
	// Stored under the generation read before the lookup: a change
	// committed meanwhile makes the entry stale at once.
	c.attrs.Store(res, cachedAttributes{a: a, gen: gen}, attributesBytes(res, a))
	return a, nil
}

// attributesBytes is what cached attributes take: the resource, the entry
// and their strings.
func attributesBytes(res Resource, a Attributes) int64 {
	n := int64(unsafe.Sizeof(res)+unsafe.Sizeof(cachedAttributes{})) + int64(len(res.Kind)+len(res.Domain.Owner)+len(res.Domain.Name)+
		len(res.Repository)+len(res.PackageGroup)+len(a.Policy.Document)+len(a.Policy.Revision)+len(a.Administrator))
	for _, t := range a.Tags {
		n += 32 + int64(len(t.Key)+len(t.Value))
	}
	return n
}

func (c *Catalog) readAttributes(ctx context.Context, q store.Queries, res Resource) (Attributes, error) {
	var a Attributes
	sr, err := c.resolve(ctx, q, res)
	if err != nil {
		return a, err
	}
	if res.Kind == "repository" {
		r, err := getRepository(ctx, q, RepositoryRef{DomainRef: res.Domain, Name: res.Repository})
		if err != nil {
			return a, err
		}
		a.Administrator = r.Administrator
	}
	if a.Tags, err = q.ListTags(ctx, sr); err != nil {
		return a, err
	}
	a.Policy, err = q.GetPolicy(ctx, sr)
	if errors.Is(err, errkind.ErrNotFound) {
		a.Policy, err = store.Policy{}, nil
	}
	return a, err
}
