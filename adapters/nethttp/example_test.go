package sessionhttp_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
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

	mux := http.NewServeMux()
	mux.HandleFunc("POST /articles", func(w http.ResponseWriter, r *http.Request) {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, "session unavailable", core.StatusCode(err))
			return
		}
		s.Flash("Article saved successfully!", "success")
		http.Redirect(w, r, "/articles", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /articles", func(w http.ResponseWriter, r *http.Request) {
		s, err := sessionhttp.Session(r)
		if err != nil {
			http.Error(w, "session unavailable", core.StatusCode(err))
			return
		}
		for _, msg := range s.PopFlash("success") {
			fmt.Fprintln(w, msg)
		}
	})
	handler := sessionhttp.Middleware(sessions, nil)(mux)

	// A browser: an HTTPS test server and a client with a cookie jar.
	srv := httptest.NewTLSServer(handler)
	defer srv.Close()
	browser := srv.Client()
	browser.Jar, _ = cookiejar.New(nil)

	fmt.Printf("%q\n", body(browser.Post(srv.URL+"/articles", "", nil))) // follows the redirect
	fmt.Printf("%q\n", body(browser.Get(srv.URL+"/articles")))           // shown once
	// Output:
	// "Article saved successfully!\n"
	// ""
}

func body(resp *http.Response, err error) string {
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
