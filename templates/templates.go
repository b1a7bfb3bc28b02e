// Package templates holds html/template partials for pages that use
// transient sessions: the flash messages of a page and the hidden CSRF field
// of a form. Their names start with "session/", so they never collide with
// an application's own templates.
//
// Add them to the application's template set once, at start-up:
//
//	views := template.Must(template.New("").ParseFS(files, "views/*.html"))
//	views = template.Must(templates.AddTo(views))
//
// then, in a handler, pop the flash messages the page shows and hand them
// and the session's CSRF token to the page:
//
//	data := page{Flashes: templates.Flashes(s), CSRF: s.CSRFToken()}
//
// and, in the page's template:
//
//	{{template "session/flashes" .Flashes}}
//	<form method="post">{{template "session/csrf" .CSRF}} ... </form>
//
// Messages are escaped by html/template like any other text: a message is
// never trusted as HTML.
package templates

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strings"
)

// Names of the partials.
const (
	// FlashesTemplate renders a []Flash, as returned by [Flashes], as one
	// <p class="flash flash-CLASS" role="alert"> per message, inside a
	// <div class="flashes">; it renders nothing when there are none.
	FlashesTemplate = "session/flashes"

	// CSRFTemplate renders a CSRF token, from [core.Session.CSRFToken], as
	// a hidden input named [CSRFField].
	CSRFTemplate = "session/csrf"
)

// CSRFField is the name of the form field CSRFTemplate renders. Check what
// comes back with [core.Session.CheckCSRFToken]:
//
//	if !s.CheckCSRFToken(r.FormValue(templates.CSRFField)) { ... 403 ... }
const CSRFField = "csrf_token"

// files holds the partials; session/NAME.html becomes template session/NAME.
//
//go:embed session/*.html
var files embed.FS

// AddTo adds the partials to t's template set and returns t, so that the
// call can be wrapped in template.Must. t must not have been executed yet.
func AddTo(t *template.Template) (*template.Template, error) {
	paths, err := fs.Glob(files, "session/*.html")
	if err != nil {
		return nil, err
	}
	for _, path := range paths {
		src, err := files.ReadFile(path)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(path, ".html")
		if _, err := t.New(name).Parse(string(src)); err != nil {
			return nil, fmt.Errorf("templates: %s: %w", name, err)
		}
	}
	return t, nil
}
