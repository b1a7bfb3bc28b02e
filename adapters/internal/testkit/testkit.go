// Package testkit holds what the adapters' own tests share with the suite
// in package adaptertest: Managers and stores for a test server, the
// errors a Manager handled, a browser, and a store that is down.
package testkit

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"sync"
	"testing"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/memstore"
)

// NamedStore is a store and the name its tests run under.
type NamedStore struct {
	Name  string
	Store core.Store
}

// Stores returns new stores that need no outside service: a cookie store
// and a memory store.
func Stores(t testing.TB) []NamedStore {
	t.Helper()
	cookies, err := cookiestore.New(&cookiestore.Options{Secrets: []string{"an example secret of at least 32 bytes"}})
	if err != nil {
		t.Fatal(err)
	}
	return []NamedStore{{"cookiestore", cookies}, {"memstore", Memstore(t)}}
}

// Memstore returns a new memory store with the default options.
func Memstore(t testing.TB) *memstore.Store {
	t.Helper()
	s, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// NewManager returns a Manager on store for a test server, which speaks
// plain HTTP (Options.Insecure), and the ErrorLog its ErrorHandler fills.
// edit, if not nil, changes the options first.
func NewManager(t testing.TB, store core.Store, edit func(*core.Options)) (*core.Manager, *ErrorLog) {
	t.Helper()
	log := new(ErrorLog)
	opts := &core.Options{Insecure: true, ErrorHandler: log.Handle}
	if edit != nil {
		edit(opts)
	}
	m, err := core.NewManager(store, opts)
	if err != nil {
		t.Fatalf("NewManager: %v", err)
	}
	return m, log
}

// ErrorLog records what reaches a Manager's ErrorHandler: use its Handle
// method as core.Options.ErrorHandler. It is safe for concurrent use.
type ErrorLog struct {
	mu   sync.Mutex
	errs []error
}

// Handle records err and returns it, as the default ErrorHandler does.
func (l *ErrorLog) Handle(_ context.Context, err error) error {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
	return err
}

// All returns the errors recorded so far.
func (l *ErrorLog) All() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// Browser returns an HTTP client with a cookie jar that follows redirects.
func Browser(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// Do sends a request without a body and returns the response with its body
// read. Unlike Fetch it may be called from any goroutine.
func Do(c *http.Client, method, url string) (*http.Response, string, error) {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return nil, "", err
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, string(body), err
}

// Fetch is Do that fails the test on an error.
func Fetch(t testing.TB, c *http.Client, method, url string) (*http.Response, string) {
	t.Helper()
	res, body, err := Do(c, method, url)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}
