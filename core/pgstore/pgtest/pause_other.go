//go:build !linux

package pgtest

import (
	"fmt"
	"runtime"
)

// stopTree is implemented on Linux only, where it stops a server and its
// processes.
func stopTree(int) ([]int, error) {
	return nil, fmt.Errorf("pausing a server is implemented on Linux only, not %s", runtime.GOOS)
}

func continueAll([]int) error { return nil }

// stopForKill is implemented on Linux only: elsewhere, Kill kills the
// postmaster alone.
func stopForKill(int) []int { return nil }

func killAll([]int) {}
