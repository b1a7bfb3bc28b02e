package sessionfiber_test

import (
	"bufio"
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/adapters/internal/adaptertest"
	"github.com/transient-go/transient/core"
)

// benchApp returns an app with the benchmarks' routes: one that never
// touches the session, one that reads it, one that changes it, and the
// login that makes the session they read. With a nil Manager it has no
// session middleware, and only the first route works.
func benchApp(m *core.Manager) *fiber.App {
	app := fiber.New(fiber.Config{ReadBufferSize: 8192})
	if m != nil {
		app.Use(sessionfiber.Middleware(m))
	}
	app.Get("/untouched", func(c *fiber.Ctx) error { return c.SendString("ok") })
	app.Post("/login", func(c *fiber.Ctx) error {
		s, err := sessionfiber.Session(c)
		if err != nil {
			return err
		}
		_ = s.Set("user_id", 42)
		_ = s.Set("username", "alice")
		return c.SendString("ok")
	})
	read := func(c *fiber.Ctx) (*core.Session, error) {
		s, err := sessionfiber.Session(c)
		if err != nil {
			return nil, err
		}
		id, _ := core.Get[int64](s, "user_id")
		name, _ := s.String("username")
		if id != 42 || name != "alice" {
			return nil, fiber.ErrInternalServerError
		}
		return s, nil
	}
	app.Get("/read", func(c *fiber.Ctx) error {
		if _, err := read(c); err != nil {
			return err
		}
		return c.SendString("ok")
	})
	app.Post("/write", func(c *fiber.Ctx) error {
		s, err := read(c)
		if err != nil {
			return err
		}
		s.Flash("Article saved successfully!", "")
		return c.SendString("ok")
	})
	return app
}

// BenchmarkFiber measures the middleware with a cookie store against the
// same app without it ("bare"), in process: fasthttp's handler on one
// RequestCtx, reset between requests as fasthttp's server does. The
// request is parsed from the wire, as a server's is.
func BenchmarkFiber(b *testing.B) {
	bare, h := benchApp(nil).Handler(), benchApp(adaptertest.BenchManager(b)).Handler()
	var login fasthttp.RequestCtx
	login.Request.Header.SetMethod("POST")
	login.Request.SetRequestURI("/login")
	h(&login)
	cookie := string(login.Response.Header.Peek("Set-Cookie"))
	cookie = cookie[:strings.IndexByte(cookie, ';')]

	run := func(b *testing.B, h fasthttp.RequestHandler, method, path string, wantCookie bool) {
		var ctx fasthttp.RequestCtx
		raw := method + " " + path + " HTTP/1.1\r\nHost: example.com\r\nCookie: " + cookie + "\r\n\r\n"
		if err := ctx.Request.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			h(&ctx)
			if ctx.Response.StatusCode() != http.StatusOK || (len(ctx.Response.Header.Peek("Set-Cookie")) > 0) != wantCookie {
				b.Fatalf("%s %s = %d %q, Set-Cookie %q", method, path, ctx.Response.StatusCode(), ctx.Response.Body(), ctx.Response.Header.Peek("Set-Cookie"))
			}
			ctx.ResetUserValues()
			ctx.Response.Reset()
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, bare, "GET", "/untouched", false) })
	b.Run("untouched", func(b *testing.B) { run(b, h, "GET", "/untouched", false) })
	b.Run("read", func(b *testing.B) { run(b, h, "GET", "/read", false) })
	b.Run("write", func(b *testing.B) { run(b, h, "POST", "/write", true) })
}
