package sessionhttp_test

import (
	"context"
	"html/template"
	"log"
	"net/http"
	"os"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore"
)

var notesPage = template.Must(template.New("notes").Parse(`<!doctype html><title>Notes</title>
{{range .}}<p class="flash">{{.}}</p>{{end}}
<form method="post"><input name="note" placeholder="Note"> <button>Save</button></form>`))

// saveNote flashes a message and redirects.
func saveNote(w http.ResponseWriter, r *http.Request) {
	s, err := sessionhttp.Session(r)
	if err != nil { // 503 while Redis is down; 500 without the session middleware
		http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
		return
	}
	s.Flash("Noted: "+r.PostFormValue("note"), "info")
	http.Redirect(w, r, "/notes", http.StatusSeeOther)
}

// listNotes shows the flash messages once.
func listNotes(w http.ResponseWriter, r *http.Request) {
	s, err := sessionhttp.Session(r)
	if err != nil {
		http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := notesPage.Execute(w, s.PopFlash("info")); err != nil {
		log.Print(err)
	}
}

// A single Redis server from a URL: the store owns its client, and Ping
// finds a wrong URL at start-up rather than at the first request.
func Example_redis() {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		log.Fatal("REDIS_URL is not set: REDIS_URL=redis://localhost:6379/0 go run .")
	}
	store, err := redisstore.NewFromURL(url, nil)
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
	mux.HandleFunc("POST /notes", saveNote)
	mux.HandleFunc("GET /notes", listNotes)
	log.Fatal(http.ListenAndServe("localhost:8080", sessionhttp.Middleware(sessions, nil)(mux)))
}
