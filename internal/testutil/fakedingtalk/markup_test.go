package fakedingtalk

import (
	"fmt"
	"testing"
)

// The fake reads what DingTalk would render: each line below is one
// element, and the neutralised forms are none.
func TestMarkup(t *testing.T) {
	m := &Message{AtMobiles: []string{"13800000000"}, Text: "### 🔥 **HighCPU** · critical\n\n" +
		"[Source](http://prom:9090/graph?g0.expr=a_(b)) ![chart](https://h/i.png)\n" +
		"<font color=#ff0000>red</font> <a href=\"http://e/a\">a</a> <img src=\"http://e/i\"> <http://e/auto>\n" +
		"see http://e/bare and www.e.example, <@all> @all @13800000000 *it* _it_ ~~s~~ `c`\n" +
		"> quote\n- item\n\n```\ncode\n```\n" +
		"［x］(http:／／e) ＜＠all＞ ＠all ＊＊b＊＊ ＃ h www．e.example"}
	var got []string
	for _, e := range m.Markup() {
		got = append(got, e.Kind+" "+e.Target)
	}
	// In the order the reader takes them out of a line: code spans, links
	// and images, mentions, autolinks, tags, bare URLs, then emphasis.
	want := []string{"heading ", "bold ", "link http://prom:9090/graph?g0.expr=a_(b)", "image https://h/i.png",
		"link http://e/auto", "font ", "font ", "link http://e/a", "image http://e/i",
		"code ", "mention all", "link http://e/bare", "link www.e.example,", "mention all", "mention 13800000000",
		"strike ", "italic ", "italic ", "quote ", "list ", "code ", "code "}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if len(m.Links()) != 5 || len(m.Images()) != 2 || len(m.Mentions()) != 3 {
		t.Errorf("links %v images %v mentions %v", m.Links(), m.Images(), m.Mentions())
	}
}
