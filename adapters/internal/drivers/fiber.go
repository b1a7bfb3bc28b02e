package drivers

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/valyala/fasthttp"

	"github.com/transient-go/transient/adapters/adaptertest"
	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/core"
)

// Fiber drives package sessionfiber, behind Fiber's recover middleware,
// with an ErrorHandler that renders the suite's error page. Its read
// buffer is raised from fasthttp's 4096 bytes, as package sessionfiber
// advises, so that a request carrying a cookie near the 4096-byte limit
// reaches the handler instead of getting a 431.
type Fiber struct{}

func (Fiber) Name() string { return "fiber" }

func (Fiber) Serve(ln net.Listener, ms []*core.Manager, routes []adaptertest.Route) func() {
	app := fiber.New(fiber.Config{
		DisableStartupMessage: true,
		ReadBufferSize:        16 << 10,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			code, page := adaptertest.ErrorPage(err, func() (*core.Session, error) { return sessionfiber.Session(c) })
			var fe *fiber.Error
			if errors.As(err, &fe) {
				code = fe.Code
			}
			c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
			return c.Status(code).SendString(page)
		},
	})
	app.Use(recover.New())
	for _, m := range ms {
		app.Use(sessionfiber.Middleware(m, nil))
	}
	for _, rt := range routes {
		app.Add(rt.Method, rt.Path, func(c *fiber.Ctx) error {
			fc := &fiberCtx{c: c}
			rt.Handle(fc)
			return fc.err
		})
	}
	return serveFiber(ln, app)
}

// ServeOne serves one fasthttp.RequestCtx again and again, resetting what
// fasthttp's server resets between the requests of a connection.
func (Fiber) ServeOne(m *core.Manager, cookie string) func() {
	app := fiber.New(fiber.Config{ReadBufferSize: 8192})
	if m != nil {
		app.Use(sessionfiber.Middleware(m, nil))
	}
	app.Get("/", func(*fiber.Ctx) error { return nil })
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

// ServeFiber serves app on a loopback listener until the test ends, and
// returns its base URL.
func ServeFiber(t testing.TB, app *fiber.App) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(serveFiber(ln, app))
	return "http://" + ln.Addr().String()
}

// serveFiber serves app on inner until stop is called. stop closes the
// connections clients left open, since fasthttp's Shutdown waits for
// every one of them, and one that a client dialled but never used stays
// open for the client's idle timeout (90s for net/http).
func serveFiber(inner net.Listener, app *fiber.App) (stop func()) {
	ln := &listener{Listener: inner}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = app.Listener(ln)
	}()
	return func() {
		ln.closeConns()
		_ = app.Shutdown()
		// A Shutdown that comes before the server has started serving
		// (a test that sent it no request) finds nothing to stop: closing
		// the listener ends Serve anyway.
		_ = ln.Close()
		<-done
	}
}

// listener remembers its connections so that ServeFiber can close them.
type listener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func (l *listener) closeConns() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		_ = c.Close()
	}
}

// fiberCtx remembers the first error, which the handler returns.
type fiberCtx struct {
	c   *fiber.Ctx
	err error
}

func (c *fiberCtx) keep(err error) {
	if c.err == nil {
		c.err = err
	}
}

func (c *fiberCtx) Session() (*core.Session, error) { return sessionfiber.Session(c.c) }
func (c *fiberCtx) SessionOf(m *core.Manager) (*core.Session, error) {
	return sessionfiber.SessionOf(c.c, m)
}
func (c *fiberCtx) Context() context.Context { return c.c.UserContext() }

// FormValue copies the value: Fiber's is only valid until the handler
// returns.
func (c *fiberCtx) FormValue(key string) string { return strings.Clone(c.c.FormValue(key)) }
func (c *fiberCtx) Redirect(code int, location string) {
	c.keep(c.c.Redirect(location, code))
}
func (c *fiberCtx) Text(code int, body string) {
	c.c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.keep(c.c.Status(code).SendString(body))
}
func (c *fiberCtx) Fail(err error) { c.keep(err) }
