package sessionfiber_test

import (
	"log"
	"os"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// save stores the article, flashes a message and redirects: the session is
// committed when the handler returns.
func save(c *fiber.Ctx) error {
	s, err := sessionfiber.Session(c)
	if err != nil {
		return err // Fiber's error handler answers 503 or 500
	}
	s.Flash("Article saved successfully!", "success")
	return c.Redirect("/articles", fiber.StatusSeeOther)
}

// list shows the flash messages once: PopFlash takes them.
func list(c *fiber.Ctx) error {
	s, err := sessionfiber.Session(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"flashes": s.PopFlash("success")})
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
	app := fiber.New(fiber.Config{ReadBufferSize: 8192})           // room for a 4 KiB cookie
	app.Use(recover.New(), sessionfiber.Middleware(sessions, nil)) // recovery first: see the README
	app.Post("/articles", save)
	app.Get("/articles", list)
	log.Fatal(app.Listen("localhost:8080"))
}
