package bench_test

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"
	"github.com/valyala/fasthttp"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/memstore"
	"github.com/transient-go/transient/core/pgstore/pgtest"
	"github.com/transient-go/transient/core/redisstore"
	"github.com/transient-go/transient/core/redisstore/redistest"
)

// The session every row keeps, and the flash a read-write request adds.
const (
	userID   = 42
	userName = "alice"
	flashMsg = "Article saved successfully!"
)

// secret is what every cookie session is signed with: ours derives its
// keys from it, the peers and the floor use it as their hash key.
const secret = "an example secret of 32 bytes!!!"

// blockKey is the AES-256 key of the encrypting rows.
var blockKey = []byte("an AES-256 key, of 32 bytes, ok!")

// A shape is one of the three requests every row serves.
type shape struct{ name, method, path string }

var (
	untouched = shape{"untouched", "GET", "/untouched"}
	readOnly  = shape{"read-only", "GET", "/read"}
	readWrite = shape{"read-write", "POST", "/write"}
	shapes    = []shape{untouched, readOnly, readWrite}
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.ReleaseMode) // no route listing on every gin.New
	redis.SetLogger(quiet{})
	os.Exit(pgtest.Run(m)) // one PostgreSQL server for every PostgreSQL row
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// plain answers "ok" as Gin's and Echo's c.String do: with a Content-Type
// and an explicit status, so that nothing is sniffed.
var plain = []string{"text/plain; charset=utf-8"}

func ok(w http.ResponseWriter) {
	w.Header()["Content-Type"] = plain
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("ok"))
}

func fail(w http.ResponseWriter, msg string) {
	http.Error(w, msg, http.StatusInternalServerError)
}

// jar is the client's cookies, by name.
type jar map[string]string

// add takes the cookies of the Set-Cookie lines.
func (j jar) add(lines []string) {
	for _, line := range lines {
		if c, err := http.ParseSetCookie(line); err == nil {
			j[c.Name] = c.Value
		}
	}
}

