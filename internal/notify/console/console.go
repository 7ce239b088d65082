// Package console is the notifier that prints messages as plain text,
// usually to standard output: for trying Herald out, for `herald send-test`
// and for setups where a log collector picks alerts up from stdout.
package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// Notifier writes each message as one text block to an io.Writer. It is
// safe for concurrent use: blocks never interleave.
type Notifier struct {
	tmpl *template.Templates
	text string

	chartDir string
	now      func() time.Time

	mu  sync.Mutex // guards w and seq
	w   io.Writer
	seq uint64
}

// Option changes a Notifier.
type Option func(*Notifier)

var _ notify.Notifier = (*Notifier)(nil)

// New returns a Notifier that renders messages with cfg.Message (default
// `{{ template "console.herald.message" . }}`) and writes them to w. cfg
// may be nil.
func New(cfg *Config, tmpl *template.Templates, w io.Writer, opts ...Option) *Notifier {
	n := &Notifier{tmpl: tmpl, w: w, now: time.Now}
	if cfg != nil {
		n.text = cfg.Message
	}
	for _, o := range opts {
		o(n)
	}
	return n
}

// Notify renders m and writes it in one Write call, preceded by a separator
// line. It returns one Ref (part 0) whose MessageID counts the messages this
// Notifier has written, starting at 1. A write error is worth retrying (a
// full disk or a closed pipe may come back). A message whose only part was
// already sent is not written again.
func (n *Notifier) Notify(ctx context.Context, m *notify.Message) ([]notify.Ref, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, true, err
	}
	if m.SentParts > 0 {
		return nil, false, nil
	}
	// Values reach the template with their control characters made
	// visible (template.ConsoleText): a label must not drive the terminal.
	d := template.ConsoleData(template.MessageData(m, m.Channel))
	body := d.Execute(n.tmpl, n.text, template.DefaultConsoleMessage)
	chart := n.chartLine(m, n.now())

	// Render outside the lock; only numbering and writing are serialised,
	// so that the numbers in the output follow the order of the blocks.
	n.mu.Lock()
	defer n.mu.Unlock()
	id := n.seq + 1
	var b bytes.Buffer
	b.WriteString(separator(id, m))
	b.WriteString(body)
	b.WriteByte('\n')
	b.WriteString(chart)
	if _, err := n.w.Write(b.Bytes()); err != nil {
		return nil, true, fmt.Errorf("console write: %w", err)
	}
	n.seq = id
	return []notify.Ref{{Part: 0, MessageID: strconv.FormatUint(id, 10)}}, false, nil
}

// separator starts a block with what a reader of a busy log needs to tell
// messages apart: the number, the channel, the kind, and which earlier
// message a resolution answers.
func separator(id uint64, m *notify.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "----- #%d", id)
	if m.Channel != "" {
		fmt.Fprintf(&b, " %s", m.Channel)
	}
	if m.Kind != "" {
		fmt.Fprintf(&b, " %s", m.Kind)
	}
	if m.Folded {
		b.WriteString(" folded")
	}
	if len(m.Previous) > 0 && m.Previous[0].MessageID != "" {
		fmt.Fprintf(&b, " re #%s", m.Previous[0].MessageID)
	}
	b.WriteString(" -----\n")
	return b.String()
}
