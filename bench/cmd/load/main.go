// Command load is the load generator of bench/run load: it sends a fixed
// number of requests for one page of the example blog from concurrent
// clients and reports requests per second and latency percentiles.
//
//	load -url http://127.0.0.1:40123 -path /articles -clients 16 -requests 20000 \
//		-login alice:wonderland,bob:builder -label cookie -out load.jsonl
//
// Each client is a visitor of its own, with its own cookie jar and
// connection. The jar is a minimal one (name → value, for the blog's one
// host), so that the generator, which shares the CPUs with the blog, spends
// little on cookies: net/http/cookiejar would cost every request a few
// microseconds of the blog's CPU time. With -login, each logs in first (the accounts are taken in
// turn), so every client has a session of its own; without it, clients are
// anonymous. Every client then sends -warmup requests, unmeasured (the
// first pops the login's flash message, which rewrites the session), and
// all of them start the measured requests together; each measures the
// latency of every request (until its body is read). The line appended to
// -out is JSON (see result); the summary goes to standard output.
//
// With -cpu, load also reports the CPU time that processes used per
// measured request, read from /proc before and after: the blog's, to size
// app servers, and the session store's.
//
// Only loopback addresses are accepted, the run stops after -timeout, and
// load exits non-zero if any request fails.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// result is what one run measured, as written to -out.
type result struct {
	Label    string  `json:"label"`
	Path     string  `json:"path"`
	Clients  int     `json:"clients"`
	Requests int     `json:"requests"`
	Failed   int     `json:"failed"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50_ms"`
	P90ms    float64 `json:"p90_ms"`
	P99ms    float64 `json:"p99_ms"`
	Maxms    float64 `json:"max_ms"`

	// CPUus is the CPU time each process of -cpu used per measured
	// request, in microseconds, by name.
	CPUus map[string]float64 `json:"cpu_us_per_request,omitempty"`
}

type config struct {
	base     *url.URL
	path     string
	clients  int
	requests int
	warmup   int
	accounts [][2]string
	label    string
	out      string
	timeout  time.Duration
	want     string // text every measured page must contain
	cpu      []process
}

func main() {
	var cfg config
	var rawURL, login, cpu string
	flag.StringVar(&rawURL, "url", "", "base `URL` of the blog, on a loopback address")
	flag.StringVar(&cfg.path, "path", "/articles", "`path` of the page to request")
	flag.IntVar(&cfg.clients, "clients", 16, "concurrent clients")
	flag.IntVar(&cfg.requests, "requests", 20000, "measured requests, shared by the clients")
	flag.IntVar(&cfg.warmup, "warmup", 50, "unmeasured requests per client before the measured ones")
	flag.StringVar(&login, "login", "", "`name:password,...` accounts the clients log in with, in turn; empty: anonymous clients")
	flag.StringVar(&cfg.label, "label", "", "label of the result")
	flag.StringVar(&cfg.out, "out", "", "`file` to append the JSON result to")
	flag.DurationVar(&cfg.timeout, "timeout", 5*time.Minute, "stop the run after this long")
	flag.StringVar(&cfg.want, "want", "", "`text` every measured page must contain (default: \"Log out\" with -login)")
	flag.StringVar(&cpu, "cpu", "", "`name=pid,...` processes (and their children) whose CPU time per measured request to report, such as blog=123,store=456")
	flag.Parse()
	if err := cfg.parse(rawURL, login, cpu); err != nil {
		fmt.Fprintf(os.Stderr, "load: %v\n", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	res, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "load: %s: %v\n", cfg.label, err)
		os.Exit(1)
	}
	fmt.Printf("%-8s %s: %d clients, %d requests in %.2fs: %.0f req/s, p50 %.3fms, p90 %.3fms, p99 %.3fms, max %.3fms",
		res.Label, res.Path, res.Clients, res.Requests, res.Seconds, res.RPS, res.P50ms, res.P90ms, res.P99ms, res.Maxms)
	for _, p := range cfg.cpu {
		fmt.Printf(", %s %.0fµs CPU", p.name, res.CPUus[p.name])
	}
	fmt.Println()
	if cfg.out != "" {
		if err := appendJSON(cfg.out, res); err != nil {
			fmt.Fprintf(os.Stderr, "load: %v\n", err)
			os.Exit(1)
		}
	}
}

