//go:build !linux

package pgtest

import (
	"fmt"
	"runtime"
	"syscall"
)

// sysProcAttr returns the attributes of a server's processes. Running them
// as another user (a, for tests that run as root) is implemented on Linux
// only.
func sysProcAttr(a *account) (*syscall.SysProcAttr, error) {
	if a != nil {
		return nil, fmt.Errorf("running PostgreSQL as user %s is implemented on Linux only, not %s: run the tests as an ordinary user, or set PG_URL", a.name, runtime.GOOS)
	}
	return nil, nil
}
