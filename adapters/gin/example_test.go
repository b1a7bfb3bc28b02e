package sessiongin_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	sessiongin "github.com/transient-go/transient/adapters/gin"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

func Example() {
	store, err := cookiestore.New(&cookiestore.Options{
		Secrets: []string{"a secret of at least 32 bytes, from your config"},
	})
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}

	r := gin.New()
	r.Use(sessiongin.Middleware(sessions, nil))
	r.POST("/articles", func(c *gin.Context) {
		s, err := sessiongin.Session(c)
		if err != nil {
			return // Get has recorded the error and answered 503 or 500
		}
		s.Flash("Article saved successfully!", "success")
		c.Redirect(http.StatusSeeOther, "/articles")
	})
	r.GET("/articles", func(c *gin.Context) {
		s, err := sessiongin.Session(c)
		if err != nil {
			return
		}
		c.JSON(http.StatusOK, gin.H{"flashes": s.PopFlash("success")})
	})

	// r.Run(":8080") would serve it; here a browser's two requests run
	// in memory.
	post := httptest.NewRecorder()
	r.ServeHTTP(post, httptest.NewRequest("POST", "/articles", nil))
	get := httptest.NewRequest("GET", "/articles", nil)
	for _, cookie := range post.Result().Cookies() {
		get.AddCookie(cookie)
	}
	page := httptest.NewRecorder()
	r.ServeHTTP(page, get)
	fmt.Println(post.Code, post.Header().Get("Location"))
	fmt.Println(page.Body)
	// Output:
	// 303 /articles
	// {"flashes":["Article saved successfully!"]}
}
