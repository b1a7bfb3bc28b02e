package sessiongin_test

import (
	"html/template"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	sessiongin "github.com/transient-go/transient/adapters/gin"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/memstore"
)

var home = template.Must(template.New("home").Parse(`<!doctype html><title>Home</title>
{{range .Flashes}}<p class="flash">{{.}}</p>{{end}}
<p>Theme: {{.Theme}}. Signed in as: {{or .User "nobody"}}.</p>
<form method="post" action="/theme"><input name="theme" placeholder="Theme"> <button>Save</button></form>`))

// sites has two sessions per request: preferences that last a year in a
// cookie of their own, and the login in a server-side store.
type sites struct {
	prefs, login *core.Manager
}

// theme stores the visitor's theme in the preferences, whoever is logged
// in, and leaves a flash message in the login session.
func (s *sites) theme(c *gin.Context) {
	prefs, err := sessiongin.SessionOf(c, s.prefs)
	if err != nil {
		return // SessionOf has answered
	}
	login, err := sessiongin.SessionOf(c, s.login)
	if err != nil {
		return
	}
	_ = prefs.Set("theme", c.PostForm("theme")) // a string never fails
	login.Flash("Theme set to "+c.PostForm("theme")+".", "info")
	c.Redirect(http.StatusSeeOther, "/")
}

// home reads both sessions.
func (s *sites) home(c *gin.Context) {
	prefs, err := sessiongin.SessionOf(c, s.prefs)
	if err != nil {
		return
	}
	login, err := sessiongin.SessionOf(c, s.login)
	if err != nil {
		return
	}
	theme, _ := prefs.String("theme")
	c.HTML(http.StatusOK, "home", gin.H{"Theme": theme, "User": login.Owner(), "Flashes": login.PopFlash("info")})
}

func Example_twoSessions() {
	cookies, err := cookiestore.New(&cookiestore.Options{Secrets: []string{os.Getenv("SESSION_SECRET")}})
	if err != nil {
		log.Fatal("SESSION_SECRET: ", err) // set it to 32 random bytes or more: openssl rand -hex 32
	}
	prefs, err := core.NewManager(cookies, &core.Options{
		CookieName: "prefs", MaxAge: 365 * 24 * time.Hour, AbsoluteTimeout: 365 * 24 * time.Hour, IdleTimeout: -1,
	})
	if err != nil {
		log.Fatal(err)
	}
	store, err := memstore.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	login, err := core.NewManager(store, nil) // the cookie "session"
	if err != nil {
		log.Fatal(err)
	}
	s := &sites{prefs: prefs, login: login}
	r := gin.New()
	r.SetHTMLTemplate(home)
	r.Use(gin.Recovery(), sessiongin.Middleware(prefs, nil), sessiongin.Middleware(login, nil))
	r.POST("/theme", s.theme)
	r.GET("/", s.home)
	log.Fatal(r.Run("localhost:8080"))
}
