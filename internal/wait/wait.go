// Package wait has the one way Herald's loops pause: for a while, or until
// their context is done.
package wait

import (
	"context"
	"time"
)

// Sleep waits d or until ctx is done, and reports whether it waited the
// whole d.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
