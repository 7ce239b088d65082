package wecom

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// checkParts checks what WeCom and the strict fake check of each part,
// plus what only a reader notices: markup cut in two.
func checkParts(t *testing.T, parts []string, limit int) {
	t.Helper()
	for i, p := range parts {
		switch {
		case len(p) > limit:
			t.Errorf("part %d is %d bytes, over %d", i, len(p), limit)
		case !utf8.ValidString(p):
			t.Errorf("part %d cuts a UTF-8 sequence", i)
		case strings.TrimSpace(p) == "":
			t.Errorf("part %d is blank", i)
		case strings.Count(p, "<font") != strings.Count(p, "</font>"):
			t.Errorf("part %d has unbalanced font tags:\n%s", i, p)
		}
		for _, line := range strings.Split(p, "\n") {
			if strings.Count(line, "**")%2 != 0 {
				t.Errorf("part %d has a bold run cut in two: %q", i, line)
			}
		}
	}
}

func TestSplitLines(t *testing.T) {
	t.Parallel()
	var lines []string
	for i := range 300 {
		lines = append(lines, fmt.Sprintf("🔥 **Alert%03d** host-%03d — 磁盘空间不足", i, i))
	}
	text := strings.Join(lines, "\n")
	parts := Split(text, MaxMarkdownBytes)
	checkParts(t, parts, MaxMarkdownBytes)
	if len(parts) < 4 {
		t.Fatalf("%d parts for %d bytes", len(parts), len(text))
	}
	// Cut at line breaks only: joining the parts gives the text back.
	if strings.Join(parts, "\n") != text {
		t.Error("the parts do not add up to the text")
	}
	if got := Split("short\n\n  \n", MaxMarkdownBytes); len(got) != 1 || got[0] != "short" {
		t.Errorf("short text: %q", got)
	}
	if got := Split(" \n\n ", MaxMarkdownBytes); len(got) != 0 {
		t.Errorf("blank text: %q", got)
	}
}

func TestSplitLongLines(t *testing.T) {
	t.Parallel()
	cjk := strings.Repeat("磁盘空间不足", 400) // 7200 bytes, no space
	tests := []struct {
		name  string
		line  string
		limit int
		keep  []string // must reach some part whole
	}{
		{"CJK without spaces", cjk, MaxMarkdownBytes, nil},
		{"words", strings.Repeat("word ", 2000), MaxMarkdownBytes, nil},
		{"font open across the cut", `<font color="comment">` + cjk + `</font> after`, MaxMarkdownBytes, nil},
		{"bold across the cut", "**" + strings.Repeat("bold ", 1000) + "** plain", MaxMarkdownBytes, nil},
		{"nested", `**<font color="warning">` + strings.Repeat("日本 ", 1500) + `</font>**`, 1000, nil},
		{"links stay whole", strings.Repeat("[Runbook](http://wiki.example/runbooks/disk-full) ", 200), 500,
			[]string{"[Runbook](http://wiki.example/runbooks/disk-full)"}},
		{"code stays whole", strings.Repeat("`kubectl get pods -n monitoring` ", 200), 300,
			[]string{"`kubectl get pods -n monitoring`"}},
		{"link longer than a part", "[x](http://e.example/" + strings.Repeat("a", 300) + ")", 100, nil},
		{"quote", "> " + strings.Repeat("quoted text ", 500), MaxMarkdownBytes, nil},
		{"emoji", strings.Repeat("🔥⚠️", 1000), 1000, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := Split(tt.line, tt.limit)
			if len(parts) < 2 {
				t.Fatalf("%d parts", len(parts))
			}
			checkParts(t, parts, tt.limit)
			for _, k := range tt.keep {
				for i, p := range parts {
					if c := strings.Count(p, k[:10]); c != strings.Count(p, k) {
						t.Errorf("part %d cuts %q:\n%s", i, k, p)
					}
				}
			}
			if strings.HasPrefix(tt.line, ">") {
				for i, p := range parts {
					if !strings.HasPrefix(p, ">") {
						t.Errorf("part %d of a quote is not quoted: %.40q", i, p)
					}
				}
			}
			// Nothing is lost: the visible text of the parts is the line's.
			strip := regexp.MustCompile(`</?font[^>]*>|\*\*|^> |\s`)
			var got strings.Builder
			for _, p := range parts {
				got.WriteString(strip.ReplaceAllString(p, ""))
			}
			if want := strip.ReplaceAllString(tt.line, ""); got.String() != want {
				t.Errorf("text changed:\n got %.200q\nwant %.200q", got.String(), want)
			}
		})
	}
}

