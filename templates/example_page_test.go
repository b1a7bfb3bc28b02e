package templates_test

import (
	"html/template"
	"log"
	"net/http"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/templates"
)

// articlesPage pops nothing itself: the handler hands it the flash queues
// it popped and the session's CSRF token, which the partials render,
// escaped by html/template.
var articlesPage = template.Must(templates.AddTo(template.Must(template.New("articles").Parse(`<!doctype html><title>Articles</title>
{{template "session/flashes" .Flashes}}
<form method="post">{{template "session/csrf" .CSRF}}
<input name="title" placeholder="Title"> <button>Save</button></form>`))))

// articles shows the page, with the flash messages of every queue.
func articles(w http.ResponseWriter, r *http.Request) {
	s, err := sessionhttp.Session(r)
	if err != nil { // 503: the store is down; 500: no session middleware on this route (see the log)
		http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
		return
	}
	data := map[string]any{"Flashes": templates.Flashes(s), "CSRF": s.CSRFToken()}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := articlesPage.Execute(w, data); err != nil {
		log.Print(err)
	}
}

// save checks the form's CSRF token, flashes a message and redirects.
func save(w http.ResponseWriter, r *http.Request) {
	s, err := sessionhttp.Session(r)
	if err != nil {
		http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
		return
	}
	if !s.CheckCSRFToken(r.PostFormValue(templates.CSRFField)) {
		http.Error(w, "This form has expired: reload the page and try again.", http.StatusForbidden)
		return
	}
	s.Flash("Saved "+r.PostFormValue("title")+".", "success")
	http.Redirect(w, r, "/articles", http.StatusSeeOther)
}

func Example_page() {
	store, err := memstore.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /articles", articles)
	mux.HandleFunc("POST /articles", save)
	log.Fatal(http.ListenAndServe("localhost:8080", sessionhttp.Middleware(sessions, nil)(mux)))
}
