package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime/debug"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/core"
)

// newFiberServer serves the blog with Fiber.
func newFiberServer(b *blog, m *core.Manager) server {
	app := fiber.New(fiber.Config{
		DisableStartupMessage: true,
		// fasthttp reads a request's headers into this buffer, 4096 bytes
		// by default, and answers 431 to a request whose headers do not
		// fit: a cookie-store session can take 4096 bytes on its own.
		ReadBufferSize: 8192,
		// The session adapter hands Fiber's error handler the errors it
		// meets after the page is done, such as a store that fails while
		// saving. Fiber's own errors (404, 405) keep its default page; any
		// other error, such as a panic the recover middleware caught, gets
		// a 500 page that does not show the error's text to the client.
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			var fe *fiber.Error
			switch {
			case errors.Is(err, core.ErrStore):
				b.sessionError(fiberRequest{c}, err)
			case errors.As(err, &fe):
				return fiber.DefaultErrorHandler(c, err)
			default:
				b.errorPage(fiberRequest{c}, fiber.StatusInternalServerError, "Server error", "Something went wrong on our side.")
			}
			return nil
		},
	})
	// Unlike net/http, Fiber does not survive a panicking handler without
	// this middleware, which turns the panic into an error for the
	// ErrorHandler (a 500) and, like net/http, logs it. Fiber reuses the
	// memory of c.Path() for the next request: the log gets a copy.
	app.Use(recover.New(recover.Config{
		EnableStackTrace: true,
		StackTraceHandler: func(c *fiber.Ctx, v any) {
			b.log.Error("panic", "method", strings.Clone(c.Method()), "path", strings.Clone(c.Path()),
				"panic", v, "stack", string(debug.Stack()))
		},
	}))
	// Fiber is not net/http, so it cannot use http.CrossOriginProtection;
	// crossOrigin runs the same check, on the Host the client sent, as
	// net/http does. c.Hostname() would read X-Forwarded-Host, from any
	// client unless the app checks its proxies: a form posted from
	// evil.example with X-Forwarded-Host: evil.example would pass as sent
	// from the blog. Behind a proxy that sets that header, enable
	// EnableTrustedProxyCheck, list the proxy in TrustedProxies and pass
	// c.Hostname(), which then believes the header from the proxy alone.
	app.Use(func(c *fiber.Ctx) error {
		if crossOrigin(c.Method(), string(c.Request().Host()), c.Get("Sec-Fetch-Site"), c.Get("Origin")) {
			b.crossOriginError(fiberRequest{c})
			return nil
		}
		return c.Next()
	})
	// The API's routes go through the middleware of its Manager only:
	// Fiber runs a middleware for the routes added after it, so the
	// pages' middleware and routes come after the API's.
	api := app.Group(apiPrefix)
	if b.api != nil {
		api.Use(sessionfiber.Middleware(b.api, nil))
	}
	for _, rt := range b.apiRoutes() {
		api.Add(rt.method, strings.TrimPrefix(rt.path, apiPrefix), func(c *fiber.Ctx) error {
			rt.handle(fiberRequest{c})
			return nil
		})
	}
	app.Use(sessionfiber.Middleware(m, nil))
	for _, rt := range b.routes() {
		app.Add(rt.method, rt.path, func(c *fiber.Ctx) error {
			rt.handle(fiberRequest{c})
			return nil
		})
	}
	return fiberServer{app}
}

// fiberRequest is a Fiber request as the pages see it.
type fiberRequest struct{ c *fiber.Ctx }

func (f fiberRequest) Session() (*core.Session, error) { return sessionfiber.Session(f.c) }
func (f fiberRequest) Context() context.Context        { return f.c.UserContext() }
func (f fiberRequest) Method() string                  { return f.c.Method() }
func (f fiberRequest) Target() string                  { return f.c.OriginalURL() }
func (f fiberRequest) Query(key string) string         { return f.c.Query(key) }
func (f fiberRequest) Redirect(path string)            { f.c.Redirect(path, fiber.StatusSeeOther) }
func (f fiberRequest) Header(key string) string        { return f.c.Get(key) }
func (f fiberRequest) Body() io.Reader                 { return bytes.NewReader(f.c.Body()) }
func (f fiberRequest) SetHeader(key, value string)     { f.c.Set(key, value) }

// UserAgent returns a copy: Fiber's strings share memory that it reuses
// for the next request, and the login keeps the User-Agent in the session.
func (f fiberRequest) UserAgent() string {
	return strings.Clone(f.c.Get(fiber.HeaderUserAgent))
}

// RemoteAddr is the connection's address. Fiber's c.IP() would read the
// ProxyHeader, if the app set one, from any client unless the app checks
// its proxies.
func (f fiberRequest) RemoteAddr() string { return f.c.Context().RemoteAddr().String() }

// FormValue reads the urlencoded body only: Fiber's c.FormValue would also
// read the URL's query.
func (f fiberRequest) FormValue(key string) string {
	return string(f.c.Request().PostArgs().Peek(key))
}

func (f fiberRequest) Respond(code int, contentType string, body []byte) {
	f.c.Status(code).Set(fiber.HeaderContentType, contentType)
	f.c.Send(body)
}

// fiberServer is a Fiber app as a server.
type fiberServer struct{ app *fiber.App }

func (f fiberServer) Serve(ln net.Listener) error        { return f.app.Listener(ln) }
func (f fiberServer) Shutdown(ctx context.Context) error { return f.app.ShutdownWithContext(ctx) }
