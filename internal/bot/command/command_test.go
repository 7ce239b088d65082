package command

import (
	"regexp"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 1<<20)
	tests := []struct {
		name, text string
		want       Command
		ok         bool
	}{
		{"alone", "/start", Command{Name: "start", ForUs: true}, true},
		{"args", "/graph up 6h", Command{Name: "graph", Args: "up 6h", ForUs: true}, true},
		{"capitals", "/Silence a=b 1h", Command{Name: "silence", Args: "a=b 1h", ForUs: true}, true},
		{"extra spaces", "  /alerts   severity=critical   ", Command{Name: "alerts", Args: "severity=critical", ForUs: true}, true},
		{"nbsp after name", "/graph\u00a0up", Command{Name: "graph", Args: "up", ForUs: true}, true},
		{"nbsp trimmed", "/graph \u00a0 up\u00a0\u2003", Command{Name: "graph", Args: "up", ForUs: true}, true},
		{"zero-width space", "/help\u200b", Command{Name: "help", ForUs: true}, true},
		{"newlines kept", "/silence a=b 2h\nline one\nline two\n", Command{Name: "silence", Args: "a=b 2h\nline one\nline two", ForUs: true}, true},
		{"newline after name", "/graph\nup", Command{Name: "graph", Args: "up", ForUs: true}, true},
		{"unicode args", "/silence alertname=\"Диск\" 1h заменим завтра", Command{Name: "silence", Args: "alertname=\"Диск\" 1h заменим завтра", ForUs: true}, true},
		{"to us", "/help@HeraldBot", Command{Name: "help", Bot: "HeraldBot", ForUs: true}, true},
		{"to us any case", "/help@heraldbot x", Command{Name: "help", Bot: "heraldbot", Args: "x", ForUs: true}, true},
		{"to another bot", "/help@OtherBot", Command{Name: "help", Bot: "OtherBot"}, true},
		{"underscores digits", "/list_2", Command{Name: "list_2", ForUs: true}, true},
		{"32 characters", "/" + strings.Repeat("a", 32), Command{Name: strings.Repeat("a", 32), ForUs: true}, true},
		{"very long args", "/graph " + long, Command{Name: "graph", Args: long, ForUs: true}, true},
		{"33 characters", "/" + strings.Repeat("a", 33), Command{}, false},
		{"plain text", "hello", Command{}, false},
		{"empty", "", Command{}, false},
		{"slash alone", "/", Command{}, false},
		{"space after slash", "/ start", Command{}, false},
		{"double slash", "//start", Command{}, false},
		{"not ascii", "/старт", Command{}, false},
		{"hyphen", "/foo-bar", Command{}, false},
		{"punctuation", "/help.", Command{}, false},
		{"at alone", "/help@", Command{}, false},
		{"at twice", "/help@a@b", Command{}, false},
		{"username too long", "/help@" + strings.Repeat("b", 33), Command{}, false},
		{"path", "/usr/bin", Command{}, false},
		{"long not command", "/" + long, Command{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Parse(tt.text, "HeraldBot")
			if ok != tt.ok || got != tt.want {
				t.Errorf("Parse(%.60q) = %+.60v, %v; want %+.60v, %v", tt.text, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseBotUsername(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		text, me string
		forUs    bool
	}{
		{"/help@HeraldBot", "@HeraldBot", true},
		{"/help@HeraldBot", "", false},
		{"/help", "", true},
		{"/help@OtherBot", "HeraldBot", false},
	} {
		c, ok := Parse(tt.text, tt.me)
		if !ok || c.ForUs != tt.forUs {
			t.Errorf("Parse(%q, %q) = %+v, %v; want ForUs %v", tt.text, tt.me, c, ok, tt.forUs)
		}
	}
}

var nameRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// FuzzParse checks that any text gives either no command or a command
// with a valid name and trimmed arguments that writes back as itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"/start", "/help@HeraldBot", "/Graph\u00a0up 6h", "/silence a=b 2h\nwhy", "/x@y@z",
		"  /a  b  ", "/", "/help@", "/старт", "text", "/" + strings.Repeat("a", 33), "/a\u200bb", "/a\xff"} {
		f.Add(s, "HeraldBot")
	}
	f.Fuzz(func(t *testing.T, text, me string) {
		c, ok := Parse(text, me)
		if !ok {
			if c != (Command{}) {
				t.Fatalf("not a command but %+v", c)
			}
			return
		}
		if !nameRE.MatchString(c.Name) {
			t.Fatalf("name %q", c.Name)
		}
		if c.Args != trim(c.Args) {
			t.Fatalf("args not trimmed: %q", c.Args)
		}
		if c.Bot == "" && !c.ForUs {
			t.Fatalf("a command naming no bot is for us: %+v", c)
		}
		if again, ok := Parse(c.String(), me); !ok || again != c {
			t.Fatalf("Parse(%q) = %+v, %v; want %+v", c.String(), again, ok, c)
		}
		if !strings.Contains(text, c.Args) {
			t.Fatalf("args %q not from the text", c.Args)
		}
	})
}
