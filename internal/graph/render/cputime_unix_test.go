//go:build unix

package render

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used, user and system. The
// benchmark reports it per op besides ns/op, because wall time on a shared
// machine says more about the neighbours than about the renderer.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
