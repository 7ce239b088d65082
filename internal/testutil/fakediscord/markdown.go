package fakediscord

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format is a piece of formatting Discord applies to markdown: Kind is
// "bold", "italic", "underline", "strike", "spoiler", "code", "pre",
// "heading", "subtext", "quote" or "list"; Text is what it applies to.
type Format struct{ Kind, Text string }

// Markup is what Discord makes of the markdown of a message: its content,
// and its embeds' titles, descriptions and fields.
type Markup struct {
	// Links are the targets of masked links ([text](url)), autolinks
	// (<url>) and bare URLs, which Discord all makes clickable.
	Links []string
	// Mentions are the mentions Discord shows as such: @everyone, @here,
	// <@id>, <@!id>, <@&id> and <#id>.
	Mentions []string
	// Pings are the mentions that notify someone: those of the content
	// that allowed_mentions lets through (embeds never ping).
	Pings []string
	// Formats are the formatting applied.
	Formats []Format
	// Plain is what a reader sees, each text on its own line: escapes
	// removed, markup characters kept (tests look for words).
	Plain string
}

// Markup parses the message's markdown the way Discord renders it.
func (m Message) Markup() Markup {
	var out Markup
	var plain []string
	add := func(s string, content bool) {
		if s == "" {
			return
		}
		r := parseMarkdown(s)
		out.Links = append(out.Links, r.links...)
		out.Mentions = append(out.Mentions, r.mentions...)
		out.Formats = append(out.Formats, r.formats...)
		plain = append(plain, r.plain)
		if content {
			out.Pings = append(out.Pings, pings(r.mentions, m.AllowedMentions)...)
		}
	}
	add(m.Content, true)
	for _, e := range m.Embeds {
		add(e.Title, false)
		add(e.Description, false)
		for _, f := range e.Fields {
			add(f.Name, false)
			add(f.Value, false)
		}
	}
	out.Plain = strings.Join(plain, "\n")
	return out
}

// pings are the mentions that notify, given allowed_mentions: without it
// every kind does ("parse" defaults to all of them); with it only the
// kinds it parses and the ids it lists
// (https://discord.com/developers/docs/resources/message#allowed-mentions-object).
func pings(mentions []string, am *AllowedMentions) []string {
	var out []string
	for _, men := range mentions {
		kind, id := mentionKind(men)
		switch {
		case kind == "":
		case am == nil, slices.Contains(am.Parse, kind),
			kind == "users" && slices.Contains(am.Users, id), kind == "roles" && slices.Contains(am.Roles, id):
			out = append(out, men)
		}
	}
	return out
}

// mentionKind is the allowed_mentions type of a mention and its id; ""
// for a channel mention, which notifies nobody.
func mentionKind(men string) (kind, id string) {
	switch {
	case men == "@everyone", men == "@here":
		return "everyone", ""
	case strings.HasPrefix(men, "<@&"):
		return "roles", strings.Trim(men[3:], ">")
	case strings.HasPrefix(men, "<@!"):
		return "users", strings.Trim(men[3:], ">")
	case strings.HasPrefix(men, "<@"):
		return "users", strings.Trim(men[2:], ">")
	}
	return "", ""
}

type parsed struct {
	links, mentions []string
	formats         []Format
	plain           string
}

// hidden maps an escaped character, or one inside code, to a private-use
// rune, so that the patterns below never see it as markup.
const hidden = 0xF0000

func hide(r rune) rune { return hidden + r }

func unhide(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= hidden && r < hidden+0x10000 {
			return r - hidden
		}
		return r
	}, s)
}

// Discord's patterns, after escapes and code are hidden.
var (
	maskedLinkRE = regexp.MustCompile(`\[([^\[\]]*)\]\(\s*<?(https?://[^\s)>]+)>?(?:\s+"[^"]*")?\s*\)`)
	autolinkRE   = regexp.MustCompile(`<(https?://[^\s>]+)>`)
	bareURLRE    = regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])(https?://[^\s<]+[^\s<.,:;"')\]])`)
	mentionRE    = regexp.MustCompile(`<(?:@[!&]?|#)\d+>|(?:^|[^\p{L}\p{N}])(@(?:everyone|here))`)
	headingRE    = regexp.MustCompile(`^(#{1,3}) \S`)
	listRE       = regexp.MustCompile(`^(?:[-*+]|\d+[.)]) \S`)
	spanRE       = []struct {
		kind string
		re   *regexp.Regexp
	}{
		{"bold", regexp.MustCompile(`\*\*(\S(?:.*?\S)?)\*\*`)},
		{"underline", regexp.MustCompile(`__(\S(?:.*?\S)?)__`)},
		{"strike", regexp.MustCompile(`~~(\S(?:.*?\S)?)~~`)},
		{"spoiler", regexp.MustCompile(`\|\|(.+?)\|\|`)},
		{"italic", regexp.MustCompile(`(?:^|[^*])\*(\S(?:[^*]*?\S)?)\*(?:[^*]|$)`)},
		{"italic", regexp.MustCompile(`(?:^|[^\p{L}\p{N}_])_(\S(?:[^_]*?\S)?)_(?:[^\p{L}\p{N}_]|$)`)},
	}
)

