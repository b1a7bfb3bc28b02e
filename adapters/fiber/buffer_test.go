package sessionfiber_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/adapters/internal/drivers"
	"github.com/transient-go/transient/adapters/internal/testkit"
	"github.com/transient-go/transient/core"
)

// warnings is a slog.Handler that keeps the messages of warnings.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	w.mu.Lock()
	w.msgs = append(w.msgs, r.Message)
	w.mu.Unlock()
	return nil
}
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnings) WithGroup(string) slog.Handler      { return w }

// bufferApp serves /set, which stores ?value in the session, and /get,
// which shows it, on an app whose read buffer is size (0: Fiber's default,
// 4096 bytes), with a Manager on store that logs to log.
func bufferApp(t *testing.T, store core.Store, size int, log slog.Handler) (string, *testkit.ErrorLog) {
	t.Helper()
	m, errs := testkit.NewManager(t, store, func(o *core.Options) { o.Logger = slog.New(log) })
	app := fiber.New(fiber.Config{DisableStartupMessage: true, ReadBufferSize: size})
	app.Use(sessionfiber.Middleware(m, nil))
	app.Post("/set", func(c *fiber.Ctx) error {
		s, err := sessionfiber.Session(c)
		if err != nil {
			return err
		}
		if err := s.Set("value", c.FormValue("value")); err != nil {
			return err
		}
		return c.SendString("set")
	})
	app.Get("/get", func(c *fiber.Ctx) error {
		s, err := sessionfiber.Session(c)
		if err != nil {
			return err
		}
		v, _ := s.String("value")
		return c.SendString(v)
	})
	return drivers.ServeFiber(t, app), errs
}

// TestReadBufferWarning runs apps with a cookie store or a memory store,
// with Fiber's default read buffer or a larger one: only the cookie store
// on the default buffer, whose sessions the app could not read back, gets
// a warning, once, on the first request, naming the setting to change.
func TestReadBufferWarning(t *testing.T) {
	cookies, memory := testkit.Stores(t)[0].Store, testkit.Memstore(t)
	for _, tt := range []struct {
		name  string
		store core.Store
		size  int
		warn  bool
	}{
		{"cookiestore/default", cookies, 0, true},
		{"cookiestore/8192", cookies, 8192, false},
		{"memstore/default", memory, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log := new(warnings)
			url, _ := bufferApp(t, tt.store, tt.size, log)
			cl := testkit.Browser(t)
			for range 3 {
				testkit.Fetch(t, cl, "GET", url+"/get")
			}
			log.mu.Lock()
			defer log.mu.Unlock()
			switch {
			case !tt.warn && len(log.msgs) > 0:
				t.Fatalf("warnings %q; want none", log.msgs)
			case tt.warn && (len(log.msgs) != 1 || !strings.Contains(log.msgs[0], "fiber.Config.ReadBufferSize is 4096 bytes: set it to 8192")):
				t.Fatalf("warnings %q; want one, naming fiber.Config.ReadBufferSize and 8192", log.msgs)
			}
		})
	}
}

// TestReadBufferRefusal stores a value whose cookie the browsers would
// take but an app on Fiber's default read buffer could not read back: that
// app refuses it with a 500 and an error naming the setting, the visitor
// keeps the cookie it had and carries on; an app with a larger buffer
// sends it, and the default app then answers 431 to every request that
// carries it, the lock-out the refusal prevents.
func TestReadBufferRefusal(t *testing.T) {
	store := testkit.Stores(t)[0].Store
	small, errs := bufferApp(t, store, 0, slog.DiscardHandler)
	large, _ := bufferApp(t, store, 8192, slog.DiscardHandler)
	big := strings.Repeat("x", 2150) // nearly the cookie store's room: a cookie of about 4 KB
	set := func(cl *http.Client, url, value string) *http.Response {
		t.Helper()
		res, err := cl.PostForm(url+"/set", map[string][]string{"value": {value}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}

	cl := testkit.Browser(t)
	if res := set(cl, small, "small"); res.StatusCode != http.StatusOK {
		t.Fatalf("POST /set small = %d; want 200", res.StatusCode)
	}
	res := set(cl, small, big)
	var tooLarge *core.CookieTooLargeError
	if got := errs.All(); res.StatusCode != http.StatusInternalServerError || len(got) != 1 || !errors.As(got[0], &tooLarge) ||
		tooLarge.Limit != 4096-sessionfiber.HeaderRoom || !strings.Contains(got[0].Error(), "fiber.Config.ReadBufferSize is 4096 bytes: set it to 8192") {
		t.Fatalf("POST /set of a cookie the app cannot read back = %d, errors %v; want 500 and a CookieTooLargeError naming the setting", res.StatusCode, got)
	}
	if v := res.Header.Values("Set-Cookie"); len(v) > 0 {
		t.Fatalf("the refused session set %q; want no cookie", v)
	}
	if res, body := testkit.Fetch(t, cl, "GET", small+"/get"); res.StatusCode != http.StatusOK || body != "small" {
		t.Fatalf("GET /get after the refusal = %d %q; want 200 \"small\": the visitor keeps the session it had", res.StatusCode, body)
	}

	locked := testkit.Browser(t)
	if res := set(locked, large, big); res.StatusCode != http.StatusOK {
		t.Fatalf("POST /set on an app with an 8192-byte buffer = %d; want 200", res.StatusCode)
	}
	var cookie string
	for _, c := range locked.Jar.Cookies(mustURL(t, large)) {
		cookie = c.Name + "=" + c.Value
	}
	req, _ := http.NewRequest("GET", small+"/get", nil)
	req.Header.Set("Cookie", cookie)
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("GET /get with a %d-byte cookie on Fiber's default buffer = %d; want 431, which is why the app refuses to send it", len(cookie), res.StatusCode)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
