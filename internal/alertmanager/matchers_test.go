package alertmanager

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prometheus/alertmanager/pkg/labels"
)

func TestMatchersFrom(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Matcher
		text string
	}{
		{`alertname="DiskFull"`, Matcher{Name: "alertname", Value: "DiskFull", IsEqual: true}, `alertname="DiskFull"`},
		{`severity!="info"`, Matcher{Name: "severity", Value: "info"}, `severity!="info"`},
		{`instance=~"db[0-9]+"`, Matcher{Name: "instance", Value: "db[0-9]+", IsRegex: true, IsEqual: true}, `instance=~"db[0-9]+"`},
		{`env!~"dev|test"`, Matcher{Name: "env", Value: "dev|test", IsRegex: true}, `env!~"dev|test"`},
		{`path="C:\\data \"x\""`, Matcher{Name: "path", Value: `C:\data "x"`, IsEqual: true}, `path="C:\\data \"x\""`},
		{`job=`, Matcher{Name: "job", Value: "", IsEqual: true}, `job=""`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			ms, err := labels.ParseMatchers(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got := MatchersFrom(ms)
			if len(got) != 1 || got[0] != tc.want {
				t.Fatalf("MatchersFrom(%s) = %+v, want %+v", tc.in, got, tc.want)
			}
			if s := got[0].String(); s != tc.text {
				t.Errorf("String() = %s, want %s", s, tc.text)
			}
			back, err := got[0].LabelsMatcher()
			if err != nil || back.Type != ms[0].Type || back.Name != ms[0].Name || back.Value != ms[0].Value {
				t.Errorf("LabelsMatcher() = %v, %v, want %v", back, err, ms[0])
			}
		})
	}
}

func TestMatchersFromMany(t *testing.T) {
	t.Parallel()
	ms, err := labels.ParseMatchers(`{alertname="A", instance=~"db.*"}`)
	if err != nil {
		t.Fatal(err)
	}
	got := MatchersFrom(append(ms, nil))
	want := []Matcher{{Name: "alertname", Value: "A", IsEqual: true}, {Name: "instance", Value: "db.*", IsRegex: true, IsEqual: true}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := MatchersFrom(nil); got == nil || len(got) != 0 {
		t.Errorf("MatchersFrom(nil) = %#v, want empty", got)
	}
}

func TestMatchersFromLabels(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   map[string]string
		want []Matcher
	}{
		{"none", nil, []Matcher{}},
		{"sorted", map[string]string{"job": "node", "alertname": "DiskFull", "instance": "db1:9100"}, []Matcher{
			{Name: "alertname", Value: "DiskFull", IsEqual: true},
			{Name: "instance", Value: "db1:9100", IsEqual: true},
			{Name: "job", Value: "node", IsEqual: true},
		}},
		// A value that looks like a regular expression is still matched
		// as it is.
		{"regex-like value", map[string]string{"path": "/var/.*"}, []Matcher{{Name: "path", Value: "/var/.*", IsEqual: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := MatchersFromLabels(tc.in)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for _, m := range got {
				lm, err := m.LabelsMatcher()
				if err != nil || !lm.Matches(tc.in[m.Name]) || lm.Matches(tc.in[m.Name]+"x") {
					t.Errorf("%s does not match exactly %q", m, tc.in[m.Name])
				}
			}
		})
	}
}

func TestLabelsMatcherBadRegex(t *testing.T) {
	t.Parallel()
	if _, err := (Matcher{Name: "a", Value: "(", IsRegex: true}).LabelsMatcher(); err == nil {
		t.Error("no error for a bad regular expression")
	}
}

// FuzzReason: whatever an error body holds, the reason quoted in an error
// is one line, bounded and quoted without control characters.
func FuzzReason(f *testing.F) {
	for _, s := range []string{`"silence not found"`, `{"code":602,"message":"x"}`, "<html>\n\x1b[2J</html>", "\xff\xfe", `"` + strings.Repeat("é", 200) + `"`} {
		f.Add([]byte(s))
	}
	c := &Client{secrets: []string{testPassword}}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := c.statusError(request{op: "list alerts"}, 400, body)
		if len(e.Msg) > maxErrorText+len("…") || strings.ContainsAny(e.Msg, "\n\r") {
			t.Fatalf("Msg %q", e.Msg)
		}
		q := strconv.Quote(e.Msg)
		if !utf8.ValidString(q) || strings.ContainsFunc(q, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("quoted %s", q)
		}
	})
}
