//go:build !linux

package exec

import (
	"context"
	"errors"
	"time"
)

// exitError is a command that ran and failed (never, here).
type exitError struct{ msg string }

func (e *exitError) Error() string { return e.msg }

// execute fails: process groups are killed and commands watched with
// Linux system calls (waitid with WNOWAIT), which this system lacks.
func (o options) execute(context.Context, []string, []string, string, time.Duration) ([]byte, string, error) {
	return nil, "", errors.New("exec checks need Linux")
}
