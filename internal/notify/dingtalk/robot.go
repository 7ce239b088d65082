package dingtalk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// DingTalk's rate limit for a custom robot: "每个机器人每分钟最多发送20条消息到群里，
// 如果超过20条，会限流10分钟" — at most 20 messages a minute per robot, and a
// robot that sends more is throttled for 10 minutes
// (https://open.dingtalk.com/document/robots/custom-robot-access).
const (
	RobotMessages = 20
	RobotWindow   = time.Minute
)

// safetyMargin is the number of messages of each window Herald leaves
// unused, for what its own count cannot see (how DingTalk's servers keep
// time, a request that timed out here but still arrived there): DingTalk's
// answer to one message too many is ten minutes of silence, and one
// message a minute less is a small price. The window itself already
// allows for network delays: notify.Limiter counts each message until a
// window after DingTalk answered it (see notify.Rate).
const safetyMargin = 1

// limitKey is the one key of a robot's limiter, whose rate is global: the
// limit is per robot and each robot has its own limiter.
const limitKey = "robot"

// robotLimit is the rate state of one robot, shared by every channel that
// posts to it: DingTalk counts messages per robot, not per channel.
type robotLimit struct {
	limiter *notify.Limiter
	// rate is what Herald keeps to: DingTalk's count less safetyMargin in
	// DingTalk's window (RobotWindow unless a test scaled it).
	rate notify.Rate
}

func newRobotLimit(messages int, window time.Duration) *robotLimit {
	rate := notify.Rate{Events: max(1, messages-safetyMargin), Per: window, Window: true}
	return &robotLimit{limiter: notify.NewLimiter(rate), rate: rate}
}

// limitKey is the key of a robot's *robotLimit in a notify.Shared, which
// the app keeps across reloads: a limit must outlive the notifiers rebuilt
// on every reload, or a reload in the middle of a storm would forget how
// many messages the last minute already holds.
type sharedKey string

// robotKey identifies a robot: DingTalk counts by access_token, and the
// key is the webhook URL reduced to it (other query parameters, such as a
// stale timestamp pasted with the URL, do not make another robot).
func robotKey(webhook string) string {
	u, err := url.Parse(webhook)
	if err != nil {
		return webhook
	}
	if tok := u.Query().Get("access_token"); tok != "" {
		return u.Scheme + "://" + u.Host + u.Path + "?access_token=" + tok
	}
	return webhook
}

// limitFor returns the rate state of the robot at webhook, shared through s.
func limitFor(s *notify.Shared, webhook string) *robotLimit {
	l, _ := notify.Share(s, sharedKey(robotKey(webhook)), func() (*robotLimit, error) {
		return newRobotLimit(RobotMessages, RobotWindow), nil
	})
	return l
}

// WithRobotLimit presets the limit Herald assumes for the robot at webhook
// (by default DingTalk's RobotMessages per RobotWindow); Herald keeps a
// little under it as always. It exists for tests and load tests against a
// fake DingTalk whose minute is scaled down to seconds.
func WithRobotLimit(webhook string, messages int, window time.Duration) notify.SharedOption {
	return notify.Preset(sharedKey(robotKey(webhook)), newRobotLimit(messages, window))
}

// robotID is a name for the robot that is safe to store and log: a short
// hash of its key, since the access_token is a secret.
func robotID(webhook string) string {
	sum := sha256.Sum256([]byte(robotKey(webhook)))
	return "dingtalk:" + hex.EncodeToString(sum[:6])
}

// paused is how long the robot stays paused after a "too fast" answer.
func (l *robotLimit) paused() time.Duration { return l.limiter.Paused(limitKey) }

// pause stops every channel of the robot for d.
func (l *robotLimit) pause(d time.Duration) { l.limiter.Pause(limitKey, time.Now().Add(d)) }

// delay is how long until n messages in a row may go.
func (l *robotLimit) delay(n int) time.Duration { return l.limiter.Delay(limitKey, n) }

// record counts messages another process sent to the robot at the times
// of sent (see notify.Limiter.Record).
func (l *robotLimit) record(sent []time.Time) { l.limiter.Record(limitKey, sent) }

// idleDelay is how long n messages take on a robot nobody else uses: the
// least Herald's own limit can make them wait (a window: rate.Events go at
// once and as many again a window later).
func (l *robotLimit) idleDelay(n int) time.Duration { return notify.IdleDelay(n, l.rate) }

// acquire takes the robot's turn for one message, or returns a
// *notify.ThrottledError when that is later than ctx allows, and at once
// while the robot is paused (the dispatcher then waits without an
// attempt). The caller calls release when DingTalk has answered (or the
// request failed): the message counts for one more window from then.
func (l *robotLimit) acquire(ctx context.Context) (release func(), err error) {
	if d := l.paused(); d > 0 {
		return nil, &notify.ThrottledError{Wait: d}
	}
	return l.limiter.Acquire(ctx, limitKey)
}
