package mattermost

import (
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/notify"
)

// Mattermost's limits. The server counts characters as runes
// (utf8.RuneCountInString), and so does Herald.
const (
	// DefaultMaxPostSize is the longest message a Mattermost server takes
	// since 5.0: model.PostMessageMaxRunesV2 = 65535 / 4 = 16383 runes, the
	// database column's bytes at four bytes a rune
	// (server/public/model/post.go; "16383 characters for servers running
	// Mattermost Server v5.0 or later",
	// https://developers.mattermost.com/integrate/webhooks/incoming/).
	// Older servers take 4000 (PostMessageMaxRunesV1): max_post_size.
	// Herald keeps every part's attachment text within it too: the server
	// would take longer attachment text, but it cuts a webhook's message
	// text over it between any two runes, markup or not
	// (app/webhook.go splitWebhookPost), and a text of that size is
	// already collapsed behind "Show more".
	DefaultMaxPostSize = 16383
	// minPostSize is the smallest max_post_size accepted: room for the
	// title, the fields and a useful piece of text.
	minPostSize = 1000
	// MaxPropsRunes is how long the JSON of a post's props (attachments and
	// props.card included) may be: model.PostPropsMaxUserRunes = 800000 -
	// 40000 (server/public/model/post.go). The server moves attachments
	// that do not fit to further posts, and cuts the text of one that does
	// not fit alone (app/webhook.go splitWebhookPost); Herald's parts stay
	// far below it.
	MaxPropsRunes = 760000
	// maxCard bounds props.card, shown in the right-hand side panel.
	// Mattermost documents no limit of its own besides MaxPropsRunes; the
	// card is cut (safely) at the post size so that a part stays a
	// reasonable size.
	maxCard = DefaultMaxPostSize
	// maxFieldValue bounds a short field's value: fields sit side by side
	// in two columns; a long label value reads better in the text.
	maxFieldValue = 300
	// maxTitle bounds an attachment title: one line above the text.
	maxTitle = 250
	// maxResponse bounds how much of an answer is read.
	maxResponse = 64 << 10
)

// Rate limits. Mattermost's API rate limiting is off by default; when an
// administrator turns it on, every request, incoming webhooks included, is
// counted per remote address (or a header such as X-Real-IP) at PerSec
// requests a second (default 10) with a burst of MaxBurst (default 100)
// (https://docs.mattermost.com/configure/rate-limiting-configuration-settings.html;
// server/channels/app/ratelimit.go). All the webhooks of one server share
// Herald's address, so Herald keeps one allowance per server, a little
// under the default rate (safetyMargin), and pauses when an answer says
// the allowance is spent (X-RateLimit-Remaining: 0) or on a 429.
const (
	defaultPerSecond = 10
	defaultBurst     = 10
	safetyMargin     = 0.95
)

// defaultRate is the allowance of one server: one request every
// 1/(10×0.95) s, with a burst of 10 (Mattermost's own burst is 100, but a
// burst of alerts is folded anyway).
func defaultRate() notify.Rate {
	margin := safetyMargin
	return notify.Rate{Events: 1, Per: time.Duration(float64(time.Second) / (defaultPerSecond * margin)), Burst: defaultBurst}
}

// runes is the length Mattermost checks against its limits.
func runes(s string) int { return utf8.RuneCountInString(s) }
