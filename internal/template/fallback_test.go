package template

import (
	"strings"
	"sync"
	"testing"
)

func TestExecuteFallsBack(t *testing.T) {
	tm, _ := newTestTemplates(t)
	d := testData("firing", false, nastyAlert())
	defaultHTML := tm.Execute(DefaultTelegramMessage, "", d, TelegramHTML)
	defaultText := tm.Execute(DefaultConsoleMessage, "", d, Text)

	tests := []struct {
		name    string
		text    string
		html    bool
		wantLog string
	}{
		{"undefined template", `{{ template "nope" . }}`, true, `no such template \"nope\"`},
		{"parse error", `{{ .Status `, false, "unclosed action"},
		{"execution error", `{{ .Nope.Field }}`, true, "can't evaluate field Nope"},
		{"function panics", `{{ reReplaceAll "(" "x" .Status }}`, false, "missing closing )"},
		{"empty result", `{{ if false }}x{{ end }}  `, true, "template rendered an empty message"},
		{"tag Telegram refuses", `<br>{{ .Status }}`, true, `unsupported start tag \"br\"`},
		{"unclosed tag", `<b>{{ .Status }}`, true, "no end tag for <b>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, logs := newTestTemplates(t)
			fallback, want := DefaultConsoleMessage, defaultText
			if tc.html {
				fallback, want = DefaultTelegramMessage, defaultHTML
			}
			if got := tm.Execute(tc.text, fallback, d, formatOf(tc.html)); got != want {
				t.Errorf("got:\n%s\nwant the default:\n%s", got, want)
			}
			log := logs.String()
			if !strings.Contains(log, "level=ERROR") || !strings.Contains(log, tc.wantLog) || !strings.Contains(log, "channel=ops") {
				t.Errorf("log does not report %q:\n%s", tc.wantLog, log)
			}
		})
	}
}

func TestExecuteBuiltInText(t *testing.T) {
	broken := `{{ template "nope" . }}`
	tests := []struct {
		name string
		data *Data
		html bool
		want string
	}{
		{
			name: "html",
			data: testData("firing", false, nastyAlert()),
			html: true,
			want: "🔥 FIRING: 1 alert\n🔥 Disk&lt;Full&gt;&amp;&#34;x&#34; db_1*prod\n(message template failed: see Herald's log)",
		},
		{
			name: "text",
			data: testData("resolved", true, resolvedAlert(nastyAlert()), resolvedAlert(nastyAlert())),
			want: "✅ RESOLVED: 2 alerts\n✅ Disk<Full>&\"x\" db_1*prod\n✅ Disk<Full>&\"x\" db_1*prod\n(message template failed: see Herald's log)",
		},
		{
			name: "nil data",
			html: true,
			want: "🔥 FIRING: 0 alerts\n(message template failed: see Herald's log)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, logs := newTestTemplates(t)
			got := tm.Execute(broken, broken+" ", tc.data, formatOf(tc.html))
			if got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			if tc.html {
				if err := checkStrictHTML(got); err != nil {
					t.Error(err)
				}
			}
			if n := strings.Count(logs.String(), "level=ERROR"); n != 2 {
				t.Errorf("want 2 errors logged (text and fallback), got %d:\n%s", n, logs.String())
			}
		})
	}
}

// TestExecuteEmptyText: an unset `message` setting is no error.
func TestExecuteEmptyText(t *testing.T) {
	tm, logs := newTestTemplates(t)
	d := testData("firing", false, nastyAlert())
	if got, want := tm.Execute("", DefaultConsoleMessage, d, Text), tm.Execute(DefaultConsoleMessage, "", d, Text); got != want {
		t.Errorf("empty text rendered %q, want the fallback %q", got, want)
	}
	if logs.String() != "" {
		t.Errorf("logged: %s", logs.String())
	}
}

// TestExecuteConcurrent is for the race detector.
func TestExecuteConcurrent(t *testing.T) {
	tm, _ := newTestTemplates(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			d := testData("firing", i%2 == 0, nastyAlert(), nastyAlert())
			for range 20 {
				if tm.Execute(DefaultTelegramMessage, "", d, formatOf(i%3 == 0)) == "" {
					t.Error("empty message")
				}
			}
		})
	}
	wg.Wait()
}

// formatOf is TelegramHTML for html, else Text: the tables here were
// written when Execute took html bool.
func formatOf(html bool) Format {
	if html {
		return TelegramHTML
	}
	return Text
}
