package main

import (
	"html"
	"net/http"
	"net/url"
	"testing"
)

// TestLoginNext checks, over real HTTP on every framework, that a visitor
// sent to the login page by a page that needs a login goes back to that
// page once logged in, and that no other next value can send them away
// from the site.
func TestLoginNext(t *testing.T) {
	for _, framework := range frameworks {
		t.Run(framework, func(t *testing.T) {
			t.Parallel()
			base := startBlog(t, framework, "cookie", "")
			carol := func(next, token string) url.Values {
				return url.Values{"username": {"carol"}, "password": {carolPassword}, "next": {next}, "csrf_token": {token}}
			}

			// The page asked for, with its query, goes through the login
			// form and back.
			for _, page := range []string{"/articles/new", "/dashboard?tab=mine"} {
				c := newClient(t, base)
				r := c.get(page)
				wantRedirect(t, r, "/login?next="+url.QueryEscape(page))
				form := c.get(r.location)
				wantPage(t, form, http.StatusOK, `<input type="hidden" name="next" value="`+html.EscapeString(page)+`">`)
				token := csrfField.FindStringSubmatch(form.body)[1]
				wrong := carol(page, token)
				wrong.Set("password", "not carol's")
				wantPage(t, c.post("/login", wrong), http.StatusOK, "Invalid credentials",
					`<input type="hidden" name="next" value="`+html.EscapeString(page)+`">`)
				wantRedirect(t, c.post("/login", carol(page, token)), page)
				wantPage(t, c.get(page), http.StatusOK, "Welcome back, carol!")
			}

			// A form posted by a visitor who is not logged in is lost: it
			// leads to the login page without a next, and the login to the
			// dashboard.
			c := newClient(t, base)
			token := c.csrfToken("/login")
			wantRedirect(t, c.post("/articles", url.Values{"title": {"Lost"}, "csrf_token": {token}}), "/login")
			wantRedirect(t, c.post("/login", carol("", token)), "/dashboard")

			// Anything but a path of this site leads to the dashboard,
			// and the login form does not carry it.
			for _, next := range []string{
				"//evil.example",
				"https://evil.example",
				`/\evil.example`,
				"javascript:alert(document.cookie)",
				"%2F%2Fevil.example",
				"/\t/evil.example",
				"/ /evil.example",
				"/\r\nLocation: https://evil.example",
				"/café",
				"evil.example",
			} {
				c := newClient(t, base)
				form := c.get("/login?next=" + url.QueryEscape(next))
				wantPage(t, form, http.StatusOK, `name="password"`)
				wantNot(t, form, `name="next"`)
				token := csrfField.FindStringSubmatch(form.body)[1]
				r := c.post("/login", carol(next, token))
				if r.code != http.StatusSeeOther || r.location != "/dashboard" {
					t.Errorf("POST /login with next %q = %d to %q; want 303 to /dashboard", next, r.code, r.location)
				}
			}

			// Percent-encoded slashes in a path are part of the path: the
			// browser stays on this site.
			c = newClient(t, base)
			wantRedirect(t, c.post("/login", carol("/%2F%2Fevil.example", c.csrfToken("/login"))), "/%2F%2Fevil.example")
		})
	}
}

func TestNextPage(t *testing.T) {
	tests := []struct {
		next, want string
	}{
		{"/dashboard", "/dashboard"},
		{"/articles/new", "/articles/new"},
		{"/dashboard?tab=mine&x=%2F", "/dashboard?tab=mine&x=%2F"},
		{"/", "/"},
		{"/%2F%2Fevil.example", "/%2F%2Fevil.example"}, // a path on this site
		{"", ""},
		{"//evil.example", ""},
		{"///evil.example", ""},
		{`/\evil.example`, ""},
		{`/a\b`, ""},
		{"https://evil.example", ""},
		{"javascript:alert(1)", ""},
		{"%2F%2Fevil.example", ""},
		{"evil.example/dashboard", ""},
		{"/\t/evil.example", ""},
		{"/ /evil.example", ""},
		{"/\r\nSet-Cookie: x=y", ""},
		{"/\x00", ""},
		{"/\x7f", ""},
		{"/café", ""},
	}
	for _, tt := range tests {
		if got := nextPage(tt.next); got != tt.want {
			t.Errorf("nextPage(%q) = %q; want %q", tt.next, got, tt.want)
		}
	}
}
