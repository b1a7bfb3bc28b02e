package drivers_test

import (
	"os"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/transient-go/transient/core/pgstore/pgtest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode) // no route listing on stdout
	os.Exit(pgtest.Run(m))    // one PostgreSQL server for the package's tests
}
