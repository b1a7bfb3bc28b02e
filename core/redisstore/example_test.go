package redisstore_test

import (
	"log"
	"net/http"

	"github.com/redis/go-redis/v9"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
)

// A client the application builds: single server, Sentinel
// (redis.NewFailoverClient) or Cluster (redis.NewClusterClient) alike.
func ExampleNew() {
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"},
		ContextTimeoutEnabled: true, // required: New refuses a client without it
	})
	defer client.Close()
	store, err := redisstore.New(client, &redisstore.Options{Prefix: "blog:session:"})
	if err != nil {
		log.Fatal(err)
	}
	manager, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	log.Fatal(http.ListenAndServe(":8080", sessionhttp.Middleware(manager, nil)(mux)))
}
