package pgtest

import "syscall"

// sysProcAttr returns the attributes of a server's processes: they run as
// a, when not nil, and are killed by the kernel should the test binary die
// without running its cleanups (a -timeout panic, a signal). The parent
// death signal is sent when the thread that started the process exits:
// startProcess keeps that thread until the process is reaped.
func sysProcAttr(a *account) (*syscall.SysProcAttr, error) {
	attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if a != nil {
		// No Groups: root's supplementary groups are dropped.
		attr.Credential = &syscall.Credential{Uid: a.uid, Gid: a.gid}
	}
	return attr, nil
}
