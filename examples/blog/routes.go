package main

import (
	"context"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/templates"
)

// This file holds every page of the blog. The pages do not know which web
// framework serves them: they see a request, which each server_*.go file
// implements for its framework in a few lines.

// A request is one HTTP request as a page sees it.
type request interface {
	// Session returns the visitor's session, through the framework's
	// session adapter. The error matches core.ErrStore when the session
	// store is down.
	Session() (*core.Session, error)

	// Context returns the request's context, which carries the session:
	// the Manager's methods that take it know the request's session
	// (Manager.Sessions marks it as the current one).
	Context() context.Context

	// Method returns the request's method, such as "GET".
	Method() string

	// Target returns the path and query the request asked for, as the
	// client sent them: "/articles/new" or "/login?next=%2Fdashboard".
	Target() string

	// Query returns a parameter of the URL's query.
	Query(key string) string

	// UserAgent returns the request's User-Agent header.
	UserAgent() string

	// RemoteAddr returns the address of the client that made the
	// connection, "host:port", as net/http's Request.RemoteAddr: never an
	// address from X-Forwarded-For or X-Real-IP, which any client can
	// send. The blog trusts no proxy.
	RemoteAddr() string

	// FormValue returns a field of the posted form. It reads the request
	// body only, never the URL.
	FormValue(key string) string

	// Header returns the first value of a request header.
	Header(key string) string

	// Body returns the request's body, for the API's JSON.
	Body() io.Reader

	// SetHeader sets a header of the response, before Respond.
	SetHeader(key, value string)

	// Respond sends the whole response.
	Respond(code int, contentType string, body []byte)

	// Redirect answers 303 See Other: the browser GETs path next.
	Redirect(path string)
}

// A route is what answers one method and path.
type route struct {
	method, path string
	handle       func(request)
}

// A pageFunc answers a request with the visitor's session, loaded.
type pageFunc func(r request, s *core.Session)

// Session keys. The user's name is also the session's owner (s.Owner()),
// under which the sessions page finds the user's sessions.
const (
	keyUserID   = "user_id"
	keyUsername = "username"
)

// blog is the application: what its pages share. It is safe for concurrent
// use.
type blog struct {
	sessions  *core.Manager // for the sessions page: lists and ends a user's sessions
	api       *core.Manager // the JSON API's sessions, with the token in a header (api.go); nil with the cookie store
	apiOff    error         // why api is nil: NewManager's refusal
	users     *users
	articles  *articles
	views     *template.Template
	css       []byte
	framework string // shown in the footer, as is store
	store     string
	log       *slog.Logger
}

// newBlog returns the blog, with its demo users and a first article, and
// sessions managed by m. framework and store name what serves it, for the
// footer.
func newBlog(m *core.Manager, framework, store string, log *slog.Logger) (*blog, error) {
	t, err := template.New("").ParseFS(views, "views/*.html")
	if err != nil {
		return nil, err
	}
	// The partials "session/flashes" and "session/csrf".
	if t, err = templates.AddTo(t); err != nil {
		return nil, err
	}
	css, err := views.ReadFile("views/style.css")
	if err != nil {
		return nil, err
	}
	b := &blog{
		sessions:  m,
		users:     demoUsers(),
		articles:  new(articles),
		views:     t,
		css:       css,
		framework: framework,
		store:     store,
		log:       log,
	}
	b.articles.add(article{
		Title:     "Hello, sessions",
		Body:      "Log in as alice or bob, write an article, log out: every step leaves a flash message for the next page, kept in your session until it is shown once.",
		Author:    "alice",
		Published: time.Now(),
	})
	return b, nil
}

// routes lists the blog's pages. page loads the session; form also checks
// the CSRF token of a POST; loginRequired sends visitors who are not
// logged in to /login.
func (b *blog) routes() []route {
	return []route{
		{"GET", "/", b.page(b.home)},
		{"GET", "/login", b.page(b.loginForm)},
		{"POST", "/login", b.form(b.login)},
		{"POST", "/logout", b.form(b.logout)},
		{"GET", "/dashboard", b.page(b.loginRequired(b.dashboard))},
		{"GET", "/articles", b.page(b.listArticles)},
		{"GET", "/articles/new", b.page(b.loginRequired(b.newArticle))},
		{"POST", "/articles", b.form(b.loginRequired(b.createArticle))},
		{"GET", "/sessions", b.page(b.loginRequired(b.listSessions))},
		{"POST", "/sessions/end", b.form(b.loginRequired(b.endSession))},
		{"POST", "/sessions/end-others", b.form(b.loginRequired(b.endOtherSessions))},
		{"POST", "/password", b.form(b.loginRequired(b.changePassword))},
		{"GET", "/static/style.css", b.stylesheet},
	}
}

func (b *blog) home(r request, s *core.Session) {
	latest := b.articles.newest()
	latest = latest[:min(3, len(latest))]
	b.render(r, s, http.StatusOK, "home.html", view{Title: "Home", Articles: latest})
}

// loginForm shows the login form. The page the visitor asked for when
// loginRequired sent them here comes in the query's next, and goes on in
// the form's hidden field of the same name.
func (b *blog) loginForm(r request, s *core.Session) {
	v := view{Title: "Log in", CSRF: s.CSRFToken(), Next: nextPage(r.Query("next"))}
	b.render(r, s, http.StatusOK, "login.html", v)
}

