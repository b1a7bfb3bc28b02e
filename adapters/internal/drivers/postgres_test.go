package drivers_test

import (
	"context"
	"testing"

	"github.com/transient-go/transient/adapters/adaptertest"
	"github.com/transient-go/transient/adapters/internal/drivers"
	"github.com/transient-go/transient/core/pgstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
)

// TestPostgres runs the suite for every adapter with sessions in a real
// PostgreSQL (see package pgtest for how the server is found or started).
func TestPostgres(t *testing.T) {
	pool := pgtest.Start(t).Pool(t)
	if err := pgstore.Migrate(context.Background(), pool, nil); err != nil {
		t.Fatal(err)
	}
	store, err := pgstore.New(pool, nil)
	if err != nil {
		t.Fatalf("pgstore.New = %v", err)
	}
	t.Cleanup(func() { _ = store.Close() })
	for _, d := range drivers.All() {
		t.Run(d.Name(), func(t *testing.T) { adaptertest.RunStore(t, d, store) })
	}
	t.Run("Interchange", func(t *testing.T) { adaptertest.Interchange(t, store, drivers.All()...) })
}
