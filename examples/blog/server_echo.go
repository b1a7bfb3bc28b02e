package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	sessionecho "github.com/transient-go/transient/adapters/echo"
	"github.com/transient-go/transient/core"
)

// echoHandler serves the blog with Echo.
func echoHandler(b *blog, m *core.Manager) http.Handler {
	e := echo.New()
	// The session adapter hands Echo's error handler the errors it meets
	// after the page is done, such as a store that fails while saving.
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if errors.Is(err, core.ErrStore) && !c.Response().Committed {
			b.sessionError(echoRequest{c}, err)
			return
		}
		e.DefaultHTTPErrorHandler(err, c)
	}
	e.Use(sessionecho.Middleware(m, nil))
	for _, rt := range b.routes() {
		e.Add(rt.method, rt.path, func(c echo.Context) error {
			rt.handle(echoRequest{c})
			return nil
		})
	}
	// The API's routes also go through the middleware of its Manager.
	api := e.Group(apiPrefix)
	if b.api != nil {
		api.Use(sessionecho.Middleware(b.api, nil))
	}
	for _, rt := range b.apiRoutes() {
		api.Add(rt.method, strings.TrimPrefix(rt.path, apiPrefix), func(c echo.Context) error {
			rt.handle(echoRequest{c})
			return nil
		})
	}
	return e
}

// echoRequest is an Echo request as the pages see it.
type echoRequest struct{ c echo.Context }

func (e echoRequest) Session() (*core.Session, error) { return sessionecho.Session(e.c) }
func (e echoRequest) Context() context.Context        { return e.c.Request().Context() }
func (e echoRequest) Method() string                  { return e.c.Request().Method }
func (e echoRequest) Target() string                  { return e.c.Request().URL.RequestURI() }
func (e echoRequest) Query(key string) string         { return e.c.QueryParam(key) }
func (e echoRequest) UserAgent() string               { return e.c.Request().UserAgent() }
func (e echoRequest) FormValue(key string) string     { return e.c.Request().PostFormValue(key) }
func (e echoRequest) Header(key string) string        { return e.c.Request().Header.Get(key) }
func (e echoRequest) Body() io.Reader                 { return e.c.Request().Body }
func (e echoRequest) SetHeader(key, value string)     { e.c.Response().Header().Set(key, value) }
func (e echoRequest) Redirect(path string)            { e.c.Redirect(http.StatusSeeOther, path) }

// RemoteAddr is the connection's address. Echo's c.RealIP would believe
// X-Forwarded-For and X-Real-IP from any client, unless the app sets an
// IPExtractor.
func (e echoRequest) RemoteAddr() string { return e.c.Request().RemoteAddr }

func (e echoRequest) Respond(code int, contentType string, body []byte) {
	e.c.Blob(code, contentType, body)
}
