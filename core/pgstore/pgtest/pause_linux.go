package pgtest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// stopTree stops the process pid with SIGSTOP, waits until it is stopped,
// then does the same to its descendants, which a stopped process can no
// longer add to. It returns the processes it stopped, the first first.
// PostgreSQL's processes are not in one process group (each backend calls
// setsid), so each is signalled on its own.
func stopTree(pid int) ([]int, error) {
	stopped := []int{}
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if err := syscall.Kill(p, syscall.SIGSTOP); err != nil {
			if p == pid {
				return stopped, fmt.Errorf("SIGSTOP to the postmaster, process %d: %w", p, err)
			}
			continue // a process that exited meanwhile
		}
		stopped = append(stopped, p)
		if err := awaitStopped(p); err != nil {
			return stopped, err
		}
		children, err := childrenOf(p)
		if err != nil {
			return stopped, err
		}
		queue = append(queue, children...)
	}
	return stopped, nil
}

// continueAll sends SIGCONT to pids, and returns the first error other
// than that of a process that is gone.
func continueAll(pids []int) error {
	var first error
	for _, p := range pids {
		if err := syscall.Kill(p, syscall.SIGCONT); err != nil && !errors.Is(err, syscall.ESRCH) && first == nil {
			first = fmt.Errorf("SIGCONT to process %d: %w", p, err)
		}
	}
	return first
}

// stopForKill stops the process pid (SIGSTOP), so that it starts no more
// processes, and returns its children, for killAll to kill with it.
// PostgreSQL's backends outlive a postmaster killed alone, and go on
// answering their connections until they notice it gone.
func stopForKill(pid int) []int {
	if syscall.Kill(pid, syscall.SIGSTOP) != nil || awaitStopped(pid) != nil {
		return nil
	}
	children, _ := childrenOf(pid)
	return children
}

// killAll kills pids with SIGKILL, and waits until each has exited.
func killAll(pids []int) {
	for _, p := range pids {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	for _, p := range pids {
		_ = awaitStopped(p) // a process killed is never stopped again: this waits for its exit
	}
}

// awaitStopped waits until the process pid is stopped, or gone.
func awaitStopped(pid int) error {
	deadline := time.Now().Add(startTimeout)
	for {
		state, _, err := procStat(pid)
		switch {
		case errors.Is(err, os.ErrNotExist), err == nil && (state == 'T' || state == 'Z' || state == 'X'):
			return nil
		case err != nil:
			return err
		case time.Now().After(deadline):
			return fmt.Errorf("process %d not stopped within %v of SIGSTOP (state %c)", pid, startTimeout, state)
		}
		time.Sleep(time.Millisecond) // polling: the kernel stops it within microseconds
	}
}

// childrenOf returns the processes whose parent is pid.
func childrenOf(pid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var children []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if _, ppid, err := procStat(p); err == nil && ppid == pid {
			children = append(children, p)
		}
	}
	return children, nil
}

// procStat returns the state and the parent of the process pid, from
// /proc/pid/stat: "pid (comm) state ppid ...", where comm may hold spaces
// and parentheses.
func procStat(pid int) (state byte, ppid int, err error) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, b)
	}
	fields := bytes.Fields(b[i+1:])
	if len(fields) < 2 || len(fields[0]) != 1 {
		return 0, 0, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, b)
	}
	ppid, err = strconv.Atoi(string(fields[1]))
	return fields[0][0], ppid, err
}