func (cfg *config) parse(rawURL, login, cpu string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("-url %q: want http://host:port", rawURL)
	}
	ips, err := net.LookupIP(u.Hostname())
	if err != nil {
		return fmt.Errorf("-url %q: %v", rawURL, err)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("-url %q: not a loopback address; load only sends to this machine", rawURL)
		}
	}
	cfg.base = u
	if cfg.cpu, err = parseProcesses(cpu); err != nil {
		return err
	}
	if cfg.clients < 1 || cfg.requests < cfg.clients || cfg.warmup < 0 {
		return errors.New("want -clients ≥ 1, -requests ≥ -clients and -warmup ≥ 0")
	}
	if login != "" {
		for acct := range strings.SplitSeq(login, ",") {
			name, password, ok := strings.Cut(acct, ":")
			if !ok {
				return fmt.Errorf("-login: %q is not name:password", acct)
			}
			cfg.accounts = append(cfg.accounts, [2]string{name, password})
		}
		if cfg.want == "" {
			cfg.want = "Log out"
		}
	}
	if cfg.label == "" {
		cfg.label = cfg.base.Host
	}
	return nil
}

// run logs the clients in, warms them up, then measures cfg.requests
// requests.
func run(ctx context.Context, cfg config) (result, error) {
	clients := make([]*client, cfg.clients)
	for i := range clients {
		c, err := newClient(ctx, cfg)
		if err != nil {
			return result{}, err
		}
		defer c.close()
		if len(cfg.accounts) > 0 {
			acct := cfg.accounts[i%len(cfg.accounts)]
			if err := c.login(acct[0], acct[1]); err != nil {
				return result{}, fmt.Errorf("client %d: login as %s: %w", i, acct[0], err)
			}
		}
		clients[i] = c
	}

	// Each client sends its share of the requests; the first few clients
	// send one more when the share is not even.
	share := func(i int) int {
		n := cfg.requests / cfg.clients
		if i < cfg.requests%cfg.clients {
			n++
		}
		return n
	}
	var (
		ready, done sync.WaitGroup
		start       = make(chan struct{})
		latencies   = make([][]time.Duration, cfg.clients)
		errs        = make([]error, cfg.clients)
	)
	for i, c := range clients {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			for range cfg.warmup {
				if _, err := c.page(true); err != nil {
					errs[i] = fmt.Errorf("warm-up: %w", err)
					break
				}
			}
			ready.Done()
			<-start
			if errs[i] != nil {
				return
			}
			lat := make([]time.Duration, 0, share(i))
			for range share(i) {
				d, err := c.page(false)
				if err != nil {
					errs[i] = err
					break
				}
				lat = append(lat, d)
			}
			latencies[i] = lat
		}()
	}
	ready.Wait()
	cpu0, err := cpuTimes(cfg.cpu)
	if err != nil {
		close(start)
		done.Wait()
		return result{}, err
	}
	t0 := time.Now()
	close(start)
	done.Wait()
	elapsed := time.Since(t0)
	cpu1, err := cpuTimes(cfg.cpu)
	if err != nil {
		return result{}, err
	}
	if err := errors.Join(errs...); err != nil {
		return result{}, err
	}

	all := slices.Concat(latencies...)
	slices.Sort(all)
	ms := func(q float64) float64 {
		i := min(int(q*float64(len(all))), len(all)-1)
		return float64(all[i]) / float64(time.Millisecond)
	}
	var perRequest map[string]float64
	for name, t := range cpu1 {
		if perRequest == nil {
			perRequest = map[string]float64{}
		}
		perRequest[name] = float64(t-cpu0[name]) / float64(time.Microsecond) / float64(len(all))
	}
	return result{
		CPUus:    perRequest,
		Label:    cfg.label,
		Path:     cfg.path,
		Clients:  cfg.clients,
		Requests: len(all),
		Seconds:  elapsed.Seconds(),
		RPS:      float64(len(all)) / elapsed.Seconds(),
		P50ms:    ms(0.50),
		P90ms:    ms(0.90),
		P99ms:    ms(0.99),
		Maxms:    ms(1),
	}, nil
}

