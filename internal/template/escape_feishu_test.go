package template

import (
	"strings"
	"testing"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// Every piece of Feishu card markup a value could carry comes out as text,
// one character for one; ordinary values stay as they are.
func TestFeishuText(t *testing.T) {
	for in, want := range map[string]string{
		"web-1:9100":                           "web-1:9100",
		"node_exporter":                        "node_exporter",
		"<at id=all></at>":                     "＜at id=all＞＜/at＞",
		"<at user_id=\"ou_1\">Tom</at>":        "＜at user_id=\"ou_1\"＞Tom＜/at＞",
		"[click](http://evil.example/x)":       "［click］(http:／／evil.example/x)",
		"<font color='red'>red</font>":         "＜font color='red'＞red＜/font＞",
		"**bold** ~~strike~~ `code`":           "＊＊bold＊＊ ～～strike～～ ｀code｀",
		"![x](img_v2_abc)":                     "!［x］(img_v2_abc)",
		":OK: done :THUMBSUP::x:":              "∶OK: done ∶THUMBSUP:∶x:",
		"ratio 3:4:5 and time 12:30:00":        "ratio 3:4:5 and time 12:30:00",
		"<link url=\"http://evil.example\">":   "＜link url=\"http:／／evil.example\"＞",
		"@all &#60;at id=all&#62;":             "＠all ＆＃60;at id=all＆＃62;",
		"a: b, c:d":                            "a: b, c:d",
		"<local_datetime millisecond=\"1\" />": "＜local_datetime millisecond=\"1\" /＞",
	} {
		if got := FeishuText(in); got != want {
			t.Errorf("FeishuText(%q) = %q, want %q", in, got, want)
		}
	}
}

// A shortcode break is one character for one, so truncate after it never
// leaves half an escape.
func TestFeishuTextOneForOne(t *testing.T) {
	for _, s := range []string{":OK:", "<at id=all></at>", "**x**", "http://e.example", "a\x1bb"} {
		if got, want := len([]rune(FeishuText(s))), len([]rune(s)); got != want && !strings.Contains(s, "://") {
			t.Errorf("FeishuText(%q) has %d runes, want %d", s, got, want)
		}
	}
}

// FeishuData escapes values for Feishu and mends silence links and the URL
// values a template links; the original data is not changed.
func TestFeishuDataMends(t *testing.T) {
	tm := mustNew(t)
	a := amtemplate.Alert{Status: "firing", Labels: amtemplate.KV{"alertname": "<at id=all></at>", "team": ":OK:"},
		Annotations: amtemplate.KV{"runbook_url": "https://wiki.example/r?x=(1)"}}
	d := NewData(&amtemplate.Data{Alerts: amtemplate.Alerts{a}, ExternalURL: "http://am:9093"}, "firing", false, "ops")
	out := FeishuData(d).Execute(tm, `{{ range .Alerts }}{{ .Labels.alertname }} {{ .Labels.team }} [S]({{ silenceURL $.ExternalURL . }}) [R]({{ .Annotations.runbook_url }}){{ end }}`, "")
	want := "＜at id=all＞＜/at＞ ∶OK: [S](" + LinkURL(SilenceURL("http://am:9093", a)) + ") [R](https://wiki.example/r?x=%281%29)"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if d.Alerts[0].Labels["alertname"] != "<at id=all></at>" {
		t.Error("the original data changed")
	}
}