func TestLayout(t *testing.T) {
	t.Parallel()
	var alerts amtemplate.Alerts
	var lines []string
	lines = append(lines, "**🔥 120 alerts firing**")
	for i := range 120 {
		name := fmt.Sprintf("Alert%03d", i)
		alerts = append(alerts, amtemplate.Alert{Labels: amtemplate.KV{"alertname": name}})
		lines = append(lines, fmt.Sprintf("🔥 **%s** host-%03d — %s", name, i, strings.Repeat("磁盘空间不足", 20)))
	}
	text := strings.Join(lines, "\n")

	t.Run("all fit", func(t *testing.T) {
		parts := layout(text, "<@zhangsan>", 17, alerts, "http://am:9093")
		checkParts(t, parts, MaxMarkdownBytes)
		if !strings.HasSuffix(parts[0], "\n<@zhangsan>") || strings.Count(strings.Join(parts, "\n"), "<@zhangsan>") != 1 {
			t.Errorf("mentions not at the end of the first part")
		}
		for i, p := range parts[1:] {
			if want := fmt.Sprintf("<font color=\"comment\">(%d/%d)</font>\n", i+2, len(parts)); !strings.HasPrefix(p, want) {
				t.Errorf("part %d does not start with %q", i+1, want)
			}
		}
		if got := shownAlerts(strings.Join(parts, "\n"), alerts); got != 120 {
			t.Errorf("%d alerts named, want 120", got)
		}
	})
	t.Run("shortened", func(t *testing.T) {
		parts := layout(text, "", 3, alerts, "http://am:9093")
		checkParts(t, parts, MaxMarkdownBytes)
		if len(parts) != 3 {
			t.Fatalf("%d parts, want 3", len(parts))
		}
		shown := shownAlerts(strings.Join(parts, "\n"), alerts)
		note := fmt.Sprintf("… %d more alerts not shown ([all in Alertmanager](http://am:9093/#/alerts))", 120-shown)
		if shown < 10 || shown >= 120 || !strings.HasSuffix(parts[2], `<font color="warning">`+note+"</font>") {
			t.Errorf("%d shown; last part ends:\n%s", shown, parts[2][len(parts[2])-300:])
		}
	})
	t.Run("one alert shortened", func(t *testing.T) {
		one := amtemplate.Alerts{{Labels: amtemplate.KV{"alertname": "Alert000"}}}
		parts := layout("### Alert000\n"+strings.Repeat("description line\n", 1000), "", 1, one, "")
		checkParts(t, parts, MaxMarkdownBytes)
		if len(parts) != 1 || !strings.HasSuffix(parts[0], `<font color="warning">… message shortened</font>`) {
			t.Errorf("parts %d, ends %q", len(parts), parts[0][len(parts[0])-80:])
		}
	})
}

func TestNameKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"HostDown":              "HostDown",
		"Disk <90%":             "Disk",
		"":                      "(unnamed alert)",
		"<x>":                   "＜x＞",
		" ":                     "(unnamed alert)",
		strings.Repeat("日", 20): strings.Repeat("日", 13),
	} {
		if got := nameKey(in); got != want {
			t.Errorf("nameKey(%q) = %q, want %q", in, got, want)
		}
	}
}
