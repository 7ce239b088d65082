package wecom

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// The robot's documented rate limit: "每个机器人发送的消息不能超过20条/分钟"
// (each robot sends at most 20 messages a minute;
// https://developer.work.weixin.qq.com/document/path/91770, 消息发送频率限制).
// Every message counts: markdown, image and text alike.
const (
	PlatformMessages = 20
	PlatformWindow   = time.Minute
)

// safetyMargin is the share of the platform's limit Herald uses: 95% of 20
// leaves one message a window for what Herald's count cannot see, such as
// how WeCom's servers keep time. Network delays need no margin: the limiter
// counts each message until a window after WeCom answered it, and WeCom
// counts it when it arrives, which is before (see notify.Rate).
const safetyMargin = 0.95

// defaultTimeout bounds one request to the webhook. An image message is a
// few megabytes of JSON, hence more than a text API would need.
const defaultTimeout = 30 * time.Second

// Robot is one WeCom group robot: its webhook URL (whose key is a secret)
// and its pace, which every channel posting with the same key shares,
// since WeCom counts messages per robot. Each channel sends with its own
// client, built from its http_config. It is safe for concurrent use.
type Robot struct {
	url string
	key string
	id  string
	// timeout bounds one request of a channel's client.
	timeout time.Duration
	*pace
}

// pace is what keeps a robot within its limit.
type pace struct {
	// limiter holds one sliding-window allowance, rate: rate.Events
	// messages in any rate.Per.
	limiter *notify.Limiter
	rate    notify.Rate
}

func newPace(rate notify.Rate) *pace {
	return &pace{limiter: notify.NewLimiter(rate), rate: rate}
}

// RobotOption tunes a Robot when it is made.
type RobotOption func(*robotOptions)

type robotOptions struct {
	messages int
	window   time.Duration
	timeout  time.Duration
}

// WithPlatformLimit sets the limit the platform enforces on the robot:
// messages in any window (default PlatformMessages per PlatformWindow).
// Herald keeps a safety margin below it. Tests give WeCom's 20 a minute a
// scaled window (20 per 3 s) so that a storm takes seconds, not minutes;
// the fake is told the same limit.
func WithPlatformLimit(messages int, window time.Duration) RobotOption {
	return func(o *robotOptions) { o.messages, o.window = messages, window }
}

// WithTimeout bounds one HTTP request to the robot (default 30 s) by the
// clients of the channels that post to it.
func WithTimeout(d time.Duration) RobotOption {
	return func(o *robotOptions) { o.timeout = d }
}

// NewRobot makes the robot of a webhook URL
// (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...). The URL must
// carry the key; errors never show it.
func NewRobot(webhook string, opts ...RobotOption) (*Robot, error) {
	o := robotOptions{messages: PlatformMessages, window: PlatformWindow, timeout: defaultTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	u, err := url.Parse(webhook)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("wecom: url must be an absolute http or https URL")
	}
	key := u.Query().Get("key")
	if key == "" {
		return nil, errors.New("wecom: url has no key parameter (copy the whole webhook address from the robot's settings)")
	}
	if o.messages <= 0 || o.window <= 0 {
		return nil, errors.New("wecom: the platform limit must be positive")
	}
	sum := sha256.Sum256([]byte(key))
	r := &Robot{
		url: webhook,
		key: key,
		// A stable name for the robot in refs and logs that does not give
		// the key away.
		id:      "robot-" + hex.EncodeToString(sum[:4]),
		timeout: o.timeout,
		pace:    newPace(notify.Rate{Events: max(1, int(float64(o.messages)*safetyMargin)), Per: o.window, Window: true}),
	}
	return r, nil
}

// robotKey and paceKey key a notify.Shared, which the app keeps across
// reloads, so that every channel posting to one robot, across reloads
// too, shares its pace. Robots are kept by URL; their paces by key, since
// two URLs with the same key (through a proxy, say) are the same robot to
// WeCom.
type (
	robotKey string
	paceKey  string
)

// SharedRobot returns the robot of webhook held by s, made on first use;
// later calls return the same robot, and a robot with the key of an
// earlier one shares its pace. A nil s gives a robot of its own.
func SharedRobot(s *notify.Shared, webhook string) (*Robot, error) {
	return notify.Share(s, robotKey(webhook), func() (*Robot, error) {
		r, err := NewRobot(webhook)
		if err != nil {
			return nil, err
		}
		r.pace, err = notify.Share(s, paceKey(r.key), func() (*pace, error) { return r.pace, nil })
		return r, err
	})
}

// WithRobot presets the robot of webhook in a notify.Shared, made with
// opts: a test that wants Herald's robot to keep to a scaled limit
// (WithPlatformLimit) hands it to the app.
func WithRobot(webhook string, opts ...RobotOption) notify.SharedOption {
	r, err := NewRobot(webhook, opts...)
	if err != nil {
		return func(*notify.Shared) {} // New reports the bad URL
	}
	return func(s *notify.Shared) {
		notify.Preset(robotKey(webhook), r)(s)
		notify.Preset(paceKey(r.key), r.pace)(s)
	}
}

// ID names the robot without its key.
func (r *Robot) ID() string { return r.id }

// String names the robot without its key, so that %v of a Robot (in a log
// line or a panic) cannot leak it. Value receivers cover *Robot and Robot.
func (r Robot) String() string { return "wecom " + r.id }

// GoString hides the key from %#v as String does from %v.
func (r Robot) GoString() string { return r.String() }

// LogValue hides the key from log/slog.
func (r Robot) LogValue() slog.Value { return slog.StringValue(r.String()) }

// delay is how long, as things stand, until n more messages fit the limit.
func (r *Robot) delay(n int) time.Duration { return r.limiter.Delay("", n) }

// record counts messages another process sent to the robot at the times
// of sent (see notify.Limiter.Record).
func (r *Robot) record(sent []time.Time) { r.limiter.Record("", sent) }

// acquire waits until one more message fits the limit and takes its place;
// the caller releases it once WeCom answered.
func (r *Robot) acquire(ctx context.Context) (release func(), err error) {
	release, err = r.limiter.Acquire(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("wecom: waiting for the rate limit of %s: %w", r, err)
	}
	return release, nil
}
