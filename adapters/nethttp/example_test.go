package sessionhttp_test

import (
	"html/template"
	"log"
	"net/http"
	"os"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// page shows the flash messages, escaped by html/template, and the form.
var page = template.Must(template.New("articles").Parse(`<!doctype html><title>Articles</title>
{{range .}}<p class="flash">{{.}}</p>{{end}}
<form method="post"><input name="title"> <button>Save</button></form>`))

// save flashes a message and redirects; the session is saved before the redirect goes out.
func save(w http.ResponseWriter, r *http.Request) {
	s, err := sessionhttp.Session(r)
	if err != nil { // 503: the store is down; 500: no session middleware on this route (see the log)
		http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
		return
	}
	s.Flash("Saved "+r.PostFormValue("title")+".", "success")
	http.Redirect(w, r, "/articles", http.StatusSeeOther)
}

// list shows the flash messages once: PopFlash takes them.
func list(w http.ResponseWriter, r *http.Request) {
	s, err := sessionhttp.Session(r)
	if err != nil {
		http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = page.Execute(w, s.PopFlash("success")) // fails only if the client has gone
}

func Example() {
	store, err := cookiestore.New(&cookiestore.Options{Secrets: []string{os.Getenv("SESSION_SECRET")}})
	if err != nil {
		log.Fatal("SESSION_SECRET: ", err) // set it to 32 random bytes or more: openssl rand -hex 32
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
