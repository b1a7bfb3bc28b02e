package drivers

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/gofiber/fiber/v2"
	echo4 "github.com/labstack/echo/v4"
	echo5 "github.com/labstack/echo/v5"
	"github.com/valyala/fasthttp"

	sessionecho "github.com/transient-go/transient/adapters/echo"
	sessionecho5 "github.com/transient-go/transient/adapters/echo/v5"
	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	sessiongin "github.com/transient-go/transient/adapters/gin"
	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
)

// A UseDriver is a Driver that also serves, in process, a request whose
// handler uses the session, for the allocation guard (allocs_test.go).
type UseDriver interface {
	Driver

	// ServeUse is ServeOne through the adapter's middleware for m, to a
	// handler that gets the request's session through the adapter's
	// Session function and calls use with it. Each call serves the same
	// request, with the same cookie, again.
	ServeUse(m *core.Manager, cookie string, use func(*core.Session)) func()
}

var (
	_ UseDriver = NetHTTP{}
	_ UseDriver = Gin{}
	_ UseDriver = Echo{}
	_ UseDriver = Echo5{}
	_ UseDriver = Fiber{}
)

func (NetHTTP) ServeUse(m *core.Manager, cookie string, use func(*core.Session)) func() {
	return serveOne(sessionhttp.Middleware(m, nil)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if s, err := sessionhttp.Session(r); err == nil {
			use(s)
		}
	})), cookie)
}

func (Gin) ServeUse(m *core.Manager, cookie string, use func(*core.Session)) func() {
	r := gin.New()
	r.Use(sessiongin.Middleware(m, nil))
	r.GET("/", func(c *gin.Context) {
		if s, err := sessiongin.Session(c); err == nil {
			use(s)
		}
	})
	return serveOne(r, cookie)
}

func (Echo) ServeUse(m *core.Manager, cookie string, use func(*core.Session)) func() {
	e := echo4.New()
	e.Use(sessionecho.Middleware(m, nil))
	e.GET("/", func(c echo4.Context) error {
		if s, err := sessionecho.Session(c); err == nil {
			use(s)
		}
		return nil
	})
	return serveOne(e, cookie)
}

func (Echo5) ServeUse(m *core.Manager, cookie string, use func(*core.Session)) func() {
	e := echo5.New()
	e.Use(sessionecho5.Middleware(m, nil))
	e.GET("/", func(c *echo5.Context) error {
		if s, err := sessionecho5.Session(c); err == nil {
			use(s)
		}
		return nil
	})
	return serveOne(e, cookie)
}

func (Fiber) ServeUse(m *core.Manager, cookie string, use func(*core.Session)) func() {
	app := fiber.New(fiber.Config{ReadBufferSize: 8192})
	app.Use(sessionfiber.Middleware(m, nil))
	app.Get("/", func(c *fiber.Ctx) error {
		if s, err := sessionfiber.Session(c); err == nil {
			use(s)
		}
		return nil
	})
	h := app.Handler()
	ctx := new(fasthttp.RequestCtx)
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.SetRequestURI("/")
	ctx.Request.Header.Set("Cookie", cookie)
	return func() {
		h(ctx)
		ctx.ResetUserValues()
		ctx.Response.Reset()
	}
}
