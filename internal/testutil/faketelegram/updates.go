package faketelegram

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

// The Bot API's answers when getUpdates cannot be used
// (https://core.telegram.org/bots/api#getupdates).
const (
	conflictWebhook = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
	conflictPoller  = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)

// updateTypes are the update kinds the fake produces, the names
// allowed_updates takes.
var updateTypes = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// botState is what the interactive side of the API keeps: pending
// updates, the webhook, callback queries and command lists. Guarded by
// Server.mu.
type botState struct {
	updates []update
	nextID  int64
	// changed is closed (and replaced) whenever an update arrives or a
	// poll is taken over, to wake long polls.
	changed chan struct{}
	// poll counts getUpdates requests; a waiting one that sees a newer
	// one gives way with 409, as Telegram does.
	poll    int64
	polling int
	// pollers is closed (and replaced) whenever a long poll starts waiting.
	pollers  chan struct{}
	webhook  WebhookInfo
	queries  map[string]bool
	answers  []CallbackAnswer
	commands map[CommandScope][]BotCommand
	// users are the people who wrote to the bot, for their User objects.
	users map[int64]User
}

// update is a pending update: its kind (for allowed_updates) and object.
type update struct {
	id   int64
	kind string
	obj  map[string]any
}

func newBotState() botState {
	return botState{nextID: 1, changed: make(chan struct{}), pollers: make(chan struct{}),
		queries: map[string]bool{}, commands: map[CommandScope][]BotCommand{}, users: map[int64]User{}}
}

// wake wakes every long poll; the caller holds s.mu.
func (b *botState) wake() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// push queues an update; the caller holds s.mu.
func (s *Server) push(kind string, obj map[string]any) int64 {
	id := s.bot.nextID
	s.bot.nextID++
	s.bot.updates = append(s.bot.updates, update{id: id, kind: kind, obj: obj})
	s.bot.wake()
	return id
}

// Polling returns a channel closed when the next long poll starts to wait,
// so that a test can push an update into a poll rather than sleep.
func (s *Server) Polling() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bot.pollers
}

// getUpdates answers getUpdates: at once when updates are pending, else
// after up to timeout seconds of long polling. It runs without s.mu held
// while it waits, so that other calls go on.
func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, p *params) {
	offset, aerr := p.int64("offset")
	var limit, timeout int64
	if aerr == nil {
		limit, aerr = p.int64("limit")
	}
	if aerr == nil {
		timeout, aerr = p.int64("timeout")
	}
	var allowed []string
	if aerr == nil {
		if _, aerr = p.object("allowed_updates", &allowed); aerr == nil {
			aerr = checkAllowed(allowed)
		}
	}
	if aerr != nil {
		s.reply(w, "getUpdates", p, nil, aerr)
		return
	}
	if limit <= 0 || limit > 100 {
		limit = 100 // "Values between 1-100 are accepted. Defaults to 100."
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Duration(max(timeout, 0))*time.Second)
	defer cancel()
	s.mu.Lock()
	if s.bot.webhook.URL != "" {
		s.mu.Unlock()
		s.reply(w, "getUpdates", p, nil, &apiError{code: http.StatusConflict, desc: conflictWebhook})
		return
	}
	s.bot.poll++
	mine := s.bot.poll
	s.bot.wake() // an older poll gives way
	for {
		ups := s.confirm(offset, allowed, int(limit))
		if len(ups) > 0 || ctx.Err() != nil {
			s.mu.Unlock()
			s.reply(w, "getUpdates", p, ups, nil)
			return
		}
		if s.bot.poll != mine {
			s.mu.Unlock()
			s.reply(w, "getUpdates", p, nil, &apiError{code: http.StatusConflict, desc: conflictPoller})
			return
		}
		changed := s.bot.changed
		close(s.bot.pollers)
		s.bot.pollers = make(chan struct{})
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
		}
		s.mu.Lock()
	}
}

// confirm drops the updates before offset (a negative offset keeps the
// last -offset) and returns up to limit of the rest of the allowed kinds;
// the caller holds s.mu.
func (s *Server) confirm(offset int64, allowed []string, limit int) []map[string]any {
	ups := s.bot.updates
	switch {
	case offset < 0:
		ups = ups[max(0, len(ups)+int(offset)):]
	case offset > 0:
		ups = slices.DeleteFunc(ups, func(u update) bool { return u.id < offset })
	}
	s.bot.updates = ups
	var out []map[string]any
	for _, u := range ups {
		if len(out) == limit {
			break
		}
		if len(allowed) > 0 && !slices.Contains(allowed, u.kind) {
			continue
		}
		out = append(out, map[string]any{"update_id": u.id, u.kind: u.obj})
	}
	if out == nil {
		out = []map[string]any{}
	}
	return out
}

// checkAllowed refuses update kinds the fake does not know, so that a
// typo in allowed_updates fails a test instead of silencing a bot.
func checkAllowed(allowed []string) *apiError {
	for _, a := range allowed {
		if !slices.Contains(updateTypes, a) {
			raw, _ := json.Marshal(a)
			return badRequest("unsupported update type " + string(raw) + " in allowed_updates (the fake knows message, edited_message, callback_query and my_chat_member)")
		}
	}
	return nil
}
