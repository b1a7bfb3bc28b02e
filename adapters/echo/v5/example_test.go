package sessionecho_test

import (
	"html/template"
	"log"
	"net/http"
	"os"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	sessionecho "github.com/transient-go/transient/adapters/echo/v5"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// page shows the flash messages, escaped by html/template, and the form.
var page = template.Must(template.New("articles").Parse(`<!doctype html><title>Articles</title>
{{range .}}<p class="flash">{{.}}</p>{{end}}
<form method="post"><input name="title"> <button>Save</button></form>`))

// save flashes a message and redirects; the session is saved before the redirect goes out.
func save(c *echo.Context) error {
	s, err := sessionecho.Session(c)
	if err != nil {
		return err // an *echo.HTTPError: 503 if the store is down, 500 without the middleware
	}
	s.Flash("Saved "+c.FormValue("title")+".", "success")
	return c.Redirect(http.StatusSeeOther, "/articles")
}

// list shows the flash messages once: PopFlash takes them.
func list(c *echo.Context) error {
	s, err := sessionecho.Session(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	return page.Execute(c.Response(), s.PopFlash("success"))
}

func Example() {
	store, err := cookiestore.New(&cookiestore.Options{Secrets: []string{os.Getenv("SESSION_SECRET")}})
	if err != nil {
		log.Fatal("SESSION_SECRET: ", err) // set it to 32 random bytes or more: openssl rand -hex 32
	}
	sessions, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	e := echo.New()
	e.Use(middleware.Recover(), sessionecho.Middleware(sessions, nil)) // recovery first: see docs/sessions.md
	e.POST("/articles", save)
	e.GET("/articles", list)
	log.Fatal(e.Start("localhost:8080"))
}
