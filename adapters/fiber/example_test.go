package sessionfiber_test

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"

	"github.com/gofiber/fiber/v2"

	sessionfiber "github.com/transient-go/transient/adapters/fiber"
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

	app := fiber.New(fiber.Config{ReadBufferSize: 8192}) // room for a 4 KiB cookie
	app.Use(sessionfiber.Middleware(sessions))
	app.Post("/articles", func(c *fiber.Ctx) error {
		s, err := sessionfiber.Session(c)
		if err != nil {
			return err // Fiber's error handler answers 503 or 500
		}
		s.Flash("Article saved successfully!", "success")
		return c.Redirect("/articles", fiber.StatusSeeOther)
	})
	app.Get("/articles", func(c *fiber.Ctx) error {
		s, err := sessionfiber.Session(c)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"flashes": s.PopFlash("success")})
	})

	// app.Listen(":8080") would serve it; here a browser's two requests
	// run in memory.
	post, err := app.Test(httptest.NewRequest("POST", "/articles", nil))
	if err != nil {
		log.Fatal(err)
	}
	get := httptest.NewRequest("GET", "/articles", nil)
	for _, cookie := range post.Cookies() {
		get.AddCookie(cookie)
	}
	page, err := app.Test(get)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	fmt.Println(post.StatusCode, post.Header.Get("Location"))
	fmt.Println(string(body))
	// Output:
	// 303 /articles
	// {"flashes":["Article saved successfully!"]}
}
