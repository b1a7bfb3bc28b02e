package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
)

// whoami shows who the visitor is logged in as.
func whoami(w http.ResponseWriter, r *http.Request) {
	s, err := sessionhttp.Session(r)
	if err != nil {
		http.Error(w, "session unavailable", core.StatusCode(err)) // 503 while Redis is down
		return
	}
	user, _ := s.String("user")
	fmt.Fprintf(w, "hello, %q\n", user)
}

// A single Redis server from a URL: the store owns its client, and Ping
// finds a wrong URL at start-up rather than at the first request.
func ExampleNewFromURL() {
	store, err := redisstore.NewFromURL(os.Getenv("REDIS_URL"), nil) // redis://localhost:6379/0
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.Ping(context.Background()); err != nil {
		log.Fatal(err)
	}
	sessions, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", whoami)
	log.Fatal(http.ListenAndServe("localhost:8080", sessionhttp.Middleware(sessions, nil)(mux)))
}
