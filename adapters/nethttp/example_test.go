package sessionhttp_test

import (
	"fmt"
	"log"
	"net/http"
	"os"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// save stores the article, flashes a message and redirects: the session is
// committed before the redirect goes out.
func save(w http.ResponseWriter, r *http.Request) {
	s, err := sessionhttp.Session(r)
	if err != nil {
		http.Error(w, "session unavailable", core.StatusCode(err)) // 503: the store is down
		return
	}
	s.Flash("Article saved successfully!", "success")
	http.Redirect(w, r, "/articles", http.StatusSeeOther)
}

// list shows the flash messages once: PopFlash takes them.
func list(w http.ResponseWriter, r *http.Request) {
	s, err := sessionhttp.Session(r)
	if err != nil {
		http.Error(w, "session unavailable", core.StatusCode(err))
		return
	}
	for _, msg := range s.PopFlash("success") {
		fmt.Fprintln(w, msg)
	}
	fmt.Fprintln(w, `<form method="post"><button>Save</button></form>`)
}

func Example() {
	store, err := cookiestore.New(&cookiestore.Options{
		Secrets: []string{os.Getenv("SESSION_SECRET")}, // 32 bytes or more: openssl rand -hex 32
	})
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /articles", save)
	mux.HandleFunc("GET /articles", list)
	log.Fatal(http.ListenAndServe("localhost:8080", sessionhttp.Middleware(sessions, nil)(mux)))
}
