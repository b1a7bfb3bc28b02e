package sessionecho_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"

	sessionecho "github.com/transient-go/transient/adapters/echo"
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

	e := echo.New()
	e.Use(sessionecho.Middleware(sessions))
	e.POST("/articles", func(c echo.Context) error {
		s, err := sessionecho.Session(c)
		if err != nil {
			return err // a 503 or 500 *echo.HTTPError
		}
		s.Flash("Article saved successfully!", "success")
		return c.Redirect(http.StatusSeeOther, "/articles")
	})
	e.GET("/articles", func(c echo.Context) error {
		s, err := sessionecho.Session(c)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, echo.Map{"flashes": s.PopFlash("success")})
	})

	// e.Start(":8080") would serve it; here a browser's two requests run
	// in memory.
	post := httptest.NewRecorder()
	e.ServeHTTP(post, httptest.NewRequest("POST", "/articles", nil))
	get := httptest.NewRequest("GET", "/articles", nil)
	for _, cookie := range post.Result().Cookies() {
		get.AddCookie(cookie)
	}
	page := httptest.NewRecorder()
	e.ServeHTTP(page, get)
	fmt.Println(post.Code, post.Header().Get("Location"))
	fmt.Print(page.Body)
	// Output:
	// 303 /articles
	// {"flashes":["Article saved successfully!"]}
}
