package fakeslack

import (
	"strings"
)

// entities are the only ones Slack decodes in mrkdwn
// (https://docs.slack.dev/messaging/formatting-message-text#escaping).
var entities = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// render returns what a reader sees of mrkdwn text: control sequences
// replaced by what Slack shows for them (a link's label or URL, @here,
// @U123, #channel) and the three entities decoded. Formatting marks
// (*bold*, `code`) stay: the tests that read Plain look for words, and
// keeping them shows that a label did not turn into formatting.
func render(s string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexAny(s[i+1:], ">\n")
		if j < 0 || s[i+1+j] != '>' {
			// A '<' without its '>' is shown as it is.
			b.WriteString(entities.Replace(s[:i+1]))
			s = s[i+1:]
			continue
		}
		b.WriteString(entities.Replace(s[:i]))
		b.WriteString(showControl(s[i+1 : i+1+j]))
		s = s[i+2+j:]
	}
	b.WriteString(entities.Replace(s))
	return b.String()
}

// showControl is what Slack shows for the control sequence <inner>.
func showControl(inner string) string {
	target, label, hasLabel := strings.Cut(inner, "|")
	switch {
	case strings.HasPrefix(target, "@"), strings.HasPrefix(target, "#"):
		if hasLabel {
			return target[:1] + label
		}
		return target
	case strings.HasPrefix(target, "!"):
		name := strings.TrimPrefix(target, "!")
		if strings.HasPrefix(name, "date^") && hasLabel {
			return entities.Replace(label)
		}
		if hasLabel {
			return "@" + entities.Replace(label)
		}
		return "@" + strings.TrimPrefix(name, "subteam^")
	case hasLabel:
		return entities.Replace(label)
	}
	return entities.Replace(target)
}

// mentions lists the control sequences of mrkdwn text that notify people:
// <!here>, <!channel>, <!everyone>, <!subteam^…>, <@U…>. A label value that
// turned into one of these would ping a whole channel.
func mentions(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return out
		}
		j := strings.IndexAny(s[i+1:], ">\n")
		if j < 0 {
			return out
		}
		inner := s[i+1 : i+1+j]
		if s[i+1+j] == '>' && (strings.HasPrefix(inner, "!") && !strings.HasPrefix(inner, "!date^") || strings.HasPrefix(inner, "@")) {
			out = append(out, "<"+inner+">")
		}
		s = s[i+1+j:]
	}
}

// links lists the links of mrkdwn text: <url|label> and <url>.
func links(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return out
		}
		j := strings.IndexAny(s[i+1:], ">\n")
		if j < 0 {
			return out
		}
		target, _, _ := strings.Cut(s[i+1:i+1+j], "|")
		if s[i+1+j] == '>' && absoluteURL(target) {
			out = append(out, target)
		}
		s = s[i+1+j:]
	}
}
