package sessionfiber_test

import (
	"cmp"
	"fmt"
	"html/template"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// A form's handler flashes a message and redirects; the page it redirects
// to shows the message, once. The session is committed when the handler
// returns, before the redirect goes out, so its cookie travels with the
// 303, and html/template escapes the message, which holds what the visitor
// typed. App.Test serves each request in process.
func Example_flashAfterRedirect() {
	store, err := memstore.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	page := template.Must(template.New("articles").Parse(`{{range .}}<p class="flash">{{.}}</p>{{end}}<h1>Articles</h1>`))
	app := fiber.New(fiber.Config{ReadBufferSize: 8192})
	app.Use(sessionfiber.Middleware(sessions, nil))
	app.Post("/articles", func(c *fiber.Ctx) error {
		s, err := sessionfiber.Session(c)
		if err != nil {
			return err // for Fiber's ErrorHandler
		}
		s.Flash("Saved "+c.FormValue("title")+".", "success")
		return c.Redirect("/articles", fiber.StatusSeeOther)
	})
	app.Get("/articles", func(c *fiber.Ctx) error {
		s, err := sessionfiber.Session(c)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return page.Execute(c, s.PopFlash("success"))
	})

	// A browser posts the form, follows the redirect with the cookie it
	// was given, and comes back to the page later.
	var cookies []*http.Cookie
	visit := func(method, path string, form url.Values) {
		req := httptest.NewRequest(method, "http://localhost"+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := app.Test(req)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		if set := res.Cookies(); len(set) > 0 {
			cookies = set
		}
		fmt.Printf("%s %s: %d %s\n", method, path, res.StatusCode, cmp.Or(res.Header.Get("Location"), string(body)))
	}
	visit("POST", "/articles", url.Values{"title": {"<i>Sessions</i>"}})
	visit("GET", "/articles", nil)
	visit("GET", "/articles", nil)
	// Output:
	// POST /articles: 303 /articles
	// GET /articles: 200 <p class="flash">Saved &lt;i&gt;Sessions&lt;/i&gt;.</p><h1>Articles</h1>
	// GET /articles: 200 <h1>Articles</h1>
}
