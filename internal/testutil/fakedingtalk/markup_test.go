package fakedingtalk

import (
	"testing"
)

// DingTalk highlights "@" and a mobile or user id of the at object, and
// nothing else of the kind; the rest of the reading is fakemarkdown's.
func TestMarkup(t *testing.T) {
	t.Parallel()
	m := &Message{AtMobiles: []string{"13800000000"}, AtUserIDs: []string{"manager7"},
		Text: "#### **HighCPU**\n[Source](http://prom:9090/x) @13800000000 @manager7 @13900000000 <@all>"}
	if got := m.Mentions(); len(got) != 3 || got[0].Target != "all" || got[1].Target != "13800000000" || got[2].Target != "manager7" {
		t.Errorf("mentions %v", got)
	}
	if len(m.Links()) != 1 || len(m.Images()) != 0 || len(m.Formatting()) != 2 {
		t.Errorf("links %v images %v formatting %v", m.Links(), m.Images(), m.Formatting())
	}
}
