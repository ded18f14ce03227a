package controlapi

import (
	"slices"
	"testing"

	"github.com/arcahq/arca/internal/controlapi/model"
	"github.com/arcahq/arca/internal/policy"
)

// Every operation of the model has a handler: none answers "not built".
func TestEveryOperationIsServed(t *testing.T) {
	m, err := model.Load()
	if err != nil {
		t.Fatal(err)
	}
	routes := (&API{}).routeTable()
	for name := range m.Operations {
		if _, ok := routes[name]; !ok {
			t.Errorf("operation %s has no handler", name)
		}
	}
	if len(m.Operations) != 48+7+5 || len(routes) != len(m.Operations) {
		t.Errorf("model has %d operations, route table %d", len(m.Operations), len(routes))
	}
}

// Arca's own operations authorize the actions the policy engine lists.
func TestArcaOperationsArePolicyActions(t *testing.T) {
	m, err := model.Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, op := range m.Operations {
		if op.Service != model.ServiceArca {
			continue
		}
		n++
		if !slices.Contains(policy.ArcaActions, op.Action()) {
			t.Errorf("%s is not in policy.ArcaActions", op.Action())
		}
	}
	if n != len(policy.ArcaActions) {
		t.Errorf("%d Arca operations, %d actions", n, len(policy.ArcaActions))
	}
}
