package templates_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/templates"
)

// A page pops its flash messages with Flashes and renders them with the
// "session/flashes" partial; html/template escapes them.
func ExampleFlashes() {
	page := template.Must(template.New("page").Parse(
		`<h1>Articles</h1>{{template "session/flashes" .}}`))
	page = template.Must(templates.AddTo(page))

	store, err := memstore.New(nil)
	if err != nil {
		panic(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		panic(err)
	}
	articles := func(w http.ResponseWriter, r *http.Request) {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, "session store unavailable", core.StatusCode(err))
			return
		}
		// Usually set by the request before the redirect.
		s.Flash("Article saved successfully!", "success")
		s.Flash("<b>Bold</b> claims are escaped.", "")

		if err := page.Execute(w, templates.Flashes(s)); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}

	w := httptest.NewRecorder()
	sessionhttp.Middleware(m, nil)(http.HandlerFunc(articles)).ServeHTTP(w, httptest.NewRequest("GET", "/articles", nil))
	w.Body.WriteTo(os.Stdout)
	// Output:
	// <h1>Articles</h1><div class="flashes">
	// <p class="flash flash-success" role="alert">Article saved successfully!</p>
	// <p class="flash flash-default" role="alert">&lt;b&gt;Bold&lt;/b&gt; claims are escaped.</p>
	// </div>
}

// Every form carries the session's CSRF token in the "session/csrf"
// partial, and the handler that receives the form checks it.
func ExampleAddTo() {
	form := template.Must(template.New("form").Parse(
		`<form method="post" action="/logout">{{template "session/csrf" .}}<button>Log out</button></form>`))
	form = template.Must(templates.AddTo(form))

	// The token would come from s.CSRFToken().
	if err := form.Execute(os.Stdout, "Zm9vYmFy"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// <form method="post" action="/logout"><input type="hidden" name="csrf_token" value="Zm9vYmFy"><button>Log out</button></form>
}
