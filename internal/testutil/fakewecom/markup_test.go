package fakewecom

import (
	"fmt"
	"testing"
)

// The fake reads what WeCom would render: links, mentions and formatting
// in markdown; only mentions and bare URLs in a text message; and none of
// the neutralised forms.
func TestMarkup(t *testing.T) {
	t.Parallel()
	md := &Message{Type: "markdown", Content: "### 🔥 Disk\n<font color=\"warning\">critical</font> **b** `c`\n" +
		"[Source](http://prom:9090/x) <@zhangsan> http://e/bare\n> quote\n" +
		"［x］(http:／／e) ＜＠all＞ ＊＊b＊＊ ＃ h"}
	var got []string
	for _, e := range md.Markup() {
		got = append(got, e.Kind+" "+e.Target)
	}
	want := []string{"heading ", "code ", "font ", "font ", "bold ", "link http://prom:9090/x", "mention zhangsan",
		"link http://e/bare", "quote "}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("markdown: got  %q\nwant %q", got, want)
	}
	txt := &Message{Type: "text", Content: "**x** [a](http://e/a) <@lisi> ＜＠all＞"}
	if ms := txt.Markup(); len(ms) != 2 || ms[0].Target != "lisi" || ms[1].Target != "http://e/a" {
		t.Errorf("text: %v", ms)
	}
}
