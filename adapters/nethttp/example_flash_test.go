package sessionhttp_test

import (
	"cmp"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// A form's handler flashes a message and redirects; the page it redirects
// to shows the message, once. The session is committed before the
// redirect goes out, so its cookie travels with the 303, and html/template
// escapes the message, which holds what the visitor typed.
func Example_flashAfterRedirect() {
	store, err := memstore.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	page := template.Must(template.New("articles").Parse(`{{range .}}<p class="flash">{{.}}</p>{{end}}<h1>Articles</h1>`))
	mux := http.NewServeMux()
	mux.HandleFunc("POST /articles", func(w http.ResponseWriter, r *http.Request) {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
			return
		}
		s.Flash("Saved "+r.PostFormValue("title")+".", "success")
		http.Redirect(w, r, "/articles", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /articles", func(w http.ResponseWriter, r *http.Request) {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, http.StatusText(core.StatusCode(err)), core.StatusCode(err))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, s.PopFlash("success"))
	})
	handler := sessionhttp.Middleware(sessions, nil)(mux)

	// A browser posts the form, follows the redirect with the cookie it
	// was given, and comes back to the page later.
	var cookies []*http.Cookie
	visit := func(method, path string, form url.Values) {
		r := httptest.NewRequest(method, "http://localhost"+path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range cookies {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		if set := w.Result().Cookies(); len(set) > 0 {
			cookies = set
		}
		fmt.Printf("%s %s: %d %s\n", method, path, w.Code, cmp.Or(w.Header().Get("Location"), w.Body.String()))
	}
	visit("POST", "/articles", url.Values{"title": {"<i>Sessions</i>"}})
	visit("GET", "/articles", nil)
	visit("GET", "/articles", nil)
	// Output:
	// POST /articles: 303 /articles
	// GET /articles: 200 <p class="flash">Saved &lt;i&gt;Sessions&lt;/i&gt;.</p><h1>Articles</h1>
	// GET /articles: 200 <h1>Articles</h1>
}
