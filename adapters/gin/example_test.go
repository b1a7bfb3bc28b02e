package sessiongin_test

import (
	"html/template"
	"log"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
	sessiongin "github.com/transient-go/transient/adapters/gin"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// page shows the flash messages, escaped by html/template, and the form.
var page = template.Must(template.New("articles").Parse(`<!doctype html><title>Articles</title>
{{range .}}<p class="flash">{{.}}</p>{{end}}
<form method="post"><input name="title"> <button>Save</button></form>`))

// save flashes a message and redirects; the session is saved before the redirect goes out.
func save(c *gin.Context) {
	s, err := sessiongin.Session(c)
	if err != nil {
		return // Session has answered: 503 if the store is down, 500 without the middleware
	}
	s.Flash("Saved "+c.PostForm("title")+".", "success")
	c.Redirect(http.StatusSeeOther, "/articles")
}

// list shows the flash messages once: PopFlash takes them.
func list(c *gin.Context) {
	s, err := sessiongin.Session(c)
	if err != nil {
		return
	}
	c.HTML(http.StatusOK, "articles", s.PopFlash("success"))
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
	r := gin.New()
	r.SetHTMLTemplate(page)
	r.Use(gin.Recovery(), sessiongin.Middleware(sessions, nil)) // recovery first: see docs/sessions.md
	r.POST("/articles", save)
	r.GET("/articles", list)
	log.Fatal(r.Run("localhost:8080"))
}
