package adaptertest

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
)

// issue returns a valid cookie value for mallory's session, issued by a
// Manager on store with opts edited by edit.
func issue(t *testing.T, store core.Store, edit func(*core.Options)) string {
	t.Helper()
	opts := &core.Options{Insecure: true}
	if edit != nil {
		edit(opts)
	}
	h := commitMallory(t, store, opts)
	cookies := (&http.Response{Header: h}).Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Commit set cookies %q; want one", h.Values("Set-Cookie"))
	}
	return cookies[0].Value
}

// commitMallory makes mallory's session with a Manager on store with
// opts, as the Manager's own request would, and returns the headers its
// commit adds to the response.
func commitMallory(t *testing.T, store core.Store, opts *core.Options) http.Header {
	t.Helper()
	m, err := core.NewManager(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	var s core.Session
	ctx := m.Begin(&s, context.Background(), nil)
	sess, err := core.FromContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	must(sess.Set("username", "mallory"))
	must(sess.Set("user_id", 666))
	h := http.Header{}
	if err := m.Commit(ctx, &s, http.StatusOK, h); err != nil {
		t.Fatal(err)
	}
	return h
}

func offsetClock(d time.Duration) func(*core.Options) {
	return func(o *core.Options) { o.Clock = func() time.Time { return newClock().Now().Add(d) } }
}

// testHostile sends cookies a client made up or mangled: each must give a
// fresh anonymous session, never a 5xx, never an error, and never be
// adopted.
func testHostile(t *testing.T, d Driver, store core.Store) {
	e := newEnv(t, d, store, nil)
	valid := issue(t, store, offsetClock(0))
	if r := e.whoami(valid); r.body != "mallory(666)" {
		t.Fatalf("the valid cookie the cases derive from reads as %q", r.body)
	}
	flipped := []byte(valid)
	i := len(flipped) / 2
	if flipped[i] == 'A' {
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}
	cases := []struct{ name, cookie string }{
		{"garbage", "garbage"},
		{"tampered", string(flipped)},
		{"truncated", valid[:len(valid)/2]},
		{"extended", valid + "AAAA"},
		{"oversized", strings.Repeat("A", 9000)},
		{"empty", ""},
		{"non-base64", "!!$$**.." + valid[8:]},
		{"quoted garbage", `"%%%"`},
		{"non-ASCII", valid[:10] + "é" + valid[10:]},
		{"issued in the future", issue(t, store, offsetClock(2*time.Hour))},
		{"expired (idle)", issue(t, store, offsetClock(-core.DefaultIdleTimeout-time.Minute))},
		{"expired (absolute)", issue(t, store, offsetClock(-core.DefaultAbsoluteTimeout-time.Hour))},
		{"forged payload", base64.URLEncoding.EncodeToString([]byte(`{"c":1800000000,"i":1800000000,"d":{"username":"mallory","user_id":666}}`))},
	}
	if isCookieStore(store) {
		foreign, err := cookiestore.New(&cookiestore.Options{Secrets: []string{strings.Repeat("f", 32)}})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases,
			struct{ name, cookie string }{"foreign key", issue(t, foreign, offsetClock(0))},
			struct{ name, cookie string }{"renamed", issue(t, store, func(o *core.Options) { o.CookieName = "other"; o.Clock = newClock().Now })},
		)
	} else {
		cases = append(cases,
			struct{ name, cookie string }{"unknown ID", core.NewID()},
			struct{ name, cookie string }{"another store's ID", foreignStoreID(t)},
		)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := e.client()
			raw := cookieName + "=" + tc.cookie
			want(t, c.do("GET", "/whoami", nil, raw), 200, "anonymous")
			r := c.do("POST", "/set", url.Values{"key": {"k"}, "value": {"v"}}, raw)
			want(t, r, 200, "set")
			if ck := r.setCookie(); ck == nil || ck.Value == tc.cookie || ck.Value == "" {
				t.Fatalf("after writing to a session with a %s cookie: Set-Cookie %v; want a new cookie", tc.name, r.header.Values("Set-Cookie"))
			}
		})
	}
	t.Run("in the URL", func(t *testing.T) {
		want(t, e.client().get("/whoami?"+url.Values{cookieName: {valid}}.Encode()), 200, "anonymous")
	})
	t.Run("duplicated", func(t *testing.T) {
		c := e.client()
		want(t, c.do("GET", "/whoami", nil, cookieName+"="+valid+"; "+cookieName+"="+valid), 200, "anonymous")
	})
	if errs := e.errs.All(); len(errs) > 0 {
		t.Fatalf("hostile cookies reached the ErrorHandler: %v", errs)
	}
}
