package pgstore_test

import (
	"os"
	"testing"

	"github.com/transient-go/transient/core/pgstore/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }
