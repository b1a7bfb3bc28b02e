package main

import (
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	sessiongin "github.com/transient-go/transient/adapters/gin"
	"github.com/transient-go/transient/core"
)

// ginHandler serves the blog with Gin.
func ginHandler(b *blog, m *core.Manager) http.Handler {
	gin.SetMode(gin.ReleaseMode) // no debug output; the mode is global to Gin
	r := gin.New()
	// A session that cannot be saved once the page is done gets the
	// blog's error page.
	r.Use(sessiongin.Middleware(m, &sessiongin.Options{
		ErrorResponse: func(c *gin.Context, err error) { b.sessionError(ginRequest{c}, err) },
	}))
	for _, rt := range b.routes() {
		r.Handle(rt.method, rt.path, func(c *gin.Context) {
			rt.handle(ginRequest{c})
		})
	}
	// The API's routes also go through the middleware of its Manager,
	// whose sessions sessiongin.SessionOf and b.api.FromContext return.
	api := r.Group(apiPrefix)
	if b.api != nil {
		api.Use(sessiongin.Middleware(b.api, &sessiongin.Options{
			ErrorResponse: func(c *gin.Context, err error) { b.sessionError(ginRequest{c}, err) },
		}))
	}
	for _, rt := range b.apiRoutes() {
		api.Handle(rt.method, strings.TrimPrefix(rt.path, apiPrefix), func(c *gin.Context) {
			rt.handle(ginRequest{c})
		})
	}
	return r
}

// ginRequest is a Gin request as the pages see it.
type ginRequest struct{ c *gin.Context }

func (g ginRequest) Context() context.Context    { return g.c.Request.Context() }
func (g ginRequest) Method() string              { return g.c.Request.Method }
func (g ginRequest) Target() string              { return g.c.Request.URL.RequestURI() }
func (g ginRequest) Query(key string) string     { return g.c.Query(key) }
func (g ginRequest) UserAgent() string           { return g.c.Request.UserAgent() }
func (g ginRequest) FormValue(key string) string { return g.c.PostForm(key) }
func (g ginRequest) Header(key string) string    { return g.c.GetHeader(key) }
func (g ginRequest) Body() io.Reader             { return g.c.Request.Body }
func (g ginRequest) SetHeader(key, value string) { g.c.Header(key, value) }
func (g ginRequest) Redirect(path string)        { g.c.Redirect(http.StatusSeeOther, path) }

// RemoteAddr is the connection's address. Gin's c.ClientIP would believe
// X-Forwarded-For from any client, unless the engine lists its trusted
// proxies (SetTrustedProxies).
func (g ginRequest) RemoteAddr() string { return g.c.Request.RemoteAddr }

// Session reads the session from the request's context rather than with
// sessiongin.Session, which would answer a store failure itself, with the
// ErrorResponse above: the pages answer it (see page in routes.go).
func (g ginRequest) Session() (*core.Session, error) {
	return core.FromContext(g.c.Request.Context())
}

func (g ginRequest) Respond(code int, contentType string, body []byte) {
	g.c.Data(code, contentType, body)
}
