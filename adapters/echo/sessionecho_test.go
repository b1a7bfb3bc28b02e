package sessionecho_test

import (
	"strings"
	"testing"

	"github.com/transient-go/transient/adapters/internal/adaptertest"
	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/memstore"
)

func TestSuite(t *testing.T) {
	t.Run("cookiestore", func(t *testing.T) { adaptertest.Run(t, adaptertest.Echo, cookieStore(t)) })
	t.Run("memstore", func(t *testing.T) { adaptertest.Run(t, adaptertest.Echo, memstore.New(nil)) })
}

func cookieStore(t testing.TB) core.Store {
	s, err := cookiestore.New(cookiestore.Options{Secrets: []string{strings.Repeat("s3cr3t", 6)}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
