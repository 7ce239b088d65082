package faketelegram

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Call is one Bot API request the fake answered (injected faults are not
// calls: they never reach the API).
type Call struct {
	// Method is the method's name as the Bot API documents it
	// ("sendMessage") when the fake knows it, else as requested.
	Method string
	// Params are the parameters as text: strings as they are, other JSON
	// values (objects such as reply_markup, numbers, booleans) as JSON.
	Params map[string]string
	// Files are the names of the uploaded files.
	Files []string
	// OK is Telegram's "ok"; ErrorCode and Description are set when it is
	// false.
	OK          bool
	ErrorCode   int
	Description string
	At          time.Time
}

// Decode decodes the JSON parameter name (reply_markup, scope, ...) into
// v; a string parameter is decoded as the JSON string it was.
func (c Call) Decode(name string, v any) error {
	raw, ok := c.Params[name]
	if !ok {
		return fmt.Errorf("faketelegram: %s has no parameter %q", c.Method, name)
	}
	if err := json.Unmarshal([]byte(raw), v); err == nil {
		return nil
	}
	q, _ := json.Marshal(raw)
	return json.Unmarshal(q, v)
}

// Keyboard is the inline keyboard the call sent (nil for none or one
// the fake refused).
func (c Call) Keyboard() Keyboard {
	kb, err := keyboard(&params{values: c.Params})
	if err != nil {
		return nil
	}
	return kb
}

// methodNames are the Bot API's spellings of the methods the fake knows.
var methodNames = []string{"getMe", "sendMessage", "editMessageText", "sendPhoto", "editMessageMedia",
	"editMessageCaption", "editMessageReplyMarkup", "deleteMessage", "getUpdates", "setWebhook",
	"deleteWebhook", "getWebhookInfo", "answerCallbackQuery", "setMyCommands", "getMyCommands"}

// canonical is the documented spelling of method (the Bot API ignores case).
func canonical(method string) string {
	for _, m := range methodNames {
		if strings.EqualFold(m, method) {
			return m
		}
	}
	return method
}

// callLog records calls and wakes the tests that wait for them.
type callLog struct {
	mu      sync.Mutex
	calls   []Call
	changed chan struct{}
}

// record adds the answered call of method with parameters p.
func (s *Server) record(method string, p *params, aerr *apiError) {
	c := Call{Method: canonical(method), Params: map[string]string{}, OK: aerr == nil, At: time.Now()}
	if p != nil {
		c.Params = maps.Clone(p.values)
		c.Files = slices.Sorted(maps.Keys(p.files))
	}
	if aerr != nil {
		c.ErrorCode, c.Description = aerr.code, aerr.desc
	}
	l := s.calls
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, c)
	close(l.changed)
	l.changed = make(chan struct{})
}

// Calls returns the calls answered so far, oldest first; with methods,
// only the calls of those (as the Bot API spells them: "sendMessage").
func (s *Server) Calls(methods ...string) []Call {
	l := s.calls
	l.mu.Lock()
	defer l.mu.Unlock()
	return filterCalls(l.calls, methods)
}

func filterCalls(calls []Call, methods []string) []Call {
	var out []Call
	for _, c := range calls {
		if len(methods) == 0 || slices.Contains(methods, c.Method) {
			c.Params = maps.Clone(c.Params)
			c.Files = slices.Clone(c.Files)
			out = append(out, c)
		}
	}
	return out
}

// WaitCalls waits until at least n calls of method ("" for any) were
// answered and returns them; after timeout it returns what came and an
// error, so that a test waits on the event, not on a sleep.
func (s *Server) WaitCalls(method string, n int, timeout time.Duration) ([]Call, error) {
	var methods []string
	if method != "" {
		methods = []string{method}
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	l := s.calls
	for {
		l.mu.Lock()
		got, changed := filterCalls(l.calls, methods), l.changed
		l.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return got, fmt.Errorf("faketelegram: %d %s calls after %v, want %d", len(got), cmp.Or(method, "API"), timeout, n)
		}
	}
}

// WaitCall waits for the next call of method after the n answered so far
// (len(Calls(method))) and returns it.
func (s *Server) WaitCall(method string, n int, timeout time.Duration) (Call, error) {
	calls, err := s.WaitCalls(method, n+1, timeout)
	if err != nil {
		return Call{}, err
	}
	return calls[n], nil
}
