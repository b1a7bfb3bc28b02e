package adaptertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/transient-go/transient/core"
)

// session returns the request's session, or hands the error to the
// framework's error path and returns nil, as an application does.
func session(c Ctx) *core.Session {
	s, err := c.Session()
	if err != nil {
		c.Fail(err)
		return nil
	}
	return s
}

// whoami describes the session in one line: "anonymous" or the user.
func whoami(s *core.Session) string {
	name, ok := s.String("username")
	if !ok {
		return "anonymous"
	}
	id, _ := core.Get[int64](s, "user_id")
	return fmt.Sprintf("%s(%d)", name, id)
}

// parallelUsers is how many goroutines /parallel runs on one session.
const parallelUsers = 100

// routes are the suite's handlers, the same on every framework; g holds
// the requests to /slow and /ops, and m is the server's Manager.
func routes(g *gates, m *core.Manager) []Route {
	return append(append(opsRoutes(g), ownerRoutes(m)...), []Route{
		{"GET", "/untouched", func(c Ctx) { c.Text(http.StatusOK, "ok") }},
		{"GET", "/untouched-redirect", func(c Ctx) { c.Redirect(http.StatusSeeOther, "/untouched") }},
		{"GET", "/untouched-fail", func(c Ctx) { c.Fail(errors.New("the handler failed")) }},
		{"GET", "/whoami", func(c Ctx) {
			if s := session(c); s != nil {
				c.Text(http.StatusOK, whoami(s))
			}
		}},
		{"POST", "/login", func(c Ctx) {
			s := session(c)
			if s == nil {
				return
			}
			name := c.FormValue("username")
			var id int64
			fmt.Sscan(c.FormValue("id"), &id)
			s.Renew()
			must(s.Set("user_id", id))
			must(s.Set("username", name))
			s.Flash("Welcome back, "+name+"!", "success")
			c.Redirect(http.StatusSeeOther, "/dashboard")
		}},
		{"GET", "/dashboard", func(c Ctx) {
			if s := session(c); s != nil {
				c.Text(http.StatusOK, whoami(s)+" "+strings.Join(s.PopFlash("success"), "|"))
			}
		}},
		{"POST", "/flash", func(c Ctx) {
			s := session(c)
			if s == nil {
				return
			}
			if c.FormValue("unique") != "" {
				s.FlashUnique(c.FormValue("msg"), c.FormValue("queue"))
			} else {
				s.Flash(c.FormValue("msg"), c.FormValue("queue"))
			}
			c.Redirect(http.StatusFound, "/")
		}},
		{"GET", "/pop", func(c Ctx) {
			if s := session(c); s != nil {
				c.Text(http.StatusOK, strings.Join(s.PopFlash(c.FormValue("queue")), "|"))
			}
		}},
		{"GET", "/peek", func(c Ctx) {
			if s := session(c); s != nil {
				c.Text(http.StatusOK, strings.Join(s.PeekFlash(c.FormValue("queue")), "|"))
			}
		}},
		{"POST", "/set", func(c Ctx) {
			if s := session(c); s != nil {
				must(s.Set(c.FormValue("key"), c.FormValue("value")))
				c.Text(http.StatusOK, "set")
			}
		}},
		{"GET", "/get", func(c Ctx) {
			if s := session(c); s != nil {
				v, _ := s.String(c.FormValue("key"))
				c.Text(http.StatusOK, v)
			}
		}},
		{"POST", "/renew", func(c Ctx) {
			if s := session(c); s != nil {
				s.Renew()
				c.Text(http.StatusOK, whoami(s))
			}
		}},
		{"POST", "/logout", func(c Ctx) {
			if s := session(c); s != nil {
				s.Invalidate()
				s.Flash("You have been logged out.", "info")
				c.Redirect(http.StatusSeeOther, "/")
			}
		}},
		{"GET", "/", func(c Ctx) {
			if s := session(c); s != nil {
				c.Text(http.StatusOK, whoami(s)+" "+strings.Join(s.PopFlash("info"), "|"))
			}
		}},
		{"POST", "/late", func(c Ctx) {
			// The body goes out first; the session changes afterwards.
			c.Text(http.StatusOK, "body first")
			if s := session(c); s != nil {
				must(s.Set("late", "saved"))
			}
		}},
		{"POST", "/late-logout", func(c Ctx) {
			// A logout after the response started, and a flash after it.
			s := session(c)
			if s == nil {
				return
			}
			c.Redirect(http.StatusSeeOther, "/")
			s.Invalidate()
			s.Flash("bye", "info")
		}},
		{"POST", "/csrf", func(c Ctx) {
			if s := session(c); s != nil {
				c.Text(http.StatusOK, s.CSRFToken())
			}
		}},
		{"POST", "/slow", func(c Ctx) {
			// A slow request: it loads the session, waits at the gate, and
			// then writes to the session if asked to.
			s := session(c)
			if s == nil {
				return
			}
			who := whoami(s)
			g.hold("slow")
			if c.FormValue("write") != "" {
				must(s.Set("slow", "done"))
			}
			c.Text(http.StatusOK, who)
		}},
		{"POST", "/set-unencodable", func(c Ctx) {
			s := session(c)
			if s == nil {
				return
			}
			rejected := 0
			for _, v := range map[string]any{
				"func":     func() {},
				"channel":  make(chan int),
				"NaN":      math.NaN(),
				"infinity": math.Inf(1),
				"complex":  complex(1, 2),
				"cycle":    cyclic(),
			} {
				if err := s.Set("bad", v); errors.Is(err, core.ErrInvalidValue) && !s.Has("bad") {
					rejected++
				}
			}
			c.Text(http.StatusOK, fmt.Sprint(rejected))
		}},
		{"POST", "/panic", func(c Ctx) {
			// A half-done privilege change, then a panic.
			if s := session(c); s != nil {
				must(s.Set("role", "admin"))
				s.Flash("half done", "q")
				panic("the handler failed")
			}
		}},
		{"POST", "/fail", func(c Ctx) {
			// Flash messages, then the framework's error page, which
			// shows the "error" queue.
			if s := session(c); s != nil {
				s.Flash("shown on the error page", "error")
				s.Flash("kept for later", "later")
				var code int
				fmt.Sscan(c.FormValue("code"), &code)
				c.Fail(StatusError{code})
			}
		}},
		{"POST", "/remember", func(c Ctx) {
			if s := session(c); s != nil {
				s.RememberMe(c.FormValue("on") == "1")
				c.Text(http.StatusOK, whoami(s))
			}
		}},
		{"POST", "/set-deep", func(c Ctx) {
			// A value nested n levels deep: Set must refuse it, or the
			// next request must read it back.
			s := session(c)
			if s == nil {
				return
			}
			var n int
			fmt.Sscan(c.FormValue("n"), &n)
			if err := s.Set("deep", json.RawMessage(strings.Repeat("[", n)+strings.Repeat("]", n))); errors.Is(err, core.ErrInvalidValue) {
				c.Text(http.StatusOK, "rejected")
				return
			}
			c.Text(http.StatusOK, "set")
		}},
		{"GET", "/get-deep", func(c Ctx) {
			s := session(c)
			if s == nil {
				return
			}
			v, err := core.Get[any](s, "deep")
			if err != nil {
				c.Text(http.StatusOK, "none")
				return
			}
			depth := 0
			for a, ok := v.([]any); ok; a, ok = a[0].([]any) {
				if depth++; len(a) == 0 {
					break
				}
			}
			c.Text(http.StatusOK, fmt.Sprint(depth))
		}},
		{"POST", "/parallel", func(c Ctx) {
			// Many goroutines of one request use its session at once.
			s := session(c)
			if s == nil {
				return
			}
			var wg sync.WaitGroup
			var wrong atomic.Int32
			for i := range parallelUsers {
				wg.Go(func() {
					key := fmt.Sprint("k", i)
					if s.Set(key, i) != nil {
						wrong.Add(1)
					}
					s.Flash(key, "parallel")
					if v, ok := s.Int(key); !ok || v != i {
						wrong.Add(1)
					}
					s.PeekFlash("parallel")
					s.Keys()
					s.CSRFToken()
				})
			}
			wg.Wait()
			c.Text(http.StatusOK, fmt.Sprintf("%d keys, %d wrong", s.Len(), wrong.Load()))
		}},
		{"GET", "/parallel", func(c Ctx) {
			s := session(c)
			if s == nil {
				return
			}
			var keys int
			for i := range parallelUsers {
				if v, ok := s.Int(fmt.Sprint("k", i)); ok && v == i {
					keys++
				}
			}
			c.Text(http.StatusOK, fmt.Sprintf("%d keys, %d flashes", keys, len(s.PopFlash("parallel"))))
		}},
		{"GET", "/context", func(c Ctx) {
			s := session(c)
			if s == nil {
				return
			}
			fromCtx, err := core.FromContext(c.Context())
			c.Text(http.StatusOK, fmt.Sprint(err == nil && fromCtx == s))
		}},
	}...)
}

// cyclic returns a value that refers to itself, which JSON cannot encode.
func cyclic() any {
	m := map[string]any{}
	m["self"] = m
	return m
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
