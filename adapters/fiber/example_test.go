package sessionfiber_test

import (
	"html/template"
	"log"
	"os"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	sessionfiber "github.com/transient-go/transient/adapters/fiber"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// page shows the flash messages, escaped by html/template, and the form.
var page = template.Must(template.New("articles").Parse(`<!doctype html><title>Articles</title>
{{range .}}<p class="flash">{{.}}</p>{{end}}
<form method="post"><input name="title"> <button>Save</button></form>`))

// save flashes a message and redirects; the session is saved before the redirect goes out.
func save(c *fiber.Ctx) error {
	s, err := sessionfiber.Session(c)
	if err != nil {
		return err // Fiber's error handler answers 503 if the store is down, 500 without the middleware
	}
	s.Flash("Saved "+c.FormValue("title")+".", "success")
	return c.Redirect("/articles", fiber.StatusSeeOther)
}

// list shows the flash messages once: PopFlash takes them.
func list(c *fiber.Ctx) error {
	s, err := sessionfiber.Session(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return page.Execute(c, s.PopFlash("success"))
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
	app := fiber.New(fiber.Config{ReadBufferSize: 8192})           // room for a 4 KiB cookie
	app.Use(recover.New(), sessionfiber.Middleware(sessions, nil)) // recovery first: see docs/sessions.md
	app.Post("/articles", save)
	app.Get("/articles", list)
	log.Fatal(app.Listen("localhost:8080"))
}
