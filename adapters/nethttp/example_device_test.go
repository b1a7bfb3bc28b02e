package sessionhttp_test

import (
	"html/template"
	"log"
	"net/http"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

var signInPage = template.Must(template.New("sign-in").Parse(`<!doctype html><title>Sign in</title>
<form method="post" action="/sign-in"><input name="user" placeholder="Name">
<input type="hidden" name="csrf" value="{{.}}"><button>Sign in</button></form>`))

var accountPage = template.Must(template.New("account").Parse(`<!doctype html><title>Your account</title>
{{range .Flashes}}<p class="flash">{{.}}</p>{{end}}
{{if .Bound}}<p>This session is bound to this device: a copy of its cookies is worthless anywhere else.</p>
{{else}}<p>This session is not bound to a device: the browser does not support it, or has not registered yet.</p>{{end}}
<p><a href="/transfer">Transfer money</a> (bound sessions only)</p>`))

// sessionOf returns the request's session, or answers 503 (the store is
// down) or 500 (no session middleware on this route: see the log).
func sessionOf(w http.ResponseWriter, r *http.Request) (*core.Session, bool) {
	s, err := sessionhttp.Session(r)
	if err != nil {
		http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
		return nil, false
	}
	return s, true
}

func signInForm(w http.ResponseWriter, r *http.Request) {
	if s, ok := sessionOf(w, r); ok {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = signInPage.Execute(w, s.CSRFToken())
	}
}

// signIn marks the session as the user's: the response also asks a
// browser that supports DBSC to bind the session to a key of its own.
func signIn(w http.ResponseWriter, r *http.Request) {
	s, ok := sessionOf(w, r)
	if !ok {
		return
	}
	if !s.CheckCSRFToken(r.PostFormValue("csrf")) {
		http.Error(w, "This form has expired: reload the page and try again.", http.StatusForbidden)
		return
	}
	user := r.PostFormValue("user") // check the password here
	if err := s.SetOwner(user, core.Device{UserAgent: r.UserAgent()}); err != nil {
		http.Error(w, "invalid user name", http.StatusBadRequest)
		return
	}
	s.Flash("Welcome, "+user+"!", "info")
	http.Redirect(w, r, "/account", http.StatusSeeOther)
}

func account(w http.ResponseWriter, r *http.Request) {
	s, ok := sessionOf(w, r)
	if !ok {
		return
	}
	if s.Owner() == "" {
		http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = accountPage.Execute(w, map[string]any{"Flashes": s.PopFlash("info"), "Bound": s.DeviceBound()})
}

// transfer is a sensitive page: it requires a request that proved the
// device's key, which a stolen cookie cannot.
func transfer(w http.ResponseWriter, r *http.Request) {
	s, ok := sessionOf(w, r)
	if !ok {
		return
	}
	if s.Owner() == "" || !s.DeviceBound() {
		http.Error(w, "This page needs a session bound to its device.", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("Transfers, for " + s.Owner()))
}

func Example_deviceBinding() {
	store, err := memstore.New(nil) // binding needs a server-side store
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := core.NewManager(store, &core.Options{
		// Sessions with an owner are offered binding at login; the
		// middleware serves the registration and refresh endpoints.
		DeviceBinding: &core.DeviceBinding{},
	})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sign-in", signInForm)
	mux.HandleFunc("POST /sign-in", signIn)
	mux.HandleFunc("GET /account", account)
	mux.HandleFunc("GET /transfer", transfer)
	log.Fatal(http.ListenAndServe("localhost:8080", http.NewCrossOriginProtection().Handler(sessionhttp.Middleware(sessions, nil)(mux))))
}
