package slack

import (
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/notify"
)

// Block Kit limits. Slack counts "characters" without saying how; Herald
// counts UTF-16 code units (what a JavaScript string's length is), which is
// never less than the number of code points, so a text within these limits
// is within them whichever way Slack counts.
const (
	// MaxBlocks: "You can include up to 50 blocks in each message"
	// (https://docs.slack.dev/reference/block-kit/blocks).
	MaxBlocks = 50
	// MaxSectionText: "Maximum length for the text in this field is 3000
	// characters" (https://docs.slack.dev/reference/block-kit/blocks/section-block).
	MaxSectionText = 3000
	// MaxHeaderText: "Maximum length for the text in this field is 150
	// characters" (https://docs.slack.dev/reference/block-kit/blocks/header-block).
	MaxHeaderText = 150
	// MaxContextElements: at most 10 elements in a context block
	// (https://docs.slack.dev/reference/block-kit/blocks/context-block).
	MaxContextElements = 10
	// MaxActionElements: "There is a maximum of 25 elements in each action
	// block" (https://docs.slack.dev/reference/block-kit/blocks/actions-block).
	MaxActionElements = 25
	// MaxButtonText: a button's text is at most 75 characters
	// (https://docs.slack.dev/reference/block-kit/block-elements/button-element).
	MaxButtonText = 75
	// MaxButtonURL: a button's url is at most 3000 characters (same page).
	MaxButtonURL = 3000
	// MaxImageURL: an image block's image_url is at most 3000 characters
	// (https://docs.slack.dev/reference/block-kit/blocks/image-block).
	MaxImageURL = 3000
	// MaxAltText: an image block's alt_text is at most 2000 characters
	// (same page).
	MaxAltText = 2000
	// MaxTextObject is the longest text of any other text object, such as a
	// context element (https://docs.slack.dev/reference/block-kit/composition-objects/text-object).
	MaxTextObject = 3000
	// MaxMessageText: Slack truncates a message's text over 40,000
	// characters (https://docs.slack.dev/reference/methods/chat.postMessage,
	// "Truncating content"; https://api.slack.com/changelog/2018-04-truncating-really-long-messages).
	MaxMessageText = 40000
	// MaxUploadAltText: files.getUploadURLExternal refuses an alt_txt over
	// 1000 characters with alt_txt_too_large
	// (https://docs.slack.dev/reference/methods/files.getUploadURLExternal).
	MaxUploadAltText = 1000
)

// maxBodyText bounds the text of all section blocks of one message
// together. It is not a documented limit: Slack answers msg_blocks_too_long
// to messages whose blocks hold about 13,000 characters or more, well
// within the documented per-block limits
// (https://github.com/slackapi/bolt-js/issues/2509). 12,000 keeps clear of
// it; a longer body is shortened with a "… N more alerts" note.
const maxBodyText = 12000

// Rate limits. Slack counts per method and workspace, and for posting per
// channel; Herald keeps a little under each (safetyMargin), so that
// network jitter never makes two requests look closer than allowed.
const (
	// perChannelPerSecond: chat.postMessage "generally allows posting one
	// message per second per channel" and "Posting messages: 1 per second,
	// short bursts >1 allowed", incoming webhooks included
	// (https://docs.slack.dev/apis/web-api/rate-limits). A file shared into
	// a channel is a message too, so uploads count against it.
	perChannelPerSecond = 1
	// tier3PerMinute: chat.update is a Tier 3 method, "50+ per minute"
	// (https://docs.slack.dev/reference/methods/chat.update;
	// https://docs.slack.dev/apis/web-api/rate-limits).
	tier3PerMinute = 50
	// tier4PerMinute: files.getUploadURLExternal and
	// files.completeUploadExternal are Tier 4, "100+ per minute"
	// (https://docs.slack.dev/reference/methods/files.getUploadURLExternal,
	// .../files.completeUploadExternal).
	tier4PerMinute = 100
	// safetyMargin is the share of each limit Herald uses.
	safetyMargin = 0.95
)

// rates are the allowances of one webhook or bot token.
type rates struct {
	// perChannel spaces messages to one channel (or one webhook).
	perChannel notify.Rate
	// tier3 and tier4 are per-method allowances for the whole token.
	tier3, tier4 notify.Rate
}

// defaultRates are Slack's documented limits with the safety margin. The
// per-channel allowance has no burst: Slack tolerates bursts "for short
// periods" without saying how long, and one message a second is fast
// enough for alerts, whose storms are folded anyway.
func defaultRates() rates {
	margin := safetyMargin // a variable, so that the products below round down
	return rates{
		perChannel: notify.Rate{Events: 1, Per: time.Duration(float64(time.Second) / (perChannelPerSecond * margin)), Burst: 1},
		tier3:      notify.Rate{Events: int(tier3PerMinute * margin), Per: time.Minute, Window: true},
		tier4:      notify.Rate{Events: int(tier4PerMinute * margin), Per: time.Minute, Window: true},
	}
}

// scaled are r k times as fast: every period divided by k.
func (r rates) scaled(k float64) rates {
	scale := func(x notify.Rate) notify.Rate {
		x.Per = time.Duration(float64(x.Per) / k)
		return x
	}
	return rates{perChannel: scale(r.perChannel), tier3: scale(r.tier3), tier4: scale(r.tier4)}
}

// textLen is the length Herald checks against Slack's limits: UTF-16 code
// units (see the Block Kit limits above).
func textLen(s string) int {
	n := 0
	for _, r := range s {
		if r == utf8.RuneError {
			n++
			continue
		}
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}
