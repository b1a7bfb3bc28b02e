package drivers

import (
	"context"
	"net"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	"github.com/transient-go/transient/adapters/adaptertest"
	sessionecho "github.com/transient-go/transient/adapters/echo/v5"
	"github.com/transient-go/transient/core"
)

// Echo5 drives package sessionecho of Echo v5, behind Echo's Recover
// middleware, with an HTTPErrorHandler that renders the suite's error
// page.
type Echo5 struct{}

func (Echo5) Name() string { return "echo5" }

func (Echo5) Serve(ln net.Listener, ms []*core.Manager, routes []adaptertest.Route) func() {
	e := echo.New()
	e.HTTPErrorHandler = func(c *echo.Context, err error) {
		if res, _ := echo.UnwrapResponse(c.Response()); res != nil && res.Committed {
			return
		}
		code, page := adaptertest.ErrorPage(err, func() (*core.Session, error) { return sessionecho.Session(c) })
		if sc := echo.StatusCode(err); sc != 0 {
			code = sc
		}
		_ = c.String(code, page)
	}
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))
	for _, m := range ms {
		e.Use(sessionecho.Middleware(m, nil))
	}
	for _, rt := range routes {
		e.Add(rt.Method, rt.Path, func(c *echo.Context) error {
			ec := &echo5Ctx{c: c}
			rt.Handle(ec)
			return ec.err
		})
	}
	return adaptertest.ServeHandler(ln, e)
}

func (Echo5) ServeOne(m *core.Manager, cookie string) func() {
	e := echo.New()
	if m != nil {
		e.Use(sessionecho.Middleware(m, nil))
	}
	e.GET("/", func(*echo.Context) error { return nil })
	return serveOne(e, cookie)
}

// echo5Ctx remembers the first error, which the handler returns.
type echo5Ctx struct {
	c   *echo.Context
	err error
}

func (c *echo5Ctx) keep(err error) {
	if c.err == nil {
		c.err = err
	}
}

func (c *echo5Ctx) Session() (*core.Session, error) { return sessionecho.Session(c.c) }
func (c *echo5Ctx) SessionOf(m *core.Manager) (*core.Session, error) {
	return sessionecho.SessionOf(c.c, m)
}
func (c *echo5Ctx) Context() context.Context    { return c.c.Request().Context() }
func (c *echo5Ctx) FormValue(key string) string { return c.c.FormValue(key) }
func (c *echo5Ctx) Redirect(code int, location string) {
	c.keep(c.c.Redirect(code, location))
}
func (c *echo5Ctx) Text(code int, body string) { c.keep(c.c.String(code, body)) }
func (c *echo5Ctx) Fail(err error)             { c.keep(err) }
