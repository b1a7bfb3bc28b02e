package pgtest

import (
	"os"
	"os/exec"
	"runtime"
	"time"
)

// process is one running program of a server: initdb or postgres.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process is reaped
}

// startProcess starts cmd and reaps it when it exits. It starts and waits
// for it from one goroutine locked to its thread, because the kernel sends
// a parent death signal (sysProcAttr) when the thread that started the
// process exits, not the test binary: the thread must outlive the process.
func startProcess(cmd *exec.Cmd) (*process, error) {
	p := &process{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer close(p.done)
		err := cmd.Start()
		started <- err
		if err == nil {
			_ = cmd.Wait()
		}
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return p, nil
}

// exited reports whether the process has exited and been reaped.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop asks the process to shut down with SIGINT, which is a fast shutdown
// for postgres (clients are disconnected, nothing is waited for), waits for
// it, and kills it if it is still there after timeout.
func (p *process) stop(timeout time.Duration) {
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		p.kill()
		return
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
		p.kill()
	}
}

// kill sends SIGKILL and waits until the process is reaped.
func (p *process) kill() {
	_ = p.cmd.Process.Kill() // fails only if the process is already gone
	<-p.done
}
