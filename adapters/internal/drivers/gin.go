package drivers

import (
	"context"
	"io"
	"net"

	"github.com/gin-gonic/gin"

	"github.com/transient-go/transient/adapters/adaptertest"
	sessiongin "github.com/transient-go/transient/adapters/gin"
	"github.com/transient-go/transient/core"
)

// Gin drives package sessiongin, behind gin.Recovery (writing its log to
// io.Discard). Gin prints its routes in debug mode; a test that wants
// quiet output calls gin.SetMode(gin.TestMode) first.
type Gin struct{}

func (Gin) Name() string { return "gin" }

func (Gin) Serve(ln net.Listener, ms []*core.Manager, routes []adaptertest.Route) func() {
	r := gin.New()
	r.Use(gin.RecoveryWithWriter(io.Discard))
	for _, m := range ms {
		r.Use(sessiongin.Middleware(m, nil))
	}
	for _, rt := range routes {
		r.Handle(rt.Method, rt.Path, func(c *gin.Context) {
			rt.Handle(&ginCtx{c: c})
		})
	}
	return adaptertest.ServeHandler(ln, r)
}

func (Gin) ServeOne(m *core.Manager, cookie string) func() {
	r := gin.New()
	if m != nil {
		r.Use(sessiongin.Middleware(m, nil))
	}
	r.GET("/", func(*gin.Context) {})
	return serveOne(r, cookie)
}

type ginCtx struct{ c *gin.Context }

func (c *ginCtx) Session() (*core.Session, error) { return sessiongin.Session(c.c) }
func (c *ginCtx) SessionOf(m *core.Manager) (*core.Session, error) {
	return sessiongin.SessionOf(c.c, m)
}
func (c *ginCtx) Context() context.Context { return c.c.Request.Context() }
func (c *ginCtx) FormValue(key string) string {
	if v, ok := c.c.GetPostForm(key); ok {
		return v
	}
	return c.c.Query(key)
}
func (c *ginCtx) Redirect(code int, location string) { c.c.Redirect(code, location) }
func (c *ginCtx) Text(code int, body string)         { c.c.String(code, "%s", body) }

// Fail records err and renders the error page, as Gin applications do.
func (c *ginCtx) Fail(err error) {
	_ = c.c.Error(err)
	code, page := adaptertest.ErrorPage(err, func() (*core.Session, error) { return sessiongin.Session(c.c) })
	if !c.c.Writer.Written() { // else Get has answered
		c.c.String(code, "%s", page)
	}
	c.c.Abort()
}
