package main

import (
	"context"
	"errors"
	"net"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/core"
)

// newFiberServer serves the blog with Fiber.
func newFiberServer(b *blog, m *core.Manager) server {
	app := fiber.New(fiber.Config{
		DisableStartupMessage: true,
		// The session adapter hands Fiber's error handler the errors it
		// meets after the page is done, such as a store that fails while
		// saving.
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			if errors.Is(err, core.ErrStore) {
				b.sessionError(fiberRequest{c}, err)
				return nil
			}
			return fiber.DefaultErrorHandler(c, err)
		},
	})
	// Unlike net/http, Fiber does not survive a panicking handler without
	// this middleware.
	app.Use(recover.New())
	// Fiber is not net/http, so it cannot use http.CrossOriginProtection;
	// crossOrigin runs the same check.
	app.Use(func(c *fiber.Ctx) error {
		if crossOrigin(c.Method(), c.Hostname(), c.Get("Sec-Fetch-Site"), c.Get("Origin")) {
			b.crossOriginError(fiberRequest{c})
			return nil
		}
		return c.Next()
	})
	if m != nil { // nil for -store none
		app.Use(sessionfiber.Middleware(m, nil))
	}
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

func (f fiberRequest) Session() (*core.Session, error) { return sessionfiber.Get(f.c) }
func (f fiberRequest) Redirect(path string)            { f.c.Redirect(path, fiber.StatusSeeOther) }

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
