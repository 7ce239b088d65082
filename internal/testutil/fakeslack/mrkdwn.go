package fakeslack

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
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

// Format is a piece of formatting Slack would apply to mrkdwn text: Kind
// is "bold", "italic", "strike", "code", "pre" or "quote"; Text is what it
// applies to, as sent.
type Format struct{ Kind, Text string }

// spanMarks are the inline marks of mrkdwn and what they do.
var spanMarks = map[byte]string{'*': "bold", '_': "italic", '~': "strike"}

// formats lists the formatting of mrkdwn text as Slack applies it: a code
// block between ``` marks, a code span between backticks, *bold*, _italic_
// and ~strike~ whose marks stand at word boundaries (a mark inside a word,
// as in node_exporter, is a character), and quote lines starting with ">"
// (or "&gt;", as Slack stores it).
func formats(s string) []Format {
	var out []Format
	for {
		i := strings.Index(s, "```")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+3:], "```")
		if j < 0 {
			break
		}
		out = append(out, Format{"pre", s[i+3 : i+3+j]})
		s = s[:i] + " " + s[i+6+j:]
	}
	for line := range strings.SplitSeq(s, "\n") {
		if strings.HasPrefix(line, ">") || strings.HasPrefix(line, "&gt;") {
			out = append(out, Format{"quote", line})
		}
		out = append(out, spans(line)...)
	}
	return out
}

// spans finds the code spans and emphasis of one line.
func spans(line string) []Format {
	var out []Format
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '`' {
			if j := strings.IndexByte(line[i+1:], '`'); j > 0 {
				out = append(out, Format{"code", line[i+1 : i+1+j]})
				i += j + 1
			}
			continue
		}
		kind, ok := spanMarks[c]
		if !ok || !boundary(before(line, i)) || i+1 >= len(line) || isSpace(line[i+1]) {
			continue
		}
		for j := i + 2; j < len(line); j++ {
			if line[j] == c && !isSpace(line[j-1]) && boundary(after(line, j+1)) {
				out = append(out, Format{kind, line[i+1 : j]})
				i = j
				break
			}
		}
	}
	return out
}

// boundary reports whether r (-1 for the edge of the line) may stand next
// to a formatting mark: a blank, punctuation or nothing, not a letter or
// a digit.
func boundary(r rune) bool { return r < 0 || !(unicode.IsLetter(r) || unicode.IsDigit(r)) }

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func before(s string, i int) rune {
	if i == 0 {
		return -1
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r
}

func after(s string, i int) rune {
	if i >= len(s) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

// bareURL is a URL Slack links by itself in mrkdwn text that is not
// verbatim.
var bareURL = regexp.MustCompile(`(?i)\bhttps?://[^\s<>|]+`)

// bareMention is a special mention Slack parses by itself in mrkdwn text
// that is not verbatim.
var bareMention = regexp.MustCompile(`(?:^|[^\p{L}\p{N}])(@(?:here|channel|everyone))\b`)

// autoParsed lists what Slack finds by itself in mrkdwn text whose
// verbatim is false, as it is by default: "URLs will be auto-converted into
// links, conversation names will be link-ified, and certain mentions will
// be automatically parsed"
// (https://docs.slack.dev/reference/block-kit/composition-objects/text-object).
// Control sequences (<…>) are left out: links and mentions find those.
func autoParsed(s string) (links, mentions []string) {
	s = controlRE.ReplaceAllString(s, " ")
	links = bareURL.FindAllString(s, -1)
	for _, m := range bareMention.FindAllStringSubmatch(s, -1) {
		mentions = append(mentions, m[1])
	}
	return links, mentions
}

var controlRE = regexp.MustCompile(`<[^>\n]*>`)

// lookalikes are characters that read as Slack's markup characters but are
// not markup: what people read is the ASCII character.
var lookalikes = strings.NewReplacer("\u200b", "", "\u200d", "", "\u2060", "",
	"∗", "*", "∼", "~", "ˋ", "`", "ˍ", "_")

// Fold returns s as a person reads it: invisible characters (zero-width
// space and joiners) dropped and look-alikes of markup characters read as
// the characters they look like. Tests compare what a message shows with
// a label value through it.
func Fold(s string) string { return lookalikes.Replace(s) }
