package main

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/templates"
)

// clusterApp serves, with sessions in store, the pages of the blog that
// visitor uses, as the blog makes them: GET /login gives a form with a
// CSRF token; POST /login makes the session the user's, on a device named
// as the blog names it (Firefox on Linux, Safari on iPhone) at "this
// computer", and redirects to /dashboard, which redirects a visitor who
// is not logged in to /login. Its JSON API, under /api/, has its own
// Manager whose token travels in the Authorization header: POST /api/login
// with {"username": ...}, and GET /api/dashboard, 401 without a login.
func clusterApp(t *testing.T, store core.Store) string {
	t.Helper()
	m, err := core.NewManager(store, &core.Options{Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	session := func(w http.ResponseWriter, r *http.Request) *core.Session {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, "session unavailable", core.StatusCode(err))
			return nil
		}
		return s
	}
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		if s := session(w, r); s != nil {
			fmt.Fprintf(w, `<form><input name="csrf_token" value="%s"></form>`, html.EscapeString(s.CSRFToken()))
		}
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := session(w, r)
		if s == nil {
			return
		}
		if !s.CheckCSRFToken(r.FormValue(templates.CSRFField)) {
			http.Error(w, "bad token", http.StatusForbidden)
			return
		}
		if err := s.SetOwner(r.FormValue("username"), core.Device{UserAgent: browser(r.UserAgent()), Address: "this computer"}); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /dashboard", func(w http.ResponseWriter, r *http.Request) {
		s := session(w, r)
		switch {
		case s == nil:
		case s.Owner() == "":
			http.Redirect(w, r, "/login?next=/dashboard", http.StatusSeeOther)
		default:
			fmt.Fprintf(w, "%s's dashboard", html.EscapeString(s.Owner()))
		}
	})
	// The JSON API, as the blog's: a second Manager, whose token travels
	// in the Authorization header.
	api, err := core.NewManager(store, &core.Options{TokenHeader: "Authorization"})
	if err != nil {
		t.Fatal(err)
	}
	apiMux := http.NewServeMux()
	apiMux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		var creds struct{ Username string }
		s := session(w, r)
		if s == nil {
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&creds); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := s.SetOwner(creds.Username, core.Device{UserAgent: "Go-http-client/1.1"}); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	apiMux.HandleFunc("GET /api/dashboard", func(w http.ResponseWriter, r *http.Request) {
		if s := session(w, r); s != nil && s.Owner() == "" {
			http.Error(w, "log in first", http.StatusUnauthorized)
		}
	})
	mux.Handle("/api/", sessionhttp.Middleware(api, nil)(apiMux))
	srv := httptest.NewServer(sessionhttp.Middleware(m, nil)(mux))
	t.Cleanup(srv.Close)
	return srv.URL
}

// browser names the browser of the tests' User-Agents as the blog does.
func browser(ua string) string {
	if strings.Contains(ua, "iPhone") {
		return "Safari on iPhone"
	}
	return "Firefox on Linux"
}
