package drivers

import (
	"net/http"

	"github.com/transient-go/transient/adapters/adaptertest"
	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
)

// NetHTTP drives package sessionhttp: it is adaptertest's own driver.
type NetHTTP struct{ adaptertest.NetHTTP }

func (NetHTTP) ServeOne(m *core.Manager, cookie string, use func(*core.Session)) func() {
	var h http.Handler = http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if use == nil {
			return
		}
		if s, err := sessionhttp.Session(r); err == nil {
			use(s)
		}
	})
	if m == nil {
		h = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	} else {
		h = sessionhttp.Middleware(m, nil)(h)
	}
	return serveOne(h, cookie)
}
