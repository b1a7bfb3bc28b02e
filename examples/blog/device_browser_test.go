package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/memstore"
)

// TestBrowserDeviceBinding logs in with headless Chromium, over HTTPS on
// loopback, with the flags that give DBSC software keys on Linux, on every
// framework: Chromium registers the session, and a refresh brings it a new
// bound cookie. A copy of its cookies in a plain HTTP client keeps the
// login only until the bound cookie expires; Chromium, which holds the
// key, stays logged in.
func TestBrowserDeviceBinding(t *testing.T) {
	if testing.Short() {
		t.Skip("headless Chromium on every framework: not in -short")
	}
	cert, spki := testCertificate(t)
	logs := screenshotDir(t)
	browser := newBrowser(t,
		// DBSC, with keys in software: Linux has no TPM for Chromium to
		// use (the flag's own name says it is for testing only), and no
		// quota on refreshes.
		chromedp.Flag("enable-features", "DeviceBoundSessions,EnableBoundSessionCredentialsSoftwareKeysForManualTesting"),
		chromedp.Flag("disable-features", "DeviceBoundSessionsRefreshQuota"),
		// The test's certificate, accepted as if a CA had signed it.
		chromedp.Flag("ignore-certificate-errors-spki-list", spki),
		// What Chromium sent and received, for a failure: DBSC's
		// requests are not in DevTools.
		chromedp.Flag("log-net-log", filepath.Join(logs, "netlog.json")),
		chromedp.Flag("net-log-capture-mode", "IncludeSensitive"),
	)
	for _, framework := range frameworks {
		t.Run(framework, func(t *testing.T) {
			clock := &testClock{now: time.Now()}
			store := &bindingStore{Store: mustMemstore(t), bound: make(chan struct{}, 1)}
			cfg := testConfig(framework, "memory")
			cfg.users, cfg.secure, cfg.clock = testUsers(t), true, clock.Now
			base := serveBlogTLS(t, cfg, store, cert)
			v := newVisitor(t, browser, base)
			v.login("alice", "wonderland", false)
			select {
			case <-store.bound:
			case <-time.After(30 * time.Second):
				t.Fatalf("Chromium did not register a key for the session within 30 seconds (net-log: %s)", logs)
			}
			first := v.cookies()
			if c := first["__Host-session-bound"]; c == nil || !c.Secure || !c.HTTPOnly {
				t.Fatalf("Chromium's cookies after registration: %v; want a Secure, HttpOnly __Host-session-bound", names(first))
			}
			v.do(chromedp.Navigate(base+"/sessions"), chromedp.WaitVisible(chromedp.CSS(".devices")))
			v.wantText("Bound to its device", 1)
			v.screenshot("sessions-bound.png")

			// The cookies, stolen.
			thief := plainClient(t, base, cert, first)
			if status, _ := thief.get(base + "/dashboard"); status != http.StatusOK {
				t.Fatalf("the copied cookies before the bound cookie expires: %d; want 200 (the window DBSC leaves)", status)
			}
			clock.Advance(core.DefaultBoundLifetime + 11*time.Second)
			if status, location := thief.get(base + "/dashboard"); status != http.StatusSeeOther || location != "/login?next=%2Fdashboard" {
				t.Fatalf("the copied cookies after the bound cookie expired: %d to %q; want 303 to the login page", status, location)
			}
			// Chromium's bound cookie expired too, by the server's clock:
			// remove it as its own expiry would, and the next page waits
			// for a refresh, which signs a challenge with the key.
			v.deleteCookie("__Host-session-bound")
			v.do(chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS("h1")))
			v.wantAt("/dashboard")
			v.wantText("Hello, alice.", 1)
			second := v.cookies()["__Host-session-bound"]
			if second == nil || second.Value == first["__Host-session-bound"].Value {
				t.Fatalf("Chromium's bound cookie after the refresh: %v; want a new one", second)
			}
			if status, _ := thief.get(base + "/dashboard"); status != http.StatusSeeOther {
				t.Fatalf("the copied cookies after Chromium refreshed: %d; want 303 to the login page", status)
			}
		})
	}
}

// testClock is the sessions' clock of a test, which it moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// bindingStore is a memstore that signals bound when it writes a session
// whose browser registered a key (the payload's binding holds a "j"): the
// registration, which Chromium makes on its own after the login.
type bindingStore struct {
	*memstore.Store
	bound chan struct{}
}

func (s *bindingStore) Update(ctx context.Context, token string, old []byte, r core.Record) (string, error) {
	tok, err := s.Store.Update(ctx, token, old, r)
	if err == nil && bytes.Contains(r.Payload, []byte(`"b":{"j":`)) && !bytes.Contains(old, []byte(`"b":{"j":`)) {
		select {
		case s.bound <- struct{}{}:
		default:
		}
	}
	return tok, err
}

func mustMemstore(t *testing.T) *memstore.Store {
	t.Helper()
	s, err := memstore.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testCertificate returns a self-signed certificate for 127.0.0.1 and the
// base64 SHA-256 of its public key, which Chromium's
// --ignore-certificate-errors-spki-list takes.
func testCertificate(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "transient test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(leaf.RawSubjectPublicKeyInfo)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, base64.StdEncoding.EncodeToString(sum[:])
}

// serveBlogTLS serves the blog for cfg over HTTPS with cert, and returns
// its base URL. The server is stopped by t.Cleanup.
func serveBlogTLS(t *testing.T, cfg config, st core.Store, cert tls.Certificate) string {
	t.Helper()
	srv, err := newServer(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}})) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-served
	})
	return "https://" + ln.Addr().String()
}

// cookies returns the cookies the tab's browser holds for its blog, by
// name, HttpOnly ones included.
func (v visitor) cookies() map[string]*network.Cookie {
	v.t.Helper()
	list := result(v, func(ctx context.Context, t *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{v.base + "/"}})
		return res.Cookies, err
	})
	out := map[string]*network.Cookie{}
	for _, c := range list {
		out[c.Name] = c
	}
	return out
}

// deleteCookie removes a cookie of the blog from the tab's browser.
func (v visitor) deleteCookie(name string) {
	v.t.Helper()
	v.do(func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, network.DeleteCookies, network.DeleteCookiesParams{Name: name, URL: v.base + "/"})
		return chromedp.Void{}, err
	})
}

func names(cookies map[string]*network.Cookie) []string {
	var out []string
	for name := range cookies {
		out = append(out, name)
	}
	return out
}

// thief is a plain HTTP client with a copy of a browser's cookies.
type thief struct{ http *http.Client }

// plainClient returns a client that trusts cert and holds cookies.
func plainClient(t *testing.T, base string, cert tls.Certificate, cookies map[string]*network.Cookie) thief {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(base)
	for _, c := range cookies {
		jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: c.Value, Path: c.Path, Secure: c.Secure, HttpOnly: c.HTTPOnly}})
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	return thief{&http.Client{
		Jar:           jar,
		Timeout:       20 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// get returns the status of a GET of u, and its Location.
func (th thief) get(u string) (int, string) {
	res, err := th.http.Get(u)
	if err != nil {
		return 0, err.Error()
	}
	res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}
