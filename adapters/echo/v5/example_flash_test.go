package sessionecho_test

import (
	"cmp"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/labstack/echo/v5"
	sessionecho "github.com/transient-go/transient/adapters/echo/v5"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// A form's handler flashes a message and redirects; the page it redirects
// to shows the message, once. The session is committed before the
// redirect goes out, so its cookie travels with the 303, and html/template
// escapes the message, which holds what the visitor typed.
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
	e := echo.New()
	e.Use(sessionecho.Middleware(sessions, nil))
	e.POST("/articles", func(c *echo.Context) error {
		s, err := sessionecho.Session(c)
		if err != nil {
			return err // for Echo's HTTPErrorHandler
		}
		s.Flash("Saved "+c.FormValue("title")+".", "success")
		return c.Redirect(http.StatusSeeOther, "/articles")
	})
	e.GET("/articles", func(c *echo.Context) error {
		s, err := sessionecho.Session(c)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		return page.Execute(c.Response(), s.PopFlash("success"))
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
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if set := w.Result().Cookies(); len(set) > 0 {
			cookies = set
		}
		fmt.Printf("%s %s: %d %s\n", method, path, w.Code, cmp.Or(w.Header().Get("Location"), w.Body.String()))
	}
	visit("POST", "/articles", url.Values{"title": {"<i>Sessions</i>"}})
	visit("GET", "/articles", nil)
	visit("GET", "/articles", nil)
	// Output:
	// POST /articles: 303 /articles
	// GET /articles: 200 <p class="flash">Saved &lt;i&gt;Sessions&lt;/i&gt;.</p><h1>Articles</h1>
	// GET /articles: 200 <h1>Articles</h1>
}