// A client is one visitor: its own cookie jar and connection.
type client struct {
	ctx  context.Context
	cfg  config
	http *http.Client
	tr   *http.Transport
	url  string
	jar  jar
}

func newClient(ctx context.Context, cfg config) (*client, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
	return &client{
		ctx: ctx,
		cfg: cfg,
		tr:  tr,
		url: cfg.base.JoinPath(cfg.path).String(),
		jar: jar{values: map[string]string{}},
		http: &http.Client{
			Transport: tr,
			Timeout:   10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
	}, nil
}

// jar is a client's cookies for the blog's one host: the last value set
// for each name, a cookie that expires is dropped. Attributes are ignored:
// the blog's cookies all have Path=/.
type jar struct {
	values map[string]string
	header string // the Cookie header, made again when values change
}

func (j *jar) update(resp *http.Response) {
	lines := resp.Header["Set-Cookie"]
	if len(lines) == 0 {
		return
	}
	for _, line := range lines {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			continue
		}
		if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			delete(j.values, c.Name)
		} else {
			j.values[c.Name] = c.Value
		}
	}
	parts := make([]string, 0, len(j.values))
	for name, value := range j.values {
		parts = append(parts, name+"="+value)
	}
	slices.Sort(parts)
	j.header = strings.Join(parts, "; ")
}

// do sends req with the client's cookies and keeps those it gets back.
func (c *client) do(req *http.Request) (*http.Response, error) {
	if c.jar.header != "" {
		req.Header.Set("Cookie", c.jar.header)
	}
	resp, err := c.http.Do(req)
	if err == nil {
		c.jar.update(resp)
	}
	return resp, err
}

func (c *client) close() { c.tr.CloseIdleConnections() }

// page requests the measured page and returns how long it took, until the
// body was read. check also looks for cfg.want in the body.
func (c *client) page(check bool) (time.Duration, error) {
	req, err := http.NewRequestWithContext(c.ctx, "GET", c.url, nil)
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	resp, err := c.do(req)
	if err != nil {
		return 0, err
	}
	var body []byte
	if check {
		body, err = io.ReadAll(resp.Body)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	resp.Body.Close()
	d := time.Since(t0)
	switch {
	case err != nil:
		return 0, err
	case resp.StatusCode != http.StatusOK:
		return 0, fmt.Errorf("GET %s = %d", c.cfg.path, resp.StatusCode)
	case check && !strings.Contains(string(body), c.cfg.want):
		return 0, fmt.Errorf("GET %s: the page does not contain %q", c.cfg.path, c.cfg.want)
	}
	return d, nil
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// login logs the client in through the login form, as a browser does.
func (c *client) login(name, password string) error {
	base := c.cfg.base.String()
	req, err := http.NewRequestWithContext(c.ctx, "GET", base+"/login", nil)
	if err != nil {
		return err
	}
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	m := csrfField.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		return fmt.Errorf("GET /login = %d without a CSRF token", resp.StatusCode)
	}
	form := url.Values{"username": {name}, "password": {password}, "csrf_token": {string(m[1])}}
	req, err = http.NewRequestWithContext(c.ctx, "POST", base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base) // the blog's own form, as a browser posts it
	resp, err = c.do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
		return fmt.Errorf("POST /login = %d to %q; want 303 to /dashboard", resp.StatusCode, resp.Header.Get("Location"))
	}
	return nil
}

func appendJSON(path string, res result) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(f).Encode(res); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
