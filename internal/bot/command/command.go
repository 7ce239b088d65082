// Package command parses the interactive bot's commands: the command line
// itself ("/silence@HeraldBot args") and the arguments of each command.
// Everything here is a pure function of its input, safe on any text a chat
// sends: work is linear in the input and bounded by MaxArgs, and refused
// arguments come back as a *UsageError with an example of correct use.
package command

import "strings"

// Telegram's rules for a command and a username (Bot API, BotCommand
// "command": 1-32 characters of a-z, 0-9 and _; usernames are at most 32
// characters of a-z, A-Z, 0-9 and _). Clients also mark commands typed
// with capitals, which Parse lower-cases.
const (
	maxName     = 32
	maxUsername = 32
)

// Command is a command line split up.
type Command struct {
	// Name is the command, lower-cased, without the slash and the bot's
	// username: "silence".
	Name string
	// Bot is the username written after the name ("/cmd@HeraldBot"), as
	// written; empty when the command names no bot.
	Bot string
	// Args is the rest of the text with white space cut from both ends;
	// line breaks and spaces inside are kept.
	Args string
	// ForUs says whether the command is for this bot: it names no bot, or
	// names this one. In a group, "/cmd@OtherBot" is another bot's.
	ForUs bool
}

// Parse reads a command line: a slash, a name of 1 to 32 letters, digits
// and underscores, optionally "@" and a bot's username, then white space
// (any Unicode space, a line break) or the end, then the arguments.
// White space before the slash is skipped. ok is false when the text is
// not a command; then the bot treats it as plain text. botUsername is the
// bot's own username, with or without "@"; when it is empty only commands
// that name no bot are ForUs.
func Parse(text, botUsername string) (c Command, ok bool) {
	s := strings.TrimLeftFunc(text, isSpace)
	if !strings.HasPrefix(s, "/") {
		return Command{}, false
	}
	s = s[1:]
	n := wordLen(s, maxName)
	if n == 0 {
		return Command{}, false
	}
	c.Name, s = strings.ToLower(s[:n]), s[n:]
	if strings.HasPrefix(s, "@") {
		m := wordLen(s[1:], maxUsername)
		if m == 0 {
			return Command{}, false
		}
		c.Bot, s = s[1:1+m], s[1+m:]
	}
	if s != "" && !startsWithSpace(s) {
		// "/cmd-x", "/cmd@bot@bot", a name longer than 32: not a command.
		return Command{}, false
	}
	c.Args = trim(s)
	me := strings.TrimPrefix(botUsername, "@")
	c.ForUs = c.Bot == "" || (me != "" && strings.EqualFold(c.Bot, me))
	return c, true
}

// String writes the command back as a command line that Parse reads as
// the same Command.
func (c Command) String() string {
	var b strings.Builder
	b.WriteString("/" + c.Name)
	if c.Bot != "" {
		b.WriteString("@" + c.Bot)
	}
	if c.Args != "" {
		b.WriteString(" " + c.Args)
	}
	return b.String()
}

// wordLen is the length of the run of [A-Za-z0-9_] that s starts with, or
// 0 when there is none or it is longer than max. It looks at max+1 bytes
// at most.
func wordLen(s string, max int) int {
	n := 0
	for n < len(s) && n <= max && isWordByte(s[n]) {
		n++
	}
	if n > max {
		return 0
	}
	return n
}

func isWordByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

func startsWithSpace(s string) bool {
	for _, r := range s {
		return isSpace(r)
	}
	return false
}
