package feishu

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// A custom bot's limits: "自定义机器人的频率控制和普通应用不同，为单租户单机器人
// 100 次/分钟，5 次/秒" — 100 requests a minute and 5 a second per bot —
// and "建议发送消息尽量避开诸如 10:00、17:30 等整点及半点时间，否则可能出现因系统压力导致的
// 11232 限流错误" (avoid the full and half hours, when system load may
// answer 11232 anyway)
// (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, 注意事项;
// the Lark page says the same: https://open.larksuite.com/document/client-docs/bot-v3/add-custom-bot).
const (
	BotPerMinute = 100
	BotPerSecond = 5
)

// DefaultRates are what Herald keeps to for each bot: a little under
// Feishu's counts, for what Herald cannot see (another program posting to
// the bot, how Feishu's servers keep time). Both are windows, which
// notify.Limiter counts until a window after Feishu answered, so network
// delays cannot bunch a burst into one of Feishu's windows.
func DefaultRates() []notify.Rate {
	return []notify.Rate{
		{Events: BotPerMinute - 5, Per: time.Minute, Window: true},
		{Events: BotPerSecond - 1, Per: time.Second, Window: true},
	}
}

// TooFastPause is how long every channel of a bot waits after Feishu
// answered 11232. Feishu does not say how long; the documentation blames
// load at the full and half hours more than the count Herald already keeps
// under, so a short pause lets the peak pass, and the dispatcher's
// backoff grows from there if it does not.
const TooFastPause = 10 * time.Second

// state is the state of the Feishu platform that outlives notifiers:
// each bot's rate limit, counted over every channel that posts to it, and
// each app's tenant_access_token. It lives in the app's notify.Shared
// (see WithShared), so that a reload in the middle of a storm does not
// forget the last minute's messages. It is safe for concurrent use.
type state struct {
	limiter *notify.Limiter
	rates   []notify.Rate

	mu     sync.Mutex
	tokens map[string]*tokenSource
}

// stateKey is the key of the platform's *state in a notify.Shared.
type stateKey struct{}

func newState(rates []notify.Rate) *state {
	if len(rates) == 0 {
		rates = DefaultRates()
	}
	return &state{limiter: notify.NewLimiter(), rates: rates, tokens: map[string]*tokenSource{}}
}

// stateOf returns the platform's state in s, made on first use; a nil s
// gives a state of the caller's own.
func stateOf(s *notify.Shared) *state {
	st, _ := notify.Share(s, stateKey{}, func() (*state, error) { return newState(nil), nil })
	return st
}

// WithRates presets the rates Herald keeps to for every bot, instead of
// DefaultRates(), in a notify.Shared: for tests and load tests against a
// fake whose minute is scaled down to seconds. It must come before the
// first notifier uses the Shared.
func WithRates(rates ...notify.Rate) notify.SharedOption {
	return notify.Preset(stateKey{}, newState(rates))
}

// tokenSource returns the token cache of an app, made on first use. The
// key holds a hash of the secret: a new secret after a reload makes a new
// source rather than reusing a token fetched with the old one.
func (s *state) tokenSource(base, appID, appSecret string, make func() *tokenSource) *tokenSource {
	sum := sha256.Sum256([]byte(appSecret))
	key := base + "|" + appID + "|" + hex.EncodeToString(sum[:8])
	s.mu.Lock()
	defer s.mu.Unlock()
	ts, ok := s.tokens[key]
	if !ok {
		ts = make()
		s.tokens[key] = ts
	}
	return ts
}

// botLimit is one bot's view of the shared limiter.
type botLimit struct {
	shared *state
	key    string
}

// paused is how long the bot stays paused after a "frequency limited".
func (l botLimit) paused() time.Duration { return l.shared.limiter.Paused(l.key) }

// pause stops every channel of the bot for d.
func (l botLimit) pause(d time.Duration) { l.shared.limiter.Pause(l.key, time.Now().Add(d)) }

// record counts messages another process sent to the bot at the times of
// sent (see notify.Limiter.Record).
func (l botLimit) record(sent []time.Time) {
	l.shared.limiter.Record(l.key, sent, l.shared.rates...)
}

// acquire takes the bot's turn for one message, or returns a
// *notify.ThrottledError when that is later than ctx allows, and at once
// while the bot is paused. release is called once Feishu answered.
func (l botLimit) acquire(ctx context.Context) (release func(), err error) {
	if d := l.paused(); d > 0 {
		return nil, &notify.ThrottledError{Wait: d}
	}
	return l.shared.limiter.Acquire(ctx, l.key, l.shared.rates...)
}

// botID is a name for the bot that is safe to store and log: a short hash
// of its token, which is a secret.
func botID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "feishu:" + hex.EncodeToString(sum[:6])
}
