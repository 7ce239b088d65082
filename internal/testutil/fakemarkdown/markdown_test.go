package fakemarkdown

import (
	"fmt"
	"slices"
	"testing"
)

// The reader finds what a client would render: each line below is one
// element, and the neutralised forms (fullwidth lookalikes) are none.
func TestMarkdown(t *testing.T) {
	t.Parallel()
	text := "### 🔥 **HighCPU** · critical\n\n" +
		"[Source](http://prom:9090/graph?g0.expr=a_(b)) ![chart](https://h/i.png)\n" +
		"<font color=#ff0000>red</font> <a href=\"http://e/a\">a</a> <img src=\"http://e/i\"> <http://e/auto>\n" +
		"see http://e/bare and www.e.example, <@all> @all @13800000000 *it* _it_ ~~s~~ `c`\n" +
		"> quote\n- item\n\n```\ncode\n```\n" +
		"［x］(http:／／e) ＜＠all＞ ＠all ＊＊b＊＊ ＃ h www．e.example"
	es := Markdown(text, []string{"13800000000"})
	var got []string
	for _, e := range es {
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
	if l, i, m := OfKind(es, "link"), OfKind(es, "image"), OfKind(es, "mention"); len(l) != 5 || len(i) != 2 || len(m) != 3 {
		t.Errorf("links %v images %v mentions %v", l, i, m)
	}
	if f := Formatting(es); len(f) != len(es)-10 {
		t.Errorf("formatting %v", f)
	}
	// Without the at name, "@13800000000" is text.
	if m := OfKind(Markdown("@13800000000", nil), "mention"); len(m) != 0 {
		t.Errorf("mentions %v", m)
	}
}

// A plain text shows only mentions and bare URLs, a URL ending before the
// bracket that closes the text around it.
func TestText(t *testing.T) {
	t.Parallel()
	es := Text("**x** [a](http://e/a) <@lisi> @here ＜＠all＞")
	var got []string
	for _, e := range es {
		got = append(got, e.Kind+" "+e.Target)
	}
	if want := []string{"mention lisi", "mention here", "link http://e/a"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// The shape keeps where links go but not their path (Targets have it), whom mentions call,
// and the kinds of formatting, sorted.
func TestShape(t *testing.T) {
	t.Parallel()
	es := Markdown("**b** [x](https://wiki.example/runbooks/a%20b) <@zhangsan> ![i](http://h/i.png)", nil)
	if got, want := Shape(es), []string{"bold", "image http://h", "link https://wiki.example", "mention zhangsan"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := Targets(es), []string{"https://wiki.example/runbooks/a%20b", "http://h/i.png"}; !slices.Equal(got, want) {
		t.Errorf("targets %q, want %q", got, want)
	}
}
