package command

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prometheus/alertmanager/pkg/labels"
)

func TestParseMatchers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // FormatMatchers of the result
	}{
		{`severity="critical", job=~"node.*"`, `{severity="critical", job=~"node.*"}`},
		{`{severity="critical",job=~"node.*"}`, `{severity="critical", job=~"node.*"}`},
		{`  { severity = "critical" }  `, `{severity="critical"}`},
		{`severity=critical`, `{severity="critical"}`},
		{`severity!=info,job!~db.+`, `{severity!="info", job!~"db.+"}`},
		{`alertname=Disk Full`, `{alertname="Disk Full"}`},
		{`a="x, y", b="z"`, `{a="x, y", b="z"}`},
		{`a="say \"hi\""`, `{a="say \"hi\""}`},
		{`a="back\\slash"`, `{a="back\\slash"}`},
		{`a=""`, `{a=""}`},
		{`a=`, `{a=""}`},
		{`a=b,`, `{a="b"}`},
		{"a=b,\u00a0c=d", `{a="b", c="d"}`},
		{"a\u2003=\u2003b", `{a="b"}`},
		{"a=\"\u00a0x\u00a0\"", "{a=\"\u00a0x\u00a0\"}"},
		{`instance=~"db[0-9]+:9100"`, `{instance=~"db[0-9]+:9100"}`},
		{`summary="Диск заполнен"`, `{summary="Диск заполнен"}`},
		{`__name__=up`, `{__name__="up"}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			ms, err := ParseMatchers(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatMatchers(ms); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseMatchersErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, problem string }{
		{``, `There are no matchers`},
		{`{}`, `There are no matchers`},
		{`DiskFull`, `“DiskFull” is not a matcher. To match an alert name, write alertname="DiskFull".`},
		{`disk full!`, `“disk full!” is not a matcher: write a label name`},
		{`=critical`, `“=critical” has no label name before =.`},
		{`9job="x"`, `“9job” is not a label name`},
		{`sever ity="x"`, `“sever ity” is not a label name`},
		{`a=b,,c=d`, `There is an empty matcher between two commas.`},
		{`,a=b`, `There is an empty matcher between two commas.`},
		{`job=~"(node"`, `The regular expression in “job=~"(node"” is not valid: missing closing ).`},
		{`severity="critical" job="x"`, `Put a comma between two matchers: “severity="critical" job="x"”.`},
		{`severity="critical" oops`, `There is text after the closing quote in`},
		{`severity="critical`, `has a double quote that is not closed or not escaped`},
		{`severity=crit"ical`, `has a double quote that is not closed or not escaped`},
		{`"severity"="x"`, `“"severity"” is not a label name`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			_, err := ParseMatchers(tt.in)
			u := assertUsage(t, err, "")
			if !strings.Contains(u.Problem, tt.problem) {
				t.Errorf("problem %q, want it to say %q", u.Problem, tt.problem)
			}
			if u.Example != ExampleMatchers {
				t.Errorf("example %q", u.Example)
			}
		})
	}
}

// TestParseMatchersAsAlertmanager checks that input Alertmanager's parser
// takes reads the same here.
func TestParseMatchersAsAlertmanager(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`{foo = "bar", dings != "bums", }`, `foo=bar,dings!=bums`, `foo=bar, dings!=bums`,
		`{quote="She said: \"Hi, ladies! That's gender-neutral…\""}`, `statuscode=~"5.."`, `a=b\`, `a="\n"`, `a=x\y`} {
		want, err := labels.ParseMatchers(in)
		if err != nil {
			t.Fatalf("alertmanager: %q: %v", in, err)
		}
		got, err := ParseMatchers(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if FormatMatchers(got) != FormatMatchers(want) {
			t.Errorf("%q: got %s, alertmanager %s", in, FormatMatchers(got), FormatMatchers(want))
		}
	}
}

func sameMatchers(a, b []*labels.Matcher) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type || a[i].Name != b[i].Name || a[i].Value != b[i].Value {
			return false
		}
	}
	return true
}

// FuzzParseMatchers checks that matchers either parse, and then write
// back as themselves, or are refused with a usage error; and that what
// Alertmanager's parser accepts (with a label in it) is accepted alike.
func FuzzParseMatchers(f *testing.F) {
	for _, s := range []string{`severity="critical", job=~"node.*"`, `{a="b",c!="d"}`, `a=b`, `a="x, y"`, `a="\"\\\n"`,
		"a=\u00a0b", `a=~"("`, `a="b" c="d"`, `9a=b`, `,`, `{`, `}`, `a=b,,`, `a=\`, `a="\`, `DiskFull`, "a=\"\xff\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms, err := ParseMatchers(s)
		if err != nil {
			assertUsage(t, err, "")
			if am, amErr := labels.ParseMatchers(s); amErr == nil && len(am) > 0 && len(s) <= MaxArgs && utf8.ValidString(s) {
				// Alertmanager turns bytes that are not UTF-8 into U+FFFD;
				// Telegram sends only UTF-8, and we refuse the rest.
				t.Fatalf("alertmanager reads %q as %s, we refuse: %v", s, FormatMatchers(am), err)
			}
			return
		}
		if len(ms) == 0 {
			t.Fatal("no matchers and no error")
		}
		text := FormatMatchers(ms)
		again, err := ParseMatchers(text)
		if err != nil {
			t.Fatalf("%s does not read back: %v", text, err)
		}
		if !sameMatchers(ms, again) {
			t.Fatalf("%s reads back as %s", text, FormatMatchers(again))
		}
	})
}
