package sessionhttp_test

import (
	"testing"

	"github.com/transient-go/transient/adapters/internal/adaptertest"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/memstore"
)

func TestSuite(t *testing.T) {
	cookies, err := cookiestore.New(cookiestore.Options{Secrets: []string{"an example secret of at least 32 bytes"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("cookiestore", func(t *testing.T) { adaptertest.Run(t, adaptertest.NetHTTP, cookies) })
	t.Run("memstore", func(t *testing.T) { adaptertest.Run(t, adaptertest.NetHTTP, memstore.New(nil)) })
}
