package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A process is a server whose CPU time load measures (-cpu): the blog,
// Redis, PostgreSQL. Its time is that of the process and of its
// descendants at the moment (PostgreSQL serves each connection in a child
// process, and may run under runuser).
type process struct {
	name string
	pid  int
}

// parseProcesses reads -cpu: "blog=123,store=456".
func parseProcesses(s string) ([]process, error) {
	if s == "" {
		return nil, nil
	}
	var ps []process
	for _, f := range strings.Split(s, ",") {
		name, pid, ok := strings.Cut(f, "=")
		n, err := strconv.Atoi(pid)
		if !ok || name == "" || err != nil || n <= 0 {
			return nil, fmt.Errorf("-cpu %q: want name=pid[,name=pid]", s)
		}
		ps = append(ps, process{name, n})
	}
	return ps, nil
}

// cpuTimes returns the CPU time (user and system) each of ps has used so
// far, its descendants included, by name, from /proc.
func cpuTimes(ps []process) (map[string]time.Duration, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return nil, err
	}
	// parent and time of every process.
	type proc struct {
		ppid int
		cpu  time.Duration
	}
	procs := map[int]proc{}
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // exited meanwhile
		}
		// pid (comm) state ppid ... utime stime: fields 4, 14 and 15;
		// comm may hold spaces and parentheses, so count after its end.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(s[:strings.IndexByte(s, ' ')]))
		if err != nil {
			continue
		}
		f := strings.Fields(s[i+1:]) // f[0] is the state, field 3
		if len(f) < 15 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		// utime and stime, and cutime and cstime: what its children
		// that have exited used, such as PostgreSQL's autovacuum workers.
		var ticks int64
		for _, v := range f[11:15] {
			n, _ := strconv.ParseInt(v, 10, 64)
			ticks += n
		}
		procs[pid] = proc{ppid, time.Duration(ticks) * time.Second / clockTicks}
	}
	times := map[string]time.Duration{}
	for _, p := range ps {
		own, ok := procs[p.pid]
		if !ok {
			return nil, fmt.Errorf("-cpu: no process %d (%s)", p.pid, p.name)
		}
		t := own.cpu
		for pid, c := range procs {
			for anc := c.ppid; anc > 1 && pid != p.pid; anc = procs[anc].ppid {
				if anc == p.pid {
					t += c.cpu
					break
				}
			}
		}
		times[p.name] = t
	}
	return times, nil
}

// clockTicks is the unit of /proc's CPU times, USER_HZ: 100 on every Linux
// that Go runs on.
const clockTicks = 100
