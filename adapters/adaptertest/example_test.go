package adaptertest_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"

	"github.com/transient-go/transient/adapters/adaptertest"
	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// driver runs the suite on a router whose handlers return their error for
// one function to render, as Echo's and Fiber's do: Fail keeps the error,
// and the route renders it once the handler is done. Its adapter is the
// net/http one; a driver for another framework calls that framework's.
type driver struct{}

func (driver) Name() string { return "errors" }

func (driver) Serve(ln net.Listener, managers []*core.Manager, routes []adaptertest.Route) func() {
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.HandleFunc(rt.Method+" "+rt.Path, func(w http.ResponseWriter, r *http.Request) {
			c := &ctx{w: w, r: r}
			rt.Handle(c)
			if c.err != nil { // the framework's error path
				code, page := adaptertest.ErrorPage(c.err, c.Session)
				c.Text(code, page)
			}
		})
	}
	var h http.Handler = mux
	for i := len(managers) - 1; i >= 0; i-- {
		h = sessionhttp.Middleware(managers[i], nil)(h) // the first Manager's outermost
	}
	return adaptertest.ServeHandler(ln, recoverer(h)) // recovery outermost of all
}

// recoverer answers 500 for a handler that panics.
func recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if recover() != nil {
				http.Error(w, "recovered", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// ctx is a request as the suite's handlers see it, through the adapter's
// accessors and the framework's helpers.
type ctx struct {
	w   http.ResponseWriter
	r   *http.Request
	err error // the first error the handler failed with
}

func (c *ctx) Session() (*core.Session, error) { return sessionhttp.Session(c.r) }
func (c *ctx) SessionOf(m *core.Manager) (*core.Session, error) {
	return sessionhttp.SessionOf(c.r, m)
}
func (c *ctx) Context() context.Context           { return c.r.Context() }
func (c *ctx) FormValue(key string) string        { return c.r.FormValue(key) }
func (c *ctx) Redirect(code int, location string) { http.Redirect(c.w, c.r, location, code) }
func (c *ctx) Text(code int, body string) {
	c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	c.w.WriteHeader(code)
	_, _ = io.WriteString(c.w, body)
}
func (c *ctx) Fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// A test of the adapter hands its Driver to Run, which serves the suite's
// routes through it:
//
//	func TestSuite(t *testing.T) {
//		adaptertest.Run(t, driver{})
//	}
//
// Here the driver serves three routes of the suite's kind to a browser with
// a cookie jar: a flash and a redirect, the page that shows the flash once,
// and an error page.
func Example() {
	store, err := memstore.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	m, err := core.NewManager(store, &core.Options{Insecure: true}) // plain HTTP, on loopback
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	stop := driver{}.Serve(ln, []*core.Manager{m}, []adaptertest.Route{
		{Method: "POST", Path: "/flash", Handle: func(c adaptertest.Ctx) {
			s, err := c.Session()
			if err != nil {
				c.Fail(err)
				return
			}
			s.Flash(c.FormValue("msg"), "info")
			c.Redirect(http.StatusSeeOther, "/")
		}},
		{Method: "GET", Path: "/", Handle: func(c adaptertest.Ctx) {
			s, err := c.Session()
			if err != nil {
				c.Fail(err)
				return
			}
			c.Text(http.StatusOK, fmt.Sprint(s.PopFlash("info")))
		}},
		{Method: "GET", Path: "/teapot", Handle: func(c adaptertest.Ctx) {
			c.Fail(adaptertest.StatusError{Code: http.StatusTeapot})
		}},
	})
	defer stop()

	jar, err := cookiejar.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	browser := &http.Client{Jar: jar}
	base := "http://" + ln.Addr().String()
	show := func(res *http.Response, err error) {
		if err != nil {
			log.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %s: %d %q\n", res.Request.Method, res.Request.URL.Path, res.StatusCode, body)
	}
	show(browser.PostForm(base+"/flash", url.Values{"msg": {"Saved."}})) // follows the redirect
	show(browser.Get(base + "/"))
	show(browser.Get(base + "/teapot"))
	// Output:
	// GET /: 200 "[Saved.]"
	// GET /: 200 "[]"
	// GET /teapot: 418 ""
}
