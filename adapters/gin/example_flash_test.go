package sessiongin_test

import (
	"cmp"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	sessiongin "github.com/transient-go/transient/adapters/gin"
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
	gin.SetMode(gin.ReleaseMode) // no route listing on stdout
	r := gin.New()
	r.SetHTMLTemplate(template.Must(template.New("articles").Parse(`{{range .}}<p class="flash">{{.}}</p>{{end}}<h1>Articles</h1>`)))
	r.Use(sessiongin.Middleware(sessions, nil))
	r.POST("/articles", func(c *gin.Context) {
		s, err := sessiongin.Session(c)
		if err != nil {
			return // Session has answered
		}
		s.Flash("Saved "+c.PostForm("title")+".", "success")
		c.Redirect(http.StatusSeeOther, "/articles")
	})
	r.GET("/articles", func(c *gin.Context) {
		s, err := sessiongin.Session(c)
		if err != nil {
			return
		}
		c.HTML(http.StatusOK, "articles", s.PopFlash("success"))
	})

	// A browser posts the form, follows the redirect with the cookie it
	// was given, and comes back to the page later.
	var cookies []*http.Cookie
	visit := func(method, path string, form url.Values) {
		req := httptest.NewRequest(method, "http://localhost"+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range cookies {
			req.AddCookie(c)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
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
