package bench_test

import (
	"context"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"
	"github.com/valyala/fasthttp"

	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// BenchmarkFiber measures the Fiber rows that need no Redis.
func BenchmarkFiber(b *testing.B) {
	rows := []row{
		{name: "bare", fh: fiberApp().Handler(), bare: true},
		{name: "withcontext", fh: fiberApp(func(c *fiber.Ctx) error {
			c.SetUserContext(context.WithValue(c.UserContext(), ctxKey{}, c))
			return c.Next()
		}).Handler(), bare: true},
	}
	for _, st := range ourStores(b) {
		rows = append(rows, row{name: st.name, fh: ourFiber(newManager(b, st.store))})
	}
	rows = append(rows, row{name: "fiber-memory", fh: fiberSession(session.New())})
	run(b, rows)
}

// BenchmarkFiberRedis measures the Fiber rows that keep sessions in Redis,
// on a redis-server of their own.
func BenchmarkFiberRedis(b *testing.B) {
	srv := redistest.StartLocal(b)
	store, rt := ourRedis(b, srv)
	storage, fiberRT := fiberRedis(b, srv)
	run(b, []row{
		{name: "transient-redis", fh: ourFiber(newManager(b, store)), rt: rt},
		{name: "fiber-redis", fh: fiberSession(session.New(session.Config{Storage: storage})), rt: fiberRT},
	})
}

// fiberApp returns an app with the middleware and the untouched route.
func fiberApp(middleware ...fiber.Handler) *fiber.App {
	app := fiber.New(fiber.Config{ReadBufferSize: 8192}) // room for a cookie store's 4096-byte cookie
	for _, mw := range middleware {
		app.Use(mw)
	}
	app.Get("/untouched", fiberOK)
	return app
}

// fiberAnswer answers "ok", or 500 with msg.
func fiberAnswer(c *fiber.Ctx, msg string) error {
	if msg != "" {
		return c.Status(fiber.StatusInternalServerError).SendString(msg)
	}
	return fiberOK(c)
}

// ourFiber is a transient row on Fiber.
func ourFiber(m *core.Manager) fasthttp.RequestHandler {
	app := fiberApp(sessionfiber.Middleware(m, nil))
	app.Post("/login", func(c *fiber.Ctx) error {
		s, err := sessionfiber.Session(c)
		if err != nil {
			return err
		}
		ourLogin(s)
		return fiberOK(c)
	})
	app.Get("/read", func(c *fiber.Ctx) error {
		s, err := sessionfiber.Session(c)
		if err != nil {
			return err
		}
		return fiberAnswer(c, ourCheck(s))
	})
	app.Post("/write", func(c *fiber.Ctx) error {
		s, err := sessionfiber.Session(c)
		if err != nil {
			return err
		}
		return fiberAnswer(c, ourCheck(s)+ourWrite(s))
	})
	return app.Handler()
}

// fiberSession is a row of Fiber's middleware/session, used as its README
// shows: store.Get in the handler, Save after a change. It has no flash
// messages: the row keeps one under a key, as scs's does.
func fiberSession(store *session.Store) fasthttp.RequestHandler {
	app := fiberApp()
	read := func(c *fiber.Ctx) (*session.Session, string, error) {
		s, err := store.Get(c)
		if err != nil {
			return nil, "", err
		}
		id, _ := s.Get("user_id").(int)
		name, _ := s.Get("username").(string)
		return s, checkSession(id, name), nil
	}
	app.Post("/login", func(c *fiber.Ctx) error {
		s, err := store.Get(c)
		if err != nil {
			return err
		}
		s.Set("user_id", userID)
		s.Set("username", userName)
		if err := s.Save(); err != nil {
			return err
		}
		return fiberOK(c)
	})
	app.Get("/read", func(c *fiber.Ctx) error {
		_, msg, err := read(c)
		if err != nil {
			return err
		}
		return fiberAnswer(c, msg)
	})
	app.Post("/write", func(c *fiber.Ctx) error {
		s, msg, err := read(c)
		if err != nil {
			return err
		}
		if msg != "" {
			return fiberAnswer(c, msg)
		}
		_ = s.Get("flash") // pop: one value, it cannot accumulate
		s.Delete("flash")
		s.Set("flash", flashMsg)
		if err := s.Save(); err != nil {
			return err
		}
		return fiberOK(c)
	})
	return app.Handler()
}
