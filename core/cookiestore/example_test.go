package cookiestore_test

import (
	"log"
	"os"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// Rotating keys: the new secret signs, the old one still verifies, and
// sessions are moved to the new secret as their owners come back.
func ExampleNew() {
	store, err := cookiestore.New(&cookiestore.Options{
		Secrets: []string{
			os.Getenv("SESSION_SECRET"),          // newest first: signs new cookies
			os.Getenv("SESSION_SECRET_PREVIOUS"), // still accepted, re-issued under the newest
		},
		Encrypt: true, // the client cannot read the session
	})
	if err != nil {
		log.Fatal(err) // a missing or short secret fails here, at start-up
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	_ = m
}
