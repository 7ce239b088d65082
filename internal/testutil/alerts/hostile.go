package alerts

import (
	amtemplate "github.com/prometheus/alertmanager/template"
)

// Hostile is one value that an attacker (or a careless exporter) can put in
// a label or an annotation, with what it tries to become in a chat.
type Hostile struct {
	// Name names the attack in test output.
	Name string
	// Value is the label or annotation value.
	Value string
	// Tries says what the value would be if it were taken as markup: "link",
	// "image", "mention", "markup" (formatting, colour, a heading, a code
	// block that swallows the rest) or "control" (terminal control
	// sequences).
	Tries string
}

// HostileValues is the one table of hostile values that every platform's
// test runs through its strict fake: none of them may arrive as a link, an
// image, a mention, formatting or a control sequence. Only the template
// author's markup and the configured mentions count.
var HostileValues = []Hostile{
	{"markdown link", "[click me](http://evil.example/phish)", "link"},
	{"markdown image", "![x](http://evil.example/pixel.png)", "image"},
	{"autolink", "<http://evil.example/auto>", "link"},
	{"bare url", "http://evil.example/bare", "link"},
	{"html link", `<a href="http://evil.example/a">a</a>`, "link"},
	{"html image", `<img src="http://evil.example/i.png">`, "image"},
	{"font colour", `<font color=#ff0000>red</font>`, "markup"},
	{"at all", "@all", "mention"},
	{"dingtalk at all", "<@all>", "mention"},
	{"everyone", "@everyone", "mention"},
	{"here", "@here", "mention"},
	{"slack channel", "<!channel>", "mention"},
	{"slack here", "<!here>", "mention"},
	{"slack user", "<@U012AB3CD>", "mention"},
	{"discord user", "<@123456789012345678>", "mention"},
	{"discord role", "<@&123456789012345678>", "mention"},
	{"teams at", `<at id="0">Everyone</at>`, "mention"},
	{"wecom mention", "<@zhangsan>", "mention"},
	{"bold", "**bold** __bold__", "markup"},
	{"heading", "\n# Heading\n", "markup"},
	{"code fence", "```\nswallow the rest", "markup"},
	{"slack link", "<http://evil.example/slack|click>", "link"},
	{"telegram html", `<b>bold</b><a href="tg://user?id=1">u</a>`, "markup"},
	{"terminal title and clear", "\x1b]0;pwned\x07\x1b[2J", "control"},
	{"terminal colour", "\x1b[31mred\x1b[0m", "control"},
	{"carriage return", "ok\rFAKE", "control"},
}

// HostileAlert is a firing alert whose every label (alertname included) and
// annotation (summary, description) holds h.Value.
func HostileAlert(h Hostile, opts ...Option) amtemplate.Alert {
	labels := amtemplate.KV{"alertname": h.Value, "instance": h.Value, "severity": "critical", "job": h.Value}
	opts = append([]Option{Annotations(amtemplate.KV{"summary": h.Value, "description": h.Value})}, opts...)
	return Alert(labels, opts...)
}
