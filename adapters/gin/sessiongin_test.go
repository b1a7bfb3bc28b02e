package sessiongin_test

import (
	"os"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/transient-go/transient/adapters/adaptertest"
	"github.com/transient-go/transient/adapters/internal/drivers"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode) // no route listing on stdout
	os.Exit(m.Run())
}

func TestSuite(t *testing.T) {
	adaptertest.Run(t, drivers.Gin{})
}
