// The race detector makes sync.Pool drop items at random, and Gin, Echo and
// Fiber pool their contexts: allocations are only counted without it.

//go:build !race

package sessionfiber_test

import (
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// TestUntouchedAllocs guards what the middleware costs a request whose
// handler never touches the session, with a session cookie: one
// allocation, the context.Context that carries the session
// (c.SetUserContext), measured against the same app without the
// middleware, each serving a reused fasthttp.RequestCtx as fasthttp's
// server does. bench/ measures the time (BenchmarkFiber).
func TestUntouchedAllocs(t *testing.T) {
	store, err := cookiestore.New(&cookiestore.Options{Secrets: []string{"a secret of at least 32 bytes, for this test"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		t.Fatal(err)
	}
	handler := func(middleware ...fiber.Handler) fasthttp.RequestHandler {
		app := fiber.New()
		for _, h := range middleware {
			app.Use(h)
		}
		app.Get("/", func(*fiber.Ctx) error { return nil })
		return app.Handler()
	}
	bare, wrapped := handler(), handler(sessionfiber.Middleware(m))
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.SetRequestURI("/")
	ctx.Request.Header.Set("Cookie", "session=MTcwMDAwMDAwMHxleUpqSWpveGZRPT18AAAA; theme=dark")
	serve := func(h fasthttp.RequestHandler) func() {
		return func() {
			h(&ctx)
			ctx.ResetUserValues()
			ctx.Response.Reset()
		}
	}
	without := testing.AllocsPerRun(1000, serve(bare))
	with := testing.AllocsPerRun(1000, serve(wrapped))
	if with-without != 1 {
		t.Errorf("an untouched request makes %v allocations through the middleware and %v without; want 1 more", with, without)
	}
}
