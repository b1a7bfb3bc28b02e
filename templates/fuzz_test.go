package templates_test

import (
	"bytes"
	"context"
	"html/template"
	"regexp"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/templates"
)

// markup matches the tags the flashes partial writes itself.
var markup = regexp.MustCompile(`<div class="flashes">|</div>|<p class="flash flash-[A-Za-z0-9_-]+" role="alert">|</p>`)

// FuzzFlashesTemplate checks that no queue name or message, whatever it
// holds, adds markup to the page.
func FuzzFlashesTemplate(f *testing.F) {
	for _, seed := range [][2]string{
		{"success", "Article saved successfully!"},
		{"", `<script>alert("x")</script>`},
		{`x" onmouseover="alert(1)`, "</p><img src=x onerror=alert(1)>"},
		{"error", "\x00<\xff>"},
	} {
		f.Add(seed[0], seed[1])
	}
	m := newManager(f)
	page := template.Must(templates.AddTo(template.Must(template.New("page").Parse(`{{template "session/flashes" .}}`))))
	f.Fuzz(func(t *testing.T, queue, message string) {
		s, err := core.FromContext(m.Begin(new(core.Session), context.Background(), nil))
		if err != nil {
			t.Fatal(err)
		}
		s.Flash(message, queue)
		var buf bytes.Buffer
		if err := page.Execute(&buf, templates.Flashes(s, queue)); err != nil {
			t.Fatal(err)
		}
		if rest := markup.ReplaceAllString(buf.String(), ""); strings.ContainsAny(rest, "<>") {
			t.Errorf("flashes(%q, %q) = %q; want no markup but the partial's", queue, message, buf.String())
		}
	})
}
