package drivers

import (
	"net/http"

	"github.com/transient-go/transient/adapters/adaptertest"
	sessionhttp "github.com/transient-go/transient/adapters/nethttp"
	"github.com/transient-go/transient/core"
)

// NetHTTP drives package sessionhttp: it is adaptertest's own driver.
type NetHTTP struct{ adaptertest.NetHTTP }

func (NetHTTP) ServeOne(m *core.Manager, cookie string) func() {
	var h http.Handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	if m != nil {
		h = sessionhttp.Middleware(m, nil)(h)
	}
	return serveOne(h, cookie)
}
