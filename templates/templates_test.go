package templates_test

import (
	"bytes"
	"context"
	"html/template"
	"slices"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/templates"
)

// newManager returns a Manager on a memory store, or fails t.
func newManager(t testing.TB) *core.Manager {
	t.Helper()
	store, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// newSession returns an empty session outside any request, as an adapter
// would start one.
func newSession(t *testing.T) *core.Session {
	t.Helper()
	ctx := newManager(t).Begin(new(core.Session), context.Background(), nil)
	s, err := core.FromContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type flash struct{ queue, message string }

func TestFlashes(t *testing.T) {
	tests := []struct {
		name    string
		flashes []flash
		queues  []string
		want    []templates.Flash
		left    []flash // still in the session afterwards
	}{
		{
			name: "none",
		},
		{
			name:    "default queues in display order",
			flashes: []flash{{"", "plain"}, {"error", "bad"}, {"success", "ok"}, {"success", "ok again"}, {"warning", "careful"}, {"info", "fyi"}},
			want: []templates.Flash{
				{Queue: "success", Class: "success", Messages: []string{"ok", "ok again"}},
				{Queue: "info", Class: "info", Messages: []string{"fyi"}},
				{Queue: "warning", Class: "warning", Messages: []string{"careful"}},
				{Queue: "error", Class: "error", Messages: []string{"bad"}},
				{Queue: "", Class: "default", Messages: []string{"plain"}},
			},
		},
		{
			name:    "other queues are left alone",
			flashes: []flash{{"success", "ok"}, {"audit", "kept"}},
			want:    []templates.Flash{{Queue: "success", Class: "success", Messages: []string{"ok"}}},
			left:    []flash{{"audit", "kept"}},
		},
		{
			name:    "named queues only",
			flashes: []flash{{"success", "ok"}, {"audit", "popped"}},
			queues:  []string{"audit"},
			want:    []templates.Flash{{Queue: "audit", Class: "audit", Messages: []string{"popped"}}},
			left:    []flash{{"success", "ok"}},
		},
		{
			name:    "queue name unfit for a class",
			flashes: []flash{{`x" onclick="y`, "odd"}},
			queues:  []string{`x" onclick="y`},
			want:    []templates.Flash{{Queue: `x" onclick="y`, Class: "default", Messages: []string{"odd"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t)
			for _, f := range tt.flashes {
				s.Flash(f.message, f.queue)
			}
			got := templates.Flashes(s, tt.queues...)
			if !slices.EqualFunc(got, tt.want, equalFlash) {
				t.Errorf("Flashes(s, %q) = %+v; want %+v", tt.queues, got, tt.want)
			}
			if again := templates.Flashes(s, tt.queues...); len(again) != 0 {
				t.Errorf("second Flashes(s, %q) = %+v; want none (popped)", tt.queues, again)
			}
			for _, f := range tt.left {
				if msgs := s.PeekFlash(f.queue); !slices.Contains(msgs, f.message) {
					t.Errorf("PeekFlash(%q) = %q; want it to still hold %q", f.queue, msgs, f.message)
				}
			}
		})
	}
}

func equalFlash(a, b templates.Flash) bool {
	return a.Queue == b.Queue && a.Class == b.Class && slices.Equal(a.Messages, b.Messages)
}

func TestFlashesTemplate(t *testing.T) {
	tests := []struct {
		name    string
		flashes []templates.Flash
		want    []string // substrings of the output
		notWant []string
	}{
		{
			name:    "nothing to show",
			notWant: []string{"<div", "<p"},
		},
		{
			name:    "one alert per message, class from the queue",
			flashes: []templates.Flash{{Queue: "success", Class: "success", Messages: []string{"Saved.", "Published."}}, {Class: "default", Messages: []string{"Hi."}}},
			want: []string{
				`<div class="flashes">`,
				`<p class="flash flash-success" role="alert">Saved.</p>`,
				`<p class="flash flash-success" role="alert">Published.</p>`,
				`<p class="flash flash-default" role="alert">Hi.</p>`,
			},
		},
		{
			name:    "messages are escaped",
			flashes: []templates.Flash{{Queue: "error", Class: "error", Messages: []string{`<script>alert("x")</script>`}}},
			want:    []string{`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`},
			notWant: []string{"<script>"},
		},
		{
			name:    "classes are escaped",
			flashes: []templates.Flash{{Class: `x" onclick="alert(1)`, Messages: []string{"m"}}},
			want:    []string{`class="flash flash-x&#34; onclick=&#34;alert(1)"`},
			notWant: []string{`onclick="`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(t, `{{template "session/flashes" .}}`, tt.flashes)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("flashes(%+v) = %q; want it to contain %q", tt.flashes, got, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("flashes(%+v) = %q; want no %q", tt.flashes, got, w)
				}
			}
		})
	}
}

func TestCSRFTemplate(t *testing.T) {
	tests := []struct {
		name, token, want string
	}{
		{"token", "abc-_123", `<input type="hidden" name="csrf_token" value="abc-_123">`},
		{"escaped", `"><script>`, `<input type="hidden" name="csrf_token" value="&#34;&gt;&lt;script&gt;">`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, `{{template "session/csrf" .}}`, tt.token); got != tt.want {
				t.Errorf("csrf(%q) = %q; want %q", tt.token, got, tt.want)
			}
		})
	}
}

func TestAddToKeepsAppTemplates(t *testing.T) {
	app := template.Must(template.New("flashes").Parse("app's own"))
	if _, err := templates.AddTo(app); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"flashes", templates.FlashesTemplate, templates.CSRFTemplate} {
		if app.Lookup(name) == nil {
			t.Errorf("Lookup(%q) = nil; want the template", name)
		}
	}
	var buf bytes.Buffer
	if err := app.ExecuteTemplate(&buf, "flashes", nil); err != nil || buf.String() != "app's own" {
		t.Errorf(`ExecuteTemplate("flashes") = %q, %v; want "app's own", nil`, buf.String(), err)
	}
}

func render(t *testing.T, src string, data any) string {
	t.Helper()
	tmpl := template.Must(templates.AddTo(template.Must(template.New("page").Parse(src))))
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}
