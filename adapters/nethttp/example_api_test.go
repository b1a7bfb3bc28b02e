package sessionhttp_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// apiSession returns the request's session, or answers 503 (the store is
// down) or 500 (no session middleware on this route).
func apiSession(w http.ResponseWriter, r *http.Request) (*core.Session, bool) {
	s, err := sessionhttp.Session(r)
	if err != nil {
		writeJSON(w, core.StatusCode(err), map[string]string{"error": http.StatusText(core.StatusCode(err))})
		return nil, false
	}
	return s, true
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// apiLogin checks JSON credentials; the response carries the session's new
// token in its Authorization header, as "Bearer <token>".
func apiLogin(w http.ResponseWriter, r *http.Request) {
	s, ok := apiSession(w, r)
	if !ok {
		return
	}
	var creds struct{ User, Password string }
	if json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&creds) != nil || creds.Password != "wonderland" {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid credentials"})
		return
	}
	// A new owner renews the session: a token issued before is worthless.
	if err := s.SetOwner(creds.User, core.Device{UserAgent: r.UserAgent()}); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"user": creds.User})
}

// apiMe answers with the user's data, or 401 without a valid token.
func apiMe(w http.ResponseWriter, r *http.Request) {
	s, ok := apiSession(w, r)
	if !ok {
		return
	}
	if s.Owner() == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="example"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "log in first"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"user": s.Owner()})
}

// apiLogout ends the session; the response's Authorization header is
// empty, which tells the client to forget its token.
func apiLogout(w http.ResponseWriter, r *http.Request) {
	if s, ok := apiSession(w, r); ok {
		s.Invalidate()
		writeJSON(w, http.StatusOK, map[string]bool{"logged_out": true})
	}
}

// apiClient is the client's side: a plain http.Client, no cookie jar, and
// the token of the last response that carried one.
type apiClient struct {
	base, token string
}

func (c *apiClient) call(method, path, body string) {
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	if v, ok := res.Header["Authorization"]; ok { // a new token, or "" to forget it
		c.token = strings.TrimPrefix(v[0], "Bearer ")
	}
	out, _ := io.ReadAll(res.Body)
	fmt.Printf("%s %s: %d %s", method, path, res.StatusCode, out)
}

func Example_apiClient() {
	store, err := memstore.New(nil) // or redisstore, pgstore: header tokens need a server-side store
	if err != nil {
		log.Fatal(err)
	}
	sessions, err := core.NewManager(store, &core.Options{TokenHeader: "Authorization"})
	if err != nil {
		log.Fatal(err)
	}
	// A JSON API whose session token travels in the Authorization header,
	// for a client that keeps no cookies, such as a mobile app.
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", apiLogin)
	mux.HandleFunc("GET /me", apiMe)
	mux.HandleFunc("POST /logout", apiLogout)
	srv := httptest.NewServer(sessionhttp.Middleware(sessions, nil)(mux))
	defer srv.Close()

	c := &apiClient{base: srv.URL}
	c.call("GET", "/me", "")
	c.call("POST", "/login", `{"user": "alice", "password": "wonderland"}`)
	fmt.Println("token kept:", core.ValidID(c.token))
	c.call("GET", "/me", "")
	stolen := c.token
	c.call("POST", "/logout", "")
	fmt.Println("token kept:", c.token != "")
	c.token = stolen // a copy taken before the logout is worthless
	c.call("GET", "/me", "")
	// Output:
	// GET /me: 401 {"error":"log in first"}
	// POST /login: 200 {"user":"alice"}
	// token kept: true
	// GET /me: 200 {"user":"alice"}
	// POST /logout: 200 {"logged_out":true}
	// token kept: false
	// GET /me: 401 {"error":"log in first"}
}
