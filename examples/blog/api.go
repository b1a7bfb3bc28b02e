package main

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/transient-go/transient/core"
)

// This file is the blog's JSON API, for a client that keeps no cookies: a
// mobile app, a command-line tool, a script. Its sessions are those of a
// second Manager, b.api, over the same store as the pages' sessions, whose
// token travels in the Authorization header (core.Options.TokenHeader):
//
//	POST /api/login      {"username": "alice", "password": "wonderland"}
//	                     200 {"user": "alice"}, and Authorization: Bearer <token>
//	GET  /api/dashboard  with Authorization: Bearer <token>
//	                     200 {"user": "alice", "user_id": 1, "articles": [...]},
//	                     401 without a valid token
//	POST /api/logout     200 {"logged_out": true}, and an empty Authorization
//
// The client keeps the token of the last response that carried one, and
// forgets it when a response carries the header empty. A browser never
// sends that header by itself, so a form that another site posts to the API
// cannot use the session: the API needs no CSRF token. The API's sessions
// are listed on the sessions page beside the browsers', and signed out
// with them.

// apiPrefix is the path of the API's routes.
const apiPrefix = "/api"

// maxCredentials is the largest login body the API reads.
const maxCredentials = 4 << 10

// apiRoutes lists the API's routes. Each server mounts them under /api,
// behind the session middleware of b.api, when there is one.
func (b *blog) apiRoutes() []route {
	return []route{
		{"POST", "/api/login", b.apiLogin},
		{"GET", "/api/dashboard", b.apiDashboard},
		{"POST", "/api/logout", b.apiLogout},
	}
}

// apiSession returns the request's session of the API's Manager, or answers
// the request and returns nil: 501 when the blog runs with the cookie store,
// which NewManager refuses with a token header, and 503 when the store is
// down.
func (b *blog) apiSession(r request) *core.Session {
	if b.api == nil {
		b.apiError(r, http.StatusNotImplemented, "the JSON API keeps its sessions on the server, and the blog runs with"+
			" the cookie store: run it with -store memory, redis or postgres ("+b.apiOff.Error()+")")
		return nil
	}
	s, err := b.api.FromContext(r.Context())
	if err != nil {
		b.sessionError(r, err)
		return nil
	}
	return s
}

// apiLogin checks JSON credentials and makes the session the user's: the
// response carries the session's new token in its Authorization header.
// Only a JSON body is read, which a form posted from another site cannot
// send.
func (b *blog) apiLogin(r request) {
	s := b.apiSession(r)
	if s == nil {
		return
	}
	if t, _, _ := mime.ParseMediaType(r.Header("Content-Type")); t != "application/json" {
		b.apiError(r, http.StatusUnsupportedMediaType, "send the credentials as JSON, with Content-Type: application/json")
		return
	}
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body(), maxCredentials)).Decode(&in); err != nil {
		b.apiError(r, http.StatusBadRequest, `send {"username": "...", "password": "..."}`)
		return
	}
	u, ok := b.users.authenticate(in.Username, in.Password)
	if !ok {
		b.unauthorized(r, "invalid credentials")
		return
	}
	// As at the pages' login: a session that changes owner gets a new token.
	if err := logIn(r, s, u); err != nil {
		b.sessionError(r, err)
		return
	}
	b.apiJSON(r, http.StatusOK, map[string]string{"user": u.Name})
}

// apiArticle is an article as the API shows it.
type apiArticle struct {
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Published time.Time `json:"published"`
}

// apiDashboard answers with the user's data, as the dashboard page shows
// it, or 401 without a valid token.
func (b *blog) apiDashboard(r request) {
	s := b.apiSession(r)
	if s == nil {
		return
	}
	name := userName(s)
	if name == "" {
		b.unauthorized(r, "log in first: POST /api/login")
		return
	}
	id, _ := core.Get[int64](s, keyUserID)
	articles := []apiArticle{}
	for _, a := range b.articles.by(name) {
		articles = append(articles, apiArticle{a.Title, a.Body, a.Published})
	}
	b.apiJSON(r, http.StatusOK, struct {
		User     string       `json:"user"`
		UserID   int64        `json:"user_id"`
		Articles []apiArticle `json:"articles"`
	}{name, id, articles})
}

// apiLogout ends the session: a server-side store deletes it, and the
// response carries an empty Authorization header, which tells the client
// to forget its token.
func (b *blog) apiLogout(r request) {
	s := b.apiSession(r)
	if s == nil {
		return
	}
	s.Invalidate()
	b.apiJSON(r, http.StatusOK, map[string]bool{"logged_out": true})
}

// unauthorized answers 401, with the challenge RFC 6750 asks for.
func (b *blog) unauthorized(r request, message string) {
	r.SetHeader("WWW-Authenticate", `Bearer realm="blog"`)
	b.apiError(r, http.StatusUnauthorized, message)
}

// apiError answers {"error": message}.
func (b *blog) apiError(r request, code int, message string) {
	b.apiJSON(r, code, map[string]string{"error": message})
}

func (b *blog) apiJSON(r request, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		b.log.Error("api", "err", err)
		code, body = http.StatusInternalServerError, []byte(`{"error":"internal server error"}`)
	}
	r.Respond(code, "application/json", append(body, '\n'))
}

// isAPI reports whether a request is one of the API's, whose errors are
// JSON.
func isAPI(r request) bool { return strings.HasPrefix(r.Target(), apiPrefix+"/") }