// header returns the Cookie header that sends every cookie of j.
func (j jar) header() string {
	parts := make([]string, 0, len(j))
	for name, value := range j {
		parts = append(parts, name+"="+value)
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// serve sends one request to h with j's cookies, fails b unless it
// answers 200, and keeps the cookies it sets.
func (j jar) serve(b *testing.B, h http.Handler, method, path string) {
	b.Helper()
	req := httptest.NewRequest(method, path, nil)
	if len(j) > 0 {
		req.Header.Set("Cookie", j.header())
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("%s %s = %d %q", method, path, rec.Code, rec.Body)
	}
	j.add(rec.Result().Header["Set-Cookie"])
}

// counter counts round trips to a store's server, or is nil for a row
// without one.
type counter interface{ trips() int64 }

// wire is a counter that also counts the bytes sent to and received from
// the server.
type wire interface{ wireBytes() int64 }

// A row is one implementation on one framework: h for net/http, Gin and
// Echo, fh for Fiber.
type row struct {
	name string
	h    http.Handler
	fh   fasthttp.RequestHandler
	bare bool    // no session: only GET /untouched, and no POST /login
	rt   counter // round trips to the server, for a row on Redis or PostgreSQL
	srv  meter   // what the server used, for a row on Redis or PostgreSQL (net/http only)

	// shapes are the shapes measured; nil means all three.
	shapes []shape
}

// bareCookie is what the rows without sessions receive: a session cookie
// and another, as a logged-in visitor sends.
const bareCookie = "session=MTcwMDAwMDAwMHxleUpqSWpveGZRPT18AAAAAAAAAAAAAAAAAAAAAAAA; theme=dark"

// run measures each shape of each row as a sub-benchmark row/shape.
func run(b *testing.B, rows []row) {
	for _, r := range rows {
		measured := r.shapes
		switch {
		case r.bare:
			measured = []shape{untouched}
		case measured == nil:
			measured = shapes
		}
		for _, sh := range measured {
			b.Run(r.name+"/"+sh.name, func(b *testing.B) {
				if r.fh != nil {
					runFiber(b, r, sh)
				} else {
					runHTTP(b, r, sh)
				}
			})
		}
	}
}

// cookies returns the Cookie header of r's requests of shape sh: that of
// a logged-in visitor, got from POST /login, and for a read-write request
// that of its steady state, after a warm-up write left one flash message.
func (r row) cookies(b *testing.B, sh shape, serve func(j jar, method, path string)) string {
	if r.bare {
		return bareCookie
	}
	// transient's Managers run a minute behind meanwhile (behind), so that
	// each measured read-write request issues its session anew and sends
	// its cookie, as a request that comes seconds after the last does and
	// the floors always do, rather than find, within the second of the
	// warm-up, the cookie it would send already there.
	behind.Store(true)
	defer behind.Store(false)
	j := jar{}
	serve(j, "POST", "/login")
	if sh == readWrite {
		serve(j, sh.method, sh.path)
	}
	return j.header()
}

// behind is true while row.cookies makes a row's cookies.
var behind atomic.Bool

// benchClock is the clock of transient's Managers: the time, or a minute
// before it while behind.
func benchClock() time.Time {
	if behind.Load() {
		return time.Now().Add(-time.Minute)
	}
	return time.Now()
}

// runHTTP measures sh on r.h (net/http, Gin or Echo).
func runHTTP(b *testing.B, row row, sh shape) {
	h := row.h
	cookie := row.cookies(b, sh, func(j jar, method, path string) { j.serve(b, h, method, path) })
	req := httptest.NewRequest(sh.method, sh.path, nil)
	req.Header.Set("Cookie", cookie)
	measure(b, row, func() {
		r := new(http.Request)
		*r = *req // a fresh request, as a server gives each
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s %s = %d %q", sh.method, sh.path, rec.Code, rec.Body)
		}
	})
}

// measure runs serve in b's loop, reporting allocations and, for a row on
// a server, round trips, bytes on the wire and what the server used per
// request.
func measure(b *testing.B, r row, serve func()) {
	var start, startBytes, startWAL int64
	var startCPU time.Duration
	if r.rt != nil {
		start = r.rt.trips()
	}
	if w, ok := r.rt.(wire); ok {
		startBytes = w.wireBytes()
	}
	if r.srv != nil {
		startCPU, startWAL = r.srv.used(b)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		serve()
		n++
	}
	if r.rt != nil {
		b.ReportMetric(float64(r.rt.trips()-start)/float64(n), "roundtrips/op")
	}
	if w, ok := r.rt.(wire); ok {
		b.ReportMetric(float64(w.wireBytes()-startBytes)/float64(n), "wire-B/op")
	}
	if r.srv != nil {
		cpu, wal := r.srv.used(b)
		b.ReportMetric(float64(cpu-startCPU)/float64(time.Microsecond)/float64(n), "server-us/op")
		if wal >= 0 {
			b.ReportMetric(float64(wal-startWAL)/float64(n), "wal-B/op")
		}
	}
}

// fiberCtx is a request read from the wire into a reused RequestCtx, as
// fasthttp's server does for each request of a connection.
type fiberCtx struct {
	ctx fasthttp.RequestCtx
	raw []byte
	rd  bytes.Reader
	br  *bufio.Reader
}

func newFiberCtx(method, path, cookie string) *fiberCtx {
	raw := method + " " + path + " HTTP/1.1\r\nHost: example.com\r\n"
	if cookie != "" {
		raw += "Cookie: " + cookie + "\r\n"
	}
	f := &fiberCtx{raw: []byte(raw + "\r\n")}
	f.br = bufio.NewReader(&f.rd)
	return f
}

// serve runs one request through h and returns the status.
func (f *fiberCtx) serve(b *testing.B, h fasthttp.RequestHandler) int {
	f.ctx.Request.Reset()
	f.ctx.Response.Reset()
	f.ctx.ResetUserValues()
	f.rd.Reset(f.raw)
	f.br.Reset(&f.rd)
	if err := f.ctx.Request.Read(f.br); err != nil {
		b.Fatal(err)
	}
	h(&f.ctx)
	return f.ctx.Response.StatusCode()
}

// serveFiber sends one request to h with j's cookies, fails b unless it
// answers 200, and keeps the cookies it sets.
func (j jar) serveFiber(b *testing.B, h fasthttp.RequestHandler, method, path string) {
	b.Helper()
	var cookie string
	if len(j) > 0 {
		cookie = j.header()
	}
	f := newFiberCtx(method, path, cookie)
	if code := f.serve(b, h); code != http.StatusOK {
		b.Fatalf("%s %s = %d %q", method, path, code, f.ctx.Response.Body())
	}
	var lines []string
	f.ctx.Response.Header.VisitAllCookie(func(_, v []byte) { lines = append(lines, string(v)) })
	j.add(lines)
}

// runFiber is runHTTP for a Fiber app's handler.
func runFiber(b *testing.B, row row, sh shape) {
	h := row.fh
	cookie := row.cookies(b, sh, func(j jar, method, path string) { j.serveFiber(b, h, method, path) })
	f := newFiberCtx(sh.method, sh.path, cookie)
	measure(b, row, func() {
		if code := f.serve(b, h); code != http.StatusOK {
			b.Fatalf("%s %s = %d %q", sh.method, sh.path, code, f.ctx.Response.Body())
		}
	})
}

// fiberOK answers as the adapters' Fiber benchmark does.
func fiberOK(c *fiber.Ctx) error { return c.SendString("ok") }

// ctxKey is the key of the withcontext rows.
type ctxKey struct{}

// newManager returns a Manager over store with the default options, failing
// b on error.
func newManager(b *testing.B, store core.Store) *core.Manager {
	b.Helper()
	// Default options, but for the warning about Secure cookies over plain
	// HTTP, which every benchmark's recorded request would give once.
	m, err := core.NewManager(store, &core.Options{Logger: slog.New(slog.DiscardHandler), Clock: benchClock})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// ourStores are transient's cookie and memory stores, by row name.
func ourStores(b *testing.B) []namedStore {
	cs, err := cookiestore.New(&cookiestore.Options{Secrets: []string{secret}})
	if err != nil {
		b.Fatal(err)
	}
	ms, err := memstore.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	return []namedStore{
		{"transient-cookie", cs},
		{"transient-memory", ms},
	}
}

type namedStore struct {
	name  string
	store core.Store
}

// ourRedis returns our Redis store on srv, with its round-trip counter.
func ourRedis(b *testing.B, srv *redistest.Server) (core.Store, counter) {
	store, rt, _ := ourRedisClient(b, srv)
	return store, rt
}

// ourRedisClient is ourRedis, with the client the store uses.
func ourRedisClient(b *testing.B, srv *redistest.Server) (core.Store, counter, *redis.Client) {
	rt := &goRedisWire{}
	client := srv.Client(b)
	client.AddHook(rt)
	store, err := redisstore.New(client, nil)
	if err != nil {
		b.Fatal(err)
	}
	warm(b, client)
	return store, rt, client
}

// warm opens a few connections of client's pool, so that no dial is
// measured.
func warm(b *testing.B, client redis.UniversalClient) {
	for range 4 {
		if err := client.Ping(context.Background()).Err(); err != nil {
			b.Fatal(err)
		}
	}
}

// goRedisTrips is a go-redis hook that counts round trips: one per
// command and one per pipeline.
type goRedisTrips struct {
	n atomic.Int64
}

func (c *goRedisTrips) trips() int64 { return c.n.Load() }

// goRedisWire is a goRedisTrips for a client whose connections also count
// the bytes on the wire, both ways, in bytes: a client the benchmark made.
type goRedisWire struct {
	goRedisTrips
	bytes atomic.Int64
}

func (c *goRedisWire) wireBytes() int64 { return c.bytes.Load() }

func (c *goRedisWire) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countingNetConn{Conn: conn, n: &c.bytes}, nil
	}
}

func (c *goRedisTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *goRedisTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *goRedisTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// countingNetConn counts what goes through a connection, both ways.
type countingNetConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingNetConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingNetConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}