// parseMarkdown finds what Discord renders in s.
func parseMarkdown(s string) parsed {
	var p parsed
	s = p.hideCode(s)
	for line := range strings.SplitSeq(s, "\n") {
		p.line(line)
	}
	p.plain = unhide(s)
	return p
}

// hideCode hides escaped characters and the contents of code blocks and
// spans (recording them), left to right as Discord reads them: a
// backslash escapes any punctuation (not inside code), and a backtick
// that is escaped opens nothing.
func (p *parsed) hideCode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\\' && i+1 < len(s):
			next, m := utf8.DecodeRuneInString(s[i+1:])
			if !unicode.IsLetter(next) && !unicode.IsDigit(next) && !unicode.IsSpace(next) {
				b.WriteRune(hide(next))
				i += 1 + m
				continue
			}
		case strings.HasPrefix(s[i:], "```"):
			if j := strings.Index(s[i+3:], "```"); j >= 0 {
				p.formats = append(p.formats, Format{"pre", s[i+3 : i+3+j]})
				b.WriteString(strings.Map(hide, s[i:i+6+j]))
				i += 6 + j
				continue
			}
		case r == '`':
			if j := strings.IndexByte(s[i+1:], '`'); j > 0 && !strings.Contains(s[i+1:i+1+j], "\n") {
				p.formats = append(p.formats, Format{"code", s[i+1 : i+1+j]})
				b.WriteString(strings.Map(hide, s[i:i+2+j]))
				i += 2 + j
				continue
			}
		}
		b.WriteRune(r)
		i += n
	}
	return b.String()
}

// line finds the markup of one line (code and escapes hidden).
func (p *parsed) line(l string) {
	t := strings.TrimLeft(l, " ")
	switch {
	case headingRE.MatchString(t):
		p.formats = append(p.formats, Format{"heading", unhide(t)})
	case strings.HasPrefix(t, "-# ") && len(t) > 3:
		p.formats = append(p.formats, Format{"subtext", unhide(t)})
	case strings.HasPrefix(t, "> ") || strings.HasPrefix(t, ">>> "):
		p.formats = append(p.formats, Format{"quote", unhide(t)})
	case listRE.MatchString(t):
		p.formats = append(p.formats, Format{"list", unhide(t)})
	}
	for _, m := range maskedLinkRE.FindAllStringSubmatch(l, -1) {
		p.links = append(p.links, unhide(m[2]))
	}
	rest := maskedLinkRE.ReplaceAllString(l, " $1 ")
	for _, m := range autolinkRE.FindAllStringSubmatch(rest, -1) {
		p.links = append(p.links, unhide(m[1]))
	}
	rest = autolinkRE.ReplaceAllString(rest, " ")
	for _, m := range bareURLRE.FindAllStringSubmatch(rest, -1) {
		p.links = append(p.links, unhide(m[1]))
	}
	// Link targets are not markdown: "_" in a URL is no emphasis.
	rest = bareURLRE.ReplaceAllString(rest, " ")
	for _, m := range mentionRE.FindAllStringSubmatch(l, -1) {
		men := strings.TrimSpace(m[0])
		if m[1] != "" {
			men = m[1]
		}
		p.mentions = append(p.mentions, men)
	}
	// Outer marks first, each match then read as its text, so that
	// "**b**" is bold and not also italic.
	for _, sp := range spanRE {
		rest = sp.re.ReplaceAllStringFunc(rest, func(match string) string {
			m := sp.re.FindStringSubmatch(match)
			p.formats = append(p.formats, Format{sp.kind, unhide(m[1])})
			return " " + m[1] + " "
		})
	}
}

// lookalikes are characters that read as markup characters but are not
// markup, and invisible ones: what people read is the ASCII character, or
// nothing.
var lookalikes = strings.NewReplacer("\u200b", "", "\u200d", "", "\u2060", "", "ˋ", "`")

// Fold returns s as a person reads it: invisible characters (zero-width
// space and joiners) dropped and "ˋ" read as the backtick it looks like.
// Tests compare what a message shows with a label value through it.
func Fold(s string) string { return lookalikes.Replace(s) }
