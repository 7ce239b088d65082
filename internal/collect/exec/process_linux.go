package exec

import (
	"context"
	"errors"
	"fmt"
	osexec "os/exec"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// exitError is a command that ran and failed: its exit status or the
// signal that killed it.
type exitError struct{ msg string }

func (e *exitError) Error() string { return e.msg }

// execute runs argv in its own process group and returns its stdout (at
// most MaxOutput bytes) and the tail of its stderr. It returns once the
// command is reaped and its group killed.
func (o options) execute(ctx context.Context, argv, env []string, dir string, timeout time.Duration) ([]byte, string, error) {
	if len(argv) == 0 || argv[0] == "" {
		return nil, "", errors.New("no command")
	}
	if err := ctx.Err(); err != nil {
		return nil, "", fmt.Errorf("canceled: %w", err)
	}
	stdout := newCapWriter(MaxOutput)
	stderr := &tailWriter{max: StderrTail}
	cmd := osexec.Command(argv[0], argv[1:]...)
	cmd.Env, cmd.Dir = env, dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Bounds the wait for stdout and stderr to close once the group is
	// killed: only a process that left the group (setsid) can hold them.
	cmd.WaitDelay = o.waitDelay
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start: %w", err)
	}
	pgid := cmd.Process.Pid
	exited := make(chan struct{})
	go func() {
		if waitExited(pgid) == nil {
			close(exited)
		}
	}()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var stopped error
	select {
	case <-exited:
	case <-timer.C:
		stopped = fmt.Errorf("timed out after %s", timeout)
	case <-ctx.Done():
		stopped = fmt.Errorf("canceled: %w", ctx.Err())
	case <-stdout.over:
		stopped = errTooBig
	}
	if stopped != nil {
		o.terminate(pgid, exited)
	}
	// The command has exited but is not reaped, so pgid still names its
	// group and no other: what it left running there goes now. A check
	// lives no longer than its run.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	werr := cmd.Wait()

	out, over := stdout.bytes()
	switch {
	case over:
		return nil, stderr.String(), errTooBig
	case stopped != nil:
		return nil, stderr.String(), stopped
	}
	if errors.Is(werr, osexec.ErrWaitDelay) {
		return nil, stderr.String(), fmt.Errorf("stdout or stderr still open %s after the command's group was killed (a process that left the group, e.g. with setsid, holds them)", o.waitDelay)
	}
	return out, stderr.String(), waitError(werr)
}

// terminate asks the group to stop with SIGTERM and gives it the grace to
// do so; SIGKILL follows (in execute) in any case.
func (o options) terminate(pgid int, exited <-chan struct{}) {
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	grace := time.NewTimer(o.grace)
	defer grace.Stop()
	select {
	case <-exited:
	case <-grace.C:
	}
}

// waitExited returns once process pid has exited, without reaping it
// (WNOWAIT): until cmd.Wait does, its pid cannot be reused, so killing
// its process group cannot hit another.
func waitExited(pid int) error {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// waitError says how a reaped command ended.
func waitError(err error) error {
	var exit *osexec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &exitError{fmt.Sprintf("killed by signal %d (%s)", ws.Signal(), ws.Signal())}
		}
		return &exitError{fmt.Sprintf("exit status %d", exit.ExitCode())}
	}
	return fmt.Errorf("wait: %w", err)
}
