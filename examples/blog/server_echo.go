package main

import (
	"errors"
	"net/http"

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
	e.Use(sessionecho.Middleware(m))
	for _, rt := range b.routes() {
		e.Add(rt.method, rt.path, func(c echo.Context) error {
			rt.handle(echoRequest{c})
			return nil
		})
	}
	return e
}

// echoRequest is an Echo request as the pages see it.
type echoRequest struct{ c echo.Context }

func (e echoRequest) Session() (*core.Session, error) { return sessionecho.Session(e.c) }
func (e echoRequest) Method() string                  { return e.c.Request().Method }
func (e echoRequest) Target() string                  { return e.c.Request().URL.RequestURI() }
func (e echoRequest) Query(key string) string         { return e.c.QueryParam(key) }
func (e echoRequest) FormValue(key string) string     { return e.c.Request().PostFormValue(key) }
func (e echoRequest) Redirect(path string)            { e.c.Redirect(http.StatusSeeOther, path) }

func (e echoRequest) Respond(code int, contentType string, body []byte) {
	e.c.Blob(code, contentType, body)
}
