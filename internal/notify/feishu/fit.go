package feishu

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/notify"
)

// MaxBodyBytes is the largest request body Herald sends: "发送消息时，请求体的数据大小不能超过
// 20 KB", answered otherwise with 9499 Bad Request ("请求体大小不能超过 20 K")
// (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, 注意事项 and
// 测试调用). The documentation does not say whether a KB is 1000 or 1024
// bytes; Herald takes the smaller, and counts the whole body, signature
// included.
const MaxBodyBytes = 20000

// maxTitleBytes bounds the header, which Feishu shows on one line.
const maxTitleBytes = 200

// minBody keeps some text when the rest of the card is large.
const minBody = 500

// card builds the card of one message: header, markdown (body, then the
// mentions), fields, chart, buttons; the body is shortened, at line
// breaks, until the whole request fits in budget bytes.
func buildCard(title, colour, body, mentions string, fields []field, imageKey string, buttons []button, budget int) payload {
	title = notify.Truncate(strings.Join(strings.Fields(title), " "), maxTitleBytes)
	if title == "" {
		title = "Herald alert"
	}
	make := func(body string) payload {
		md := body
		if mentions != "" {
			md += "\n\n" + mentions
		}
		els := []element{{Tag: "markdown", Content: md}}
		if len(fields) > 0 {
			els = append(els, element{Tag: "div", Fields: fields})
		}
		if imageKey != "" {
			els = append(els, element{Tag: "img", ImgKey: imageKey, Alt: &text{Tag: "plain_text", Content: "Chart"}})
		}
		if len(buttons) > 0 {
			els = append(els, element{Tag: "hr"}, element{Tag: "action", Actions: buttons})
		}
		return payload{MsgType: "interactive", Card: card{Config: cardConfig{WideScreenMode: true},
			Header: header{Title: text{Tag: "plain_text", Content: title}, Template: colour}, Elements: els}}
	}
	p := make(body)
	for {
		over := len(encode(p)) - budget
		if over <= 0 {
			return p
		}
		if short := shorten(body, max(escLen(body)-over, minBody)); short != body {
			body = short
		} else if len(buttons) > 0 {
			// Only a silence link of an alert with huge labels gets here:
			// the button with the longest URL goes, the alert stays.
			longest := 0
			for i, b := range buttons {
				if len(b.URL) > len(buttons[longest].URL) {
					longest = i
				}
			}
			buttons = append(buttons[:longest:longest], buttons[longest+1:]...)
		} else {
			return p // Feishu refuses it and says so; nothing is left to cut
		}
		p = make(body)
	}
}

// shorten cuts text to at most budget JSON-escaped bytes: whole lines
// from the end, replaced by a note of how many were left out, so that no
// markup element (the default template keeps each on one line) is cut;
// a first line longer than the budget is cut between characters.
func shorten(text string, budget int) string {
	const reserve = 64 // the note
	lines := strings.Split(text, "\n")
	size, keep := 0, 0
	for keep < len(lines) {
		n := escLen(lines[keep]) + 2 // the line and its "\n"
		if size+n > budget-reserve {
			break
		}
		size += n
		keep++
	}
	if keep == 0 {
		return cutRunes(lines[0], budget-reserve) + "…"
	}
	out := strings.TrimRight(strings.Join(lines[:keep], "\n"), "\n")
	if left := len(lines) - keep; left > 0 {
		out += fmt.Sprintf("\n\n… %d more lines not shown", left)
	}
	return out
}

// cutRunes is the head of s of at most budget JSON-escaped bytes, cut
// between characters.
func cutRunes(s string, budget int) string {
	size := 0
	for i, r := range s {
		n := escLen(string(r))
		if size+n > budget {
			return s[:i]
		}
		size += n
	}
	return s
}

// escLen is the length of s inside a JSON string as encode writes it (no
// HTML escaping).
func escLen(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
			n += 2
		case r < 0x20 || r == '\u2028' || r == '\u2029' || r == utf8.RuneError:
			n += 6
		default:
			n += utf8.RuneLen(r)
		}
	}
	return n
}
