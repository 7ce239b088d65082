package wecom

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/template"
)

// How mentions reach WeCom. Markdown messages ignore mentioned_list and
// mentioned_mobile_list (only text messages take them), but their content
// may mention members by user id with "<@userid>" ("机器人的text/markdown类型
// 消息支持在content中使用<@userid>扩展语法来@群成员",
// https://developer.work.weixin.qq.com/document/path/91770). So:
//   - user_ids go into the markdown itself, one <@id> each, at the end of
//     its first part: no extra message;
//   - mobiles and all (which markdown cannot express) go into one short
//     text message after the markdown and the chart, with
//     mentioned_mobile_list and mentioned_list ["@all"].
// Both only for firing events and reminders: a resolution calls nobody.

// userIDPattern is a WeCom member account: "只能由数字、字母和“_-@.”四种字符
// 组成，且第一个字符必须是数字或字母", 1 to 64 bytes
// (https://developer.work.weixin.qq.com/document/path/90195, userid).
var userIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$`)

// mobilePattern is a phone number as WeCom's member mobiles are written:
// digits, optionally an international "+" prefix and dashes.
var mobilePattern = regexp.MustCompile(`^\+?[0-9][0-9-]{4,23}$`)

// maxMentionBytes bounds the <@userid> line, which every first markdown
// part must leave room for.
const maxMentionBytes = 1024

// mentionAll is how WeCom's lists say "everyone".
const mentionAll = "@all"

// checkMention validates the channel's mentions and returns the markdown
// line that mentions its user ids ("" for none).
func checkMention(m *Mention) (string, error) {
	if m == nil {
		return "", nil
	}
	for i, mob := range m.Mobiles {
		if !mobilePattern.MatchString(strings.TrimSpace(mob)) {
			return "", fmt.Errorf("wecom: mention.mobiles entry %d (%q) is not a phone number", i, mob)
		}
	}
	var ids []string
	for i, id := range m.UserIDs {
		if !userIDPattern.MatchString(id) {
			return "", fmt.Errorf("wecom: mention.user_ids entry %d (%q) is not a WeCom user id "+
				"(1-64 letters, digits and _-@., starting with a letter or digit)", i, id)
		}
		ids = append(ids, "<@"+id+">")
	}
	line := strings.Join(ids, " ")
	if len(line) > maxMentionBytes {
		return "", fmt.Errorf("wecom: mention.user_ids are too many (%d bytes of mentions; at most %d)", len(line), maxMentionBytes)
	}
	return line, nil
}

// mentionText is the text message that mentions the channel's mobiles and
// everyone for m, or nil when the channel mentions neither. Its content
// names the event in a line, so that the notification says what it is
// about while the details are in the markdown above.
func (n *Notifier) mentionText(m *notify.Message) *webhookMsg {
	men := n.cfg.Mention
	if men == nil || (!men.All && len(men.Mobiles) == 0) {
		return nil
	}
	t := &textBody{Content: cutUTF8(mentionContent(m), MaxTextBytes)}
	if men.All {
		t.MentionedList = []string{mentionAll}
	}
	for _, mob := range men.Mobiles {
		t.MentionedMobileList = append(t.MentionedMobileList, strings.TrimSpace(mob))
	}
	return &webhookMsg{MsgType: "text", Text: t}
}

// mentionContent is the one line of a mention message. Label values are
// plain text here, but "<@userid>" would mention someone and a URL would
// be clickable: they are neutralised as in the markdown.
func mentionContent(m *notify.Message) string {
	var alerts int
	what := "alert"
	if m.Data != nil {
		alerts = len(m.Data.Alerts)
		if alerts == 1 {
			a := m.Data.Alerts[0]
			what = strings.Join(strings.Fields(a.Labels["alertname"]), " ")
			if inst := strings.Join(strings.Fields(a.Labels["instance"]), " "); inst != "" {
				what += " on " + inst
			}
		}
	}
	if alerts > 1 {
		what = fmt.Sprintf("%d alerts", alerts)
	}
	if strings.TrimSpace(what) == "" {
		what = "alert"
	}
	what = cutUTF8(template.WeComText(what), 400)
	if m.Kind == alert.KindReminder {
		return "🔁 still firing: " + what + " (details above)"
	}
	return "🔥 firing: " + what + " (details above)"
}
