package controlapi

import (
	"testing"

	"github.com/arcahq/arca/internal/controlapi/model"
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
	if len(m.Operations) != 48 || len(routes) != len(m.Operations) {
		t.Errorf("model has %d operations, route table %d", len(m.Operations), len(routes))
	}
}
