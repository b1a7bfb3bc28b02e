package drivers_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// hostile is what the browser types into every text field: a program that
// writes it into a page unescaped would run it.
const hostile = `<script>alert("transient")</script>`

var (
	formRE  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRE = regexp.MustCompile(`(?i)<input\b[^>]*>`)
	attrRE  = regexp.MustCompile(`(?i)\b(\w+)="([^"]*)"`)
)

// browse uses a program's first page the way a person with a browser
// would: it opens start, fills the first form that posts (its text fields
// with hostile, its hidden fields as the page set them), submits it,
// follows the redirect with the cookies it was given, and comes back to
// that page. Every page must be HTML served as text/html; the page after
// the redirect shows a flash message (an element of class "flash") holding
// hostile, escaped, and the page shows no flash message the second time.
func browse(t *testing.T, base, start string) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, base: base, http: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}

	first := b.page("GET", start, nil)
	action, form := firstForm(t, start, first)
	res, _ := b.do("POST", action, form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") == "" {
		t.Fatalf("POST %s = %d, Location %q; want 303 See Other and a page to show", action, res.StatusCode, res.Header.Get("Location"))
	}
	next := res.Header.Get("Location")
	shown := b.page("GET", next, nil)
	escaped := html.EscapeString(hostile)
	switch {
	case strings.Contains(shown, hostile):
		t.Fatalf("GET %s after the redirect writes what the visitor typed unescaped, %s:\n%s", next, hostile, shown)
	case !strings.Contains(shown, `class="flash`) || !strings.Contains(strings.ReplaceAll(shown, "&#34;", "&quot;"), strings.ReplaceAll(escaped, "&#34;", "&quot;")):
		t.Fatalf("GET %s after the redirect shows no flash message holding %s escaped:\n%s", next, hostile, shown)
	}
	if again := b.page("GET", next, nil); strings.Contains(again, `class="flash`) {
		t.Fatalf("GET %s a second time shows the flash message again:\n%s", next, again)
	}
}

type browser struct {
	t    *testing.T
	base string
	http *http.Client
}

// do sends a request for path, with form as its urlencoded body if not
// nil, and returns the response and its body.
func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return res, string(got)
}

// page fetches an HTML page: 200, served as text/html.
func (b *browser) page(method, path string, form url.Values) string {
	b.t.Helper()
	res, body := b.do(method, path, form)
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/html") {
		b.t.Fatalf("%s %s = %d, Content-Type %q; want 200 and text/html:\n%s", method, path, res.StatusCode, ct, body)
	}
	return body
}

// firstForm finds the first form of page that posts, and returns where it
// posts (a path) and what a person who types hostile into each text field
// sends.
func firstForm(t *testing.T, pagePath, page string) (string, url.Values) {
	t.Helper()
	for _, f := range formRE.FindAllStringSubmatch(page, -1) {
		attrs := attributes(f[1])
		if !strings.EqualFold(attrs["method"], "post") {
			continue
		}
		action := pagePath
		if a := attrs["action"]; a != "" {
			action = a
		}
		form := url.Values{}
		for _, in := range inputRE.FindAllString(f[2], -1) {
			a := attributes(in)
			switch strings.ToLower(a["type"]) {
			case "", "text", "search":
				form.Set(a["name"], hostile)
			case "hidden":
				form.Set(a["name"], a["value"])
			}
		}
		return action, form
	}
	t.Fatalf("GET %s has no form that posts:\n%s", pagePath, page)
	return "", nil
}

// attributes returns the attributes of an HTML tag, unescaped.
func attributes(tag string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
		out[strings.ToLower(m[1])] = html.UnescapeString(m[2])
	}
	return out
}
