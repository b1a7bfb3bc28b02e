package sessionecho_test

import (
	"log"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	sessionecho "github.com/transient-go/transient/adapters/echo"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// save stores the article, flashes a message and redirects: the session is
// committed before the redirect goes out.
func save(c echo.Context) error {
	s, err := sessionecho.Session(c)
	if err != nil {
		return err // a 503 or 500 *echo.HTTPError
	}
	s.Flash("Article saved successfully!", "success")
	return c.Redirect(http.StatusSeeOther, "/articles")
}

// list shows the flash messages once: PopFlash takes them.
func list(c echo.Context) error {
	s, err := sessionecho.Session(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, echo.Map{"flashes": s.PopFlash("success")})
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
	e := echo.New()
	e.Use(middleware.Recover(), sessionecho.Middleware(sessions, nil)) // recovery first: see the README
	e.POST("/articles", save)
	e.GET("/articles", list)
	log.Fatal(e.Start("localhost:8080"))
}
