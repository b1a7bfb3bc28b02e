package redisstore_test

import (
	"context"
	"log"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
)

// Check the connection at start-up: a wrong address, password or database
// number stops the application here, not at its first request.
func ExampleStore_Ping() {
	store, err := redisstore.NewFromURL("redis://127.0.0.1:6379/0", nil)
	if err != nil {
		log.Fatal(err) // a URL that cannot be parsed
	}
	defer store.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := store.Ping(ctx); err != nil {
		log.Fatal(err) // matches core.ErrStore: Redis is down, or refused the password
	}
	manager, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	_ = manager
}
