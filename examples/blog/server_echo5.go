package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	sessionecho "github.com/transient-go/transient/adapters/echo/v5"
	"github.com/transient-go/transient/core"
)

// echo5Handler serves the blog with Echo v5.
func echo5Handler(b *blog, m *core.Manager) http.Handler {
	e := echo.New()
	// The session adapter hands Echo's error handler the errors it meets
	// after the page is done, such as a store that fails while saving.
	def := echo.DefaultHTTPErrorHandler(false)
	e.HTTPErrorHandler = func(c *echo.Context, err error) {
		if res, _ := echo.UnwrapResponse(c.Response()); errors.Is(err, core.ErrStore) && (res == nil || !res.Committed) {
			b.sessionError(echo5Request{c}, err)
			return
		}
		def(c, err)
	}
	e.Use(sessionecho.Middleware(m, nil))
	for _, rt := range b.routes() {
		e.Add(rt.method, rt.path, func(c *echo.Context) error {
			rt.handle(echo5Request{c})
			return nil
		})
	}
	// The API's routes also go through the middleware of its Manager.
	api := e.Group(apiPrefix)
	if b.api != nil {
		api.Use(sessionecho.Middleware(b.api, nil))
	}
	for _, rt := range b.apiRoutes() {
		api.Add(rt.method, strings.TrimPrefix(rt.path, apiPrefix), func(c *echo.Context) error {
			rt.handle(echo5Request{c})
			return nil
		})
	}
	return e
}

// echo5Request is an Echo v5 request as the pages see it.
type echo5Request struct{ c *echo.Context }

func (e echo5Request) Session() (*core.Session, error) { return sessionecho.Session(e.c) }
func (e echo5Request) Context() context.Context        { return e.c.Request().Context() }
func (e echo5Request) Method() string                  { return e.c.Request().Method }
func (e echo5Request) Target() string                  { return e.c.Request().URL.RequestURI() }
func (e echo5Request) Query(key string) string         { return e.c.QueryParam(key) }
func (e echo5Request) UserAgent() string               { return e.c.Request().UserAgent() }
func (e echo5Request) FormValue(key string) string     { return e.c.Request().PostFormValue(key) }
func (e echo5Request) Header(key string) string        { return e.c.Request().Header.Get(key) }
func (e echo5Request) Body() io.Reader                 { return e.c.Request().Body }
func (e echo5Request) SetHeader(key, value string)     { e.c.Response().Header().Set(key, value) }
func (e echo5Request) Redirect(path string)            { _ = e.c.Redirect(http.StatusSeeOther, path) }

// RemoteAddr is the connection's address. Echo's c.RealIP would believe
// X-Forwarded-For and X-Real-IP from any client, unless the app sets an
// IPExtractor.
func (e echo5Request) RemoteAddr() string { return e.c.Request().RemoteAddr }

func (e echo5Request) Respond(code int, contentType string, body []byte) {
	_ = e.c.Blob(code, contentType, body)
}
