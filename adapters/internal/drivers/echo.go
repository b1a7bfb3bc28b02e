package drivers

import (
	"context"
	"errors"
	"net"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/transient-go/transient/adapters/adaptertest"
	sessionecho "github.com/transient-go/transient/adapters/echo"
	"github.com/transient-go/transient/core"
)

// Echo drives package sessionecho, behind Echo's Recover middleware, with
// an HTTPErrorHandler that renders the suite's error page.
type Echo struct{}

func (Echo) Name() string { return "echo" }

func (Echo) Serve(ln net.Listener, ms []*core.Manager, routes []adaptertest.Route) func() {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		code, page := adaptertest.ErrorPage(err, func() (*core.Session, error) { return sessionecho.Session(c) })
		var he *echo.HTTPError
		if errors.As(err, &he) {
			code = he.Code
		}
		_ = c.String(code, page)
	}
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))
	for _, m := range ms {
		e.Use(sessionecho.Middleware(m, nil))
	}
	for _, rt := range routes {
		e.Add(rt.Method, rt.Path, func(c echo.Context) error {
			ec := &echoCtx{c: c}
			rt.Handle(ec)
			return ec.err
		})
	}
	return adaptertest.ServeHandler(ln, e)
}

func (Echo) ServeOne(m *core.Manager, cookie string) func() {
	e := echo.New()
	if m != nil {
		e.Use(sessionecho.Middleware(m, nil))
	}
	e.GET("/", func(echo.Context) error { return nil })
	return serveOne(e, cookie)
}

// echoCtx remembers the first error, which the handler returns.
type echoCtx struct {
	c   echo.Context
	err error
}

func (c *echoCtx) keep(err error) {
	if c.err == nil {
		c.err = err
	}
}

func (c *echoCtx) Session() (*core.Session, error) { return sessionecho.Session(c.c) }
func (c *echoCtx) SessionOf(m *core.Manager) (*core.Session, error) {
	return sessionecho.SessionOf(c.c, m)
}
func (c *echoCtx) Context() context.Context    { return c.c.Request().Context() }
func (c *echoCtx) FormValue(key string) string { return c.c.FormValue(key) }
func (c *echoCtx) Redirect(code int, location string) {
	c.keep(c.c.Redirect(code, location))
}
func (c *echoCtx) Text(code int, body string) { c.keep(c.c.String(code, body)) }
func (c *echoCtx) Fail(err error)             { c.keep(err) }
