package main

import (
	"context"
	"io"
	"net/http"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
)

// netHTTPHandler serves the blog with the standard library's router.
func netHTTPHandler(b *blog, m *core.Manager) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(apiPrefix+"/", apiHandler(b))
	for _, rt := range b.routes() {
		path := rt.path
		if path == "/" {
			path = "/{$}" // "/" alone would match every path
		}
		mux.HandleFunc(rt.method+" "+path, func(w http.ResponseWriter, r *http.Request) {
			rt.handle(httpRequest{w, r})
		})
	}
	// ErrorResponse answers when the session cannot be saved, such as when
	// the store goes down during the request.
	sessions := sessionhttp.Middleware(m, &sessionhttp.Options{
		ErrorResponse: func(w http.ResponseWriter, r *http.Request, err error) {
			b.sessionError(httpRequest{w, r}, err)
		},
	})
	return sessions(mux)
}

// apiHandler serves the API's routes, with the sessions of its Manager.
func apiHandler(b *blog) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range b.apiRoutes() {
		mux.HandleFunc(rt.method+" "+rt.path, func(w http.ResponseWriter, r *http.Request) {
			rt.handle(httpRequest{w, r})
		})
	}
	if b.api == nil {
		return mux // the routes answer 501
	}
	return sessionhttp.Middleware(b.api, &sessionhttp.Options{
		ErrorResponse: func(w http.ResponseWriter, r *http.Request, err error) {
			b.sessionError(httpRequest{w, r}, err)
		},
	})(mux)
}

// httpRequest is a net/http request as the pages see it.
type httpRequest struct {
	w http.ResponseWriter
	r *http.Request
}

func (h httpRequest) Session() (*core.Session, error) { return sessionhttp.Session(h.r) }
func (h httpRequest) Context() context.Context        { return h.r.Context() }
func (h httpRequest) Method() string                  { return h.r.Method }
func (h httpRequest) Target() string                  { return h.r.URL.RequestURI() }
func (h httpRequest) Query(key string) string         { return h.r.URL.Query().Get(key) }
func (h httpRequest) UserAgent() string               { return h.r.UserAgent() }
func (h httpRequest) RemoteAddr() string              { return h.r.RemoteAddr }
func (h httpRequest) FormValue(key string) string     { return h.r.PostFormValue(key) }
func (h httpRequest) Header(key string) string        { return h.r.Header.Get(key) }
func (h httpRequest) Body() io.Reader                 { return h.r.Body }
func (h httpRequest) SetHeader(key, value string)     { h.w.Header().Set(key, value) }
func (h httpRequest) Redirect(path string)            { http.Redirect(h.w, h.r, path, http.StatusSeeOther) }

func (h httpRequest) Respond(code int, contentType string, body []byte) {
	h.w.Header().Set("Content-Type", contentType)
	h.w.WriteHeader(code)
	h.w.Write(body)
}
