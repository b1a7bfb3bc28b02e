package sessiongin_test

import (
	"log"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"

	sessiongin "github.com/transient-go/transient/adapters/gin"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// save stores the article, flashes a message and redirects: the session is
// committed before the redirect goes out.
func save(c *gin.Context) {
	s, err := sessiongin.Session(c)
	if err != nil {
		return // Session has recorded the error and answered 503 or 500
	}
	s.Flash("Article saved successfully!", "success")
	c.Redirect(http.StatusSeeOther, "/articles")
}

// list shows the flash messages once: PopFlash takes them.
func list(c *gin.Context) {
	s, err := sessiongin.Session(c)
	if err != nil {
		return
	}
	c.JSON(http.StatusOK, gin.H{"flashes": s.PopFlash("success")})
}

func Example() {
	store, err := cookiestore.New(&cookiestore.Options{
		Secrets: []string{os.Getenv("SESSION_SECRET")}, // 32 bytes or more: openssl rand -hex 32
	})
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	r := gin.New()
	r.Use(gin.Recovery(), sessiongin.Middleware(sessions, nil)) // recovery first: see the README
	r.POST("/articles", save)
	r.GET("/articles", list)
	log.Fatal(r.Run("localhost:8080"))
}
