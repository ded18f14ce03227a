package postgres_test

import (
	"context"
	"testing"

	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/postgres"
	"github.com/arcahq/arca/internal/store/postgres/pgtest"
	"github.com/arcahq/arca/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := postgres.Open(context.Background(), pgtest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
