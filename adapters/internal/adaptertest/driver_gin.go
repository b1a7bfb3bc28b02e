package adaptertest

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	sessiongin "github.com/transient-go/transient/adapters/gin"
	"github.com/transient-go/transient/core"
)

// Gin drives package sessiongin. Gin prints its routes in debug mode; a
// test that wants quiet output calls gin.SetMode(gin.TestMode) first.
var Gin = Driver{
	Name: "gin",
	Serve: func(t testing.TB, m *core.Manager, routes []Route) string {
		r := gin.New()
		r.Use(sessiongin.Middleware(m, nil))
		for _, rt := range routes {
			r.Handle(rt.Method, rt.Path, func(c *gin.Context) {
				rt.Handle(&ginCtx{c: c})
			})
		}
		srv := httptest.NewServer(r)
		t.Cleanup(srv.Close)
		return srv.URL
	},
}

type ginCtx struct{ c *gin.Context }

func (c *ginCtx) Session() (*core.Session, error) { return sessiongin.Get(c.c) }
func (c *ginCtx) Context() context.Context        { return c.c.Request.Context() }
func (c *ginCtx) FormValue(key string) string {
	if v, ok := c.c.GetPostForm(key); ok {
		return v
	}
	return c.c.Query(key)
}
func (c *ginCtx) Redirect(code int, location string) { c.c.Redirect(code, location) }
func (c *ginCtx) Text(code int, body string)         { c.c.String(code, "%s", body) }
func (c *ginCtx) Fail(err error) {
	_ = c.c.Error(err)
	c.c.AbortWithStatus(core.StatusCode(err))
}
