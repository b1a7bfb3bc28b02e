package sessiongin_test

import (
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

// sites has two sessions per request: preferences that last a year in a
// cookie of their own, and the login in a server-side store.
type sites struct {
	prefs, login *core.Manager
}

// theme stores the visitor's theme in the preferences, whoever is logged
// in.
func (s *sites) theme(c *gin.Context) {
	prefs, err := sessiongin.SessionOf(c, s.prefs)
	if err != nil {
		return // SessionOf has answered
	}
	_ = prefs.Set("theme", c.PostForm("theme")) // a string never fails
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
	c.JSON(http.StatusOK, gin.H{"theme": theme, "user": login.Owner()})
}

func Example_twoSessions() {
	cookies, err := cookiestore.New(&cookiestore.Options{Secrets: []string{os.Getenv("SESSION_SECRET")}})
	if err != nil {
		log.Fatal(err)
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
	r.Use(gin.Recovery(), sessiongin.Middleware(prefs, nil), sessiongin.Middleware(login, nil))
	r.POST("/theme", s.theme)
	r.GET("/", s.home)
	log.Fatal(r.Run("localhost:8080"))
}
