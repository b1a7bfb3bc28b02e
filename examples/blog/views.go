package main

import (
	"bytes"
	"embed"
	"net/http"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/templates"
)

// views holds the HTML templates and the stylesheet.
//
//go:embed views
var views embed.FS

// view is the data of every page; each page uses the fields it needs.
type view struct {
	Title        string
	HasSession   bool              // false on error pages: the menu shows no account links
	User         string            // the logged-in user's name, or ""
	CSRF         string            // the session's CSRF token, for forms
	Flashes      []templates.Flash // popped by render
	Error        string            // what is wrong with the form, or the error page's message
	Username     string            // the login form's name field
	Remember     bool              // the login form's "Remember me" box
	Next         string            // the login form's next field: the page to go back to
	Article      article           // the article form's fields
	Articles     []article
	Devices      []device // the sessions page's list, the most recently active first
	NotRevocable bool     // the sessions page: the store cannot list or end sessions
	Framework    string
	Store        string
}

// render sends the page name with v, adding what every page shows: the
// user, the CSRF token for the logout button, and the flash messages,
// popped from the session so that each is shown once.
func (b *blog) render(r request, s *core.Session, code int, name string, v view) {
	v.HasSession = true
	v.User = userName(s)
	if v.User != "" {
		v.CSRF = s.CSRFToken()
	}
	v.Flashes = templates.Flashes(s)
	b.respond(r, code, name, v)
}

// errorPage sends an error page, which does not use the session.
func (b *blog) errorPage(r request, code int, title, message string) {
	b.respond(r, code, "error.html", view{Title: title, Error: message})
}

func (b *blog) respond(r request, code int, name string, v view) {
	v.Framework, v.Store = b.framework, b.store
	var buf bytes.Buffer
	if err := b.views.ExecuteTemplate(&buf, name, v); err != nil {
		b.log.Error("render", "page", name, "err", err)
		r.Respond(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Internal Server Error\n"))
		return
	}
	r.Respond(code, "text/html; charset=utf-8", buf.Bytes())
}