func (b *blog) login(r request, s *core.Session) {
	name := r.FormValue("username")
	next := nextPage(r.FormValue("next"))
	remember := r.FormValue("remember") == "on"
	u, ok := b.users.authenticate(name, r.FormValue("password"))
	if !ok {
		v := view{Title: "Log in", Error: "Invalid credentials", Username: name, Remember: remember, CSRF: s.CSRFToken(), Next: next}
		b.render(r, s, http.StatusOK, "login.html", v)
		return
	}
	if err := logIn(r, s, u); err != nil {
		b.sessionError(r, err)
		return
	}
	// Remember me: a cookie that outlives the browser, until the session's
	// absolute timeout; otherwise the browser forgets it when it closes.
	s.RememberMe(remember)
	s.Flash("Welcome back, "+u.Name+"!", "success")
	if next == "" {
		next = "/dashboard"
	}
	r.Redirect(next)
}

// logIn makes s u's session from now on, on the device r comes from, as
// the sessions page shows it. A session that changes owner gets a new ID
// (and CSRF token), as with s.Renew: an ID that someone planted in the
// visitor's browser beforehand is worthless now. SetOwner refuses a name
// that is not clean text (invalid UTF-8, control characters) or is too
// long; the blog's user names never are.
func logIn(r request, s *core.Session, u user) error {
	if err := s.SetOwner(u.Name, core.Device{
		UserAgent: browserName(r.UserAgent()),
		Address:   coarseAddress(r.RemoteAddr()),
	}); err != nil {
		return err
	}
	// Set fails only for values JSON cannot encode; an int and a string
	// never fail.
	_ = s.Set(keyUserID, u.ID)
	_ = s.Set(keyUsername, u.Name)
	return nil
}

func (b *blog) logout(r request, s *core.Session) {
	// Invalidate drops everything in the session, and a server-side store
	// deletes it. The flash goes into a new, empty session.
	s.Invalidate()
	s.Flash("You have been logged out.", "info")
	r.Redirect("/")
}

func (b *blog) dashboard(r request, s *core.Session) {
	v := view{Title: "Dashboard", Articles: b.articles.by(userName(s))}
	b.render(r, s, http.StatusOK, "dashboard.html", v)
}

func (b *blog) listArticles(r request, s *core.Session) {
	b.render(r, s, http.StatusOK, "articles.html", view{Title: "Articles", Articles: b.articles.newest()})
}

func (b *blog) newArticle(r request, s *core.Session) {
	b.render(r, s, http.StatusOK, "new.html", view{Title: "New article", CSRF: s.CSRFToken()})
}

func (b *blog) createArticle(r request, s *core.Session) {
	a := article{
		Title:     strings.TrimSpace(r.FormValue("title")),
		Body:      strings.TrimSpace(r.FormValue("body")),
		Author:    userName(s),
		Published: time.Now(),
	}
	if a.Title == "" {
		v := view{Title: "New article", Error: "Title is required", Article: a, CSRF: s.CSRFToken()}
		b.render(r, s, http.StatusOK, "new.html", v)
		return
	}
	b.articles.add(a)
	s.Flash("Article saved successfully!", "success")
	r.Redirect("/articles")
}

func (b *blog) stylesheet(r request) {
	r.Respond(http.StatusOK, "text/css; charset=utf-8", b.css)
}

// userName returns the name of the logged-in user, or "".
func userName(s *core.Session) string {
	name, _ := s.String(keyUsername)
	return name
}

// page makes a route's handler from a page: it loads the session first.
// When the session store is down the visitor gets a 503 page, never the
// page as if they were logged out.
func (b *blog) page(p pageFunc) func(request) {
	return func(r request) {
		s, err := r.Session()
		if err != nil {
			b.sessionError(r, err)
			return
		}
		p(r, s)
	}
}

// form is page for the POST of a form: it also answers 403 to a form that
// does not carry the session's CSRF token.
func (b *blog) form(p pageFunc) func(request) {
	return b.page(func(r request, s *core.Session) {
		if !s.CheckCSRFToken(r.FormValue(templates.CSRFField)) {
			b.errorPage(r, http.StatusForbidden, "Forbidden",
				"This form has expired or was not sent from this site. Go back, reload the page and try again.")
			return
		}
		p(r, s)
	})
}

// loginRequired sends a visitor who is not logged in to the login page,
// with the page they asked for in the query's next: the login sends them
// back there. Only a GET is sent back; a form posted by a visitor who is
// no longer logged in is lost, and the login leads to the dashboard.
func (b *blog) loginRequired(p pageFunc) pageFunc {
	return func(r request, s *core.Session) {
		if userName(s) == "" {
			s.FlashUnique("Please log in first.", "warning")
			to := "/login"
			if r.Method() == http.MethodGet {
				to += "?next=" + url.QueryEscape(r.Target())
			}
			r.Redirect(to)
			return
		}
		p(r, s)
	}
}

// sessionError answers a request whose session could not be loaded or
// saved: 503 when the store is down, 500 otherwise.
func (b *blog) sessionError(r request, err error) {
	code := core.StatusCode(err)
	if isAPI(r) {
		b.apiError(r, code, strings.ToLower(http.StatusText(code)))
		return
	}
	if errors.Is(err, core.ErrStore) {
		b.errorPage(r, code, "Service unavailable",
			"The session store is unavailable, so the blog cannot tell who you are right now. Please try again in a moment.")
		return
	}
	b.errorPage(r, code, "Server error", "Something went wrong on our side.")
}
