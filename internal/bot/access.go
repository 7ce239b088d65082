package bot

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/telegram"
)

// access is who may use the bot and who may change things, from one
// configuration. References are ids or @usernames, compared without the
// @ and case, as Telegram treats usernames.
type access struct {
	users, chats, admins map[string]bool
	changesByAllowed     bool
}

func newAccess(t *config.TelegramConfig) *access {
	return &access{users: refSet(t.AllowedUsers), chats: refSet(t.AllowedChats), admins: refSet(t.Admins),
		changesByAllowed: t.Changes == config.ChangesByAllowed}
}

func refSet(refs []string) map[string]bool {
	m := make(map[string]bool, len(refs))
	for _, r := range refs {
		m[normRef(r)] = true
	}
	return m
}

// normRef is the form a reference is compared in.
func normRef(r string) string { return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(r), "@")) }

// in reports whether set names the user or chat with this id and username.
func in(set map[string]bool, id int64, username string) bool {
	if set[strconv.FormatInt(id, 10)] {
		return true
	}
	return username != "" && set[normRef(username)]
}

// isAdmin reports whether u is one of telegram.admins.
func (a *access) isAdmin(u *telegram.User) bool { return u != nil && in(a.admins, u.ID, u.Username) }

// allowed reports whether u may use the bot in chat: an admin, an allowed
// user, or anyone in an allowed chat.
func (a *access) allowed(u *telegram.User, chat telegram.Chat) bool {
	if u == nil {
		return false
	}
	return a.isAdmin(u) || in(a.users, u.ID, u.Username) || (chat.Type != "private" && in(a.chats, chat.ID, ""))
}

// mayChange reports whether u may make changes (silence, ack, unsilence,
// a group's subscriptions): admins, or every allowed user when
// telegram.changes is "allowed".
func (a *access) mayChange(u *telegram.User, chat telegram.Chat) bool {
	return a.isAdmin(u) || (a.changesByAllowed && a.allowed(u, chat))
}

// limiter is each user's command allowance: a token bucket of perMinute
// tokens refilled over a minute. It is safe for concurrent use.
type limiter struct {
	mu        sync.Mutex
	perMinute float64
	buckets   map[int64]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
	// warned is set once "slow down" was said for the current shortage.
	warned bool
}

func newLimiter(perMinute int) *limiter {
	return &limiter{perMinute: float64(perMinute), buckets: map[int64]*bucket{}}
}

// setRate changes the allowance of every user from now on.
func (l *limiter) setRate(perMinute int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.perMinute = float64(perMinute)
}

// take counts one command of user at now. ok says whether it may run;
// warn says whether to tell the user to slow down (once per shortage).
func (l *limiter) take(user int64, now time.Time) (ok, warn bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.buckets[user]
	if !found {
		b = &bucket{tokens: l.perMinute, at: now}
		l.buckets[user] = b
	}
	b.tokens = min(l.perMinute, b.tokens+now.Sub(b.at).Minutes()*l.perMinute)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		b.warned = false
		return true, false
	}
	warn = !b.warned
	b.warned = true
	// Forget users whose bucket is full again, so that the map stays as
	// small as the set of recently active users.
	if len(l.buckets) > 10000 {
		for id, o := range l.buckets {
			if now.Sub(o.at) > time.Minute {
				delete(l.buckets, id)
			}
		}
	}
	return false, warn
}
