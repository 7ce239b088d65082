package fakediscord

import (
	"fmt"
	"testing"
)

func TestMarkup(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		content, want string
		am            *AllowedMentions
	}{
		{"[a](http://x.example/p) <https://y.example> see http://z.example/q.", "links [http://x.example/p https://y.example http://z.example/q] mentions [] pings [] formats []", nil},
		{`\[a\](http:` + "\u200b" + `//x.example) \<https://y\>`, "links [https://y>] mentions [] pings [] formats []", nil},
		{"@everyone <@123> <@&45> <#6> a@here.example", "links [] mentions [@everyone <@123> <@&45> <#6>] pings [@everyone <@123> <@&45>] formats []", nil},
		{"@everyone <@123>", "links [] mentions [@everyone <@123>] pings [] formats []", &AllowedMentions{Parse: []string{}}},
		{"<@123> <@9>", "links [] mentions [<@123> <@9>] pings [<@9>] formats []", &AllowedMentions{Users: []string{"9"}}},
		{`\@everyone \<@123\> @` + "\u200b" + `here`, "links [] mentions [] pings [] formats []", nil},
		{"**b** *i* _i_ node_exporter __u__ ~~s~~ ||sp|| `c [x](http://x.example)`", "links [] mentions [] pings [] formats [{code c [x](http://x.example)} {bold b} {underline u} {strike s} {spoiler sp} {italic i} {italic i}]", nil},
		{`\*\*b\*\* \_i\_ \# h`, "links [] mentions [] pings [] formats []", nil},
		{"# h\n-# s\n> q\n- l\n1. n\n```\nswallow", "links [] mentions [] pings [] formats [{heading # h} {subtext -# s} {quote > q} {list - l} {list 1. n}]", nil},
	} {
		m := Message{Content: c.content, AllowedMentions: c.am}
		r := m.Markup()
		if got := fmt.Sprintf("links %v mentions %v pings %v formats %v", r.Links, r.Mentions, r.Pings, r.Formats); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.content, got, c.want)
		}
	}
}
