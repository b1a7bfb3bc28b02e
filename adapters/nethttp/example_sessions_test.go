package sessionhttp_test

import (
	"html/template"
	"log"
	"net"
	"net/http"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// accounts lets users see where they are logged in and end those sessions.
// It needs a server-side store: memstore here, redisstore or pgstore for
// several app servers.
type accounts struct {
	sessions *core.Manager
}

var loginPage = template.Must(template.New("login").Parse(`<!doctype html><title>Log in</title>
{{range .Flashes}}<p class="flash">{{.}}</p>{{end}}
<form method="post" action="/login"><input name="user" placeholder="Name">
<label><input type="checkbox" name="remember"> Remember me</label>
<input type="hidden" name="csrf" value="{{.CSRF}}"><button>Log in</button></form>`))

var sessionsPage = template.Must(template.New("sessions").Parse(`<!doctype html><title>Your sessions</title>
{{range .Flashes}}<p class="flash">{{.}}</p>{{end}}
<ul>{{range .List}}<li>{{.UserAgent}}, {{.Address}}, last seen {{.LastSeen.Format "Jan 2 15:04"}}
  {{if .Current}}(this device){{else}}<form method="post" action="/sessions/end">
  <input type="hidden" name="id" value="{{.ID}}"><input type="hidden" name="csrf" value="{{$.CSRF}}">
  <button>Sign out</button></form>{{end}}</li>{{end}}</ul>
<form method="post" action="/sessions/end-others"><input type="hidden" name="csrf" value="{{.CSRF}}">
<button>Sign out everywhere else</button></form>`))

// session returns the request's session, or answers 503 (the store is
// down) or 500 (no session middleware on this route: see the log).
func session(w http.ResponseWriter, r *http.Request) (*core.Session, bool) {
	s, err := sessionhttp.Session(r)
	if err != nil {
		http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
		return nil, false
	}
	return s, true
}

// form returns the session of a form's POST whose CSRF token matches.
func form(w http.ResponseWriter, r *http.Request) (*core.Session, bool) {
	s, ok := session(w, r)
	if ok && !s.CheckCSRFToken(r.PostFormValue("csrf")) {
		http.Error(w, "This form has expired: reload the page and try again.", http.StatusForbidden)
		return nil, false
	}
	return s, ok
}

// render writes a page as HTML.
func render(w http.ResponseWriter, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := t.Execute(w, data); err != nil {
		log.Print(err)
	}
}

func (a *accounts) loginForm(w http.ResponseWriter, r *http.Request) {
	if s, ok := session(w, r); ok {
		render(w, loginPage, map[string]any{"Flashes": s.PopFlash("info"), "CSRF": s.CSRFToken()})
	}
}

// login marks the session as the user's, on this device, with a new ID,
// and makes its cookie outlive the browser if "Remember me" is ticked.
func (a *accounts) login(w http.ResponseWriter, r *http.Request) {
	s, ok := form(w, r)
	if !ok {
		return
	}
	user := r.PostFormValue("user") // check the password here
	addr, _, _ := net.SplitHostPort(r.RemoteAddr)
	if err := s.SetOwner(user, core.Device{UserAgent: r.UserAgent(), Address: addr}); err != nil {
		http.Error(w, "invalid user name", http.StatusBadRequest) // not valid UTF-8, or too long
		return
	}
	s.RememberMe(r.PostFormValue("remember") == "on")
	s.Flash("Welcome, "+user+"!", "info")
	http.Redirect(w, r, "/sessions", http.StatusSeeOther)
}

// list shows the user's sessions, this one marked.
func (a *accounts) list(w http.ResponseWriter, r *http.Request) {
	s, ok := session(w, r)
	if !ok {
		return
	}
	if s.Owner() == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	list, err := a.sessions.Sessions(r.Context(), s.Owner())
	if err != nil {
		http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
		return
	}
	render(w, sessionsPage, map[string]any{"List": list, "Flashes": s.PopFlash("info"), "CSRF": s.CSRFToken()})
}

// end signs one of the user's sessions out, everywhere at once.
func (a *accounts) end(w http.ResponseWriter, r *http.Request) {
	if s, ok := form(w, r); ok {
		a.done(w, r, s, a.sessions.EndSession(r.Context(), s.Owner(), r.PostFormValue("id")))
	}
}

// endOthers signs out every session of the user but this one, as a
// password change should too.
func (a *accounts) endOthers(w http.ResponseWriter, r *http.Request) {
	if s, ok := form(w, r); ok {
		a.done(w, r, s, a.sessions.EndOtherSessions(r.Context(), s.Owner()))
	}
}

func (a *accounts) done(w http.ResponseWriter, r *http.Request, s *core.Session, err error) {
	if err != nil {
		http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
		return
	}
	s.Flash("Signed out.", "info")
	http.Redirect(w, r, "/sessions", http.StatusSeeOther)
}

func Example_userSessions() {
	store, err := memstore.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	a := &accounts{sessions: sessions}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", a.loginForm)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("GET /sessions", a.list)
	mux.HandleFunc("POST /sessions/end", a.end)
	mux.HandleFunc("POST /sessions/end-others", a.endOthers)
	log.Fatal(http.ListenAndServe("localhost:8080", http.NewCrossOriginProtection().Handler(sessionhttp.Middleware(sessions, nil)(mux))))
}
