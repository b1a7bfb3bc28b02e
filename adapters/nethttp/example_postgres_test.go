package sessionhttp_test

import (
	"context"
	"html/template"
	"log"
	"net/http"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/pgstore"
)

var commentsPage = template.Must(template.New("comments").Parse(`<!doctype html><title>Comments</title>
{{range .}}<p class="flash">{{.}}</p>{{end}}
<form method="post"><input name="comment" placeholder="Comment"> <button>Post</button></form>`))

// saveComment flashes a message and redirects.
func saveComment(w http.ResponseWriter, r *http.Request) {
	s, err := sessionhttp.Session(r)
	if err != nil { // 503 while PostgreSQL is down; 500 without the session middleware
		http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
		return
	}
	s.Flash("Posted: "+r.PostFormValue("comment"), "info")
	http.Redirect(w, r, "/comments", http.StatusSeeOther)
}

// listComments shows the flash messages once.
func listComments(w http.ResponseWriter, r *http.Request) {
	s, err := sessionhttp.Session(r)
	if err != nil {
		http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := commentsPage.Execute(w, s.PopFlash("info")); err != nil {
		log.Print(err)
	}
}

// openPool opens the application's pool of connections to the database
// at url, which its own queries share with the session store, with the
// budgets the store needs (see PoolConfig); the application may change
// the rest of the configuration, such as MaxConns.
func openPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgstore.PoolConfig(url, nil)
	if err != nil {
		return nil, err
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// A pool the application builds and shares with its own queries. The
// table is created by the application's migrations, here at start-up with
// Migrate; an application that uses a migration tool applies Schema's SQL
// with it instead.
func Example_postgres() {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		log.Fatal("DATABASE_URL is not set: DATABASE_URL=postgres://user:password@localhost:5432/app go run .")
	}
	ctx := context.Background()
	pool, err := openPool(ctx, url)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	if err := pgstore.Migrate(ctx, pool, nil); err != nil {
		log.Fatal(err)
	}
	store, err := pgstore.New(pool, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close() // stops the cleanup of expired sessions
	if err := store.Ping(ctx); err != nil {
		log.Fatal(err) // PostgreSQL down, or the table missing
	}
	sessions, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /comments", saveComment)
	mux.HandleFunc("GET /comments", listComments)
	log.Fatal(http.ListenAndServe("localhost:8080", sessionhttp.Middleware(sessions, nil)(mux)))
}
