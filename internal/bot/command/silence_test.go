package command

import (
	"strings"
	"testing"
	"time"
)

func TestParseSilence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args     string
		matchers string
		d        time.Duration
		comment  string
	}{
		{`alertname="DiskFull", instance="db1" 2h disk replaced tomorrow`, `{alertname="DiskFull", instance="db1"}`, 2 * time.Hour, "disk replaced tomorrow"},
		{`alertname=DiskFull 30m`, `{alertname="DiskFull"}`, 30 * time.Minute, ""},
		{`{alertname="DiskFull",instance="db1"} 1d`, `{alertname="DiskFull", instance="db1"}`, 24 * time.Hour, ""},
		{`{ alertname="DiskFull" , instance="db1" } 1w why`, `{alertname="DiskFull", instance="db1"}`, 7 * 24 * time.Hour, "why"},
		{`alertname = "Disk full" 1h30m`, `{alertname="Disk full"}`, 90 * time.Minute, ""},
		{`alertname="a 2h b" 2h`, `{alertname="a 2h b"}`, 2 * time.Hour, ""},
		{`alertname= 2h 3h`, `{alertname="2h"}`, 3 * time.Hour, ""},
		{`alertname=~"Disk.*",` + "\n" + `severity!="info" 2h`, `{alertname=~"Disk.*", severity!="info"}`, 2 * time.Hour, ""},
		{`alertname="x", 2h`, `{alertname="x"}`, 2 * time.Hour, ""},
		{"alertname=x\u00a02h\u00a0replacing  the   disk ", `{alertname="x"}`, 2 * time.Hour, "replacing  the   disk"},
		{"alertname=x 2h\nline one\n\nline two\n", `{alertname="x"}`, 2 * time.Hour, "line one\n\nline two"},
		{`alertname=x 1m`, `{alertname="x"}`, time.Minute, ""},
		{`alertname=x 30d`, `{alertname="x"}`, 30 * 24 * time.Hour, ""},
		{`alertname="say \"2h\"" 2h`, `{alertname="say \"2h\""}`, 2 * time.Hour, ""},
		{`job!="a", severity="critical" 2h 3h`, `{job!="a", severity="critical"}`, 2 * time.Hour, "3h"},
		{`summary="Диск" 2h меняем диск`, `{summary="Диск"}`, 2 * time.Hour, "меняем диск"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			s, err := ParseSilence(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatMatchers(s.Matchers); got != tt.matchers || s.Duration != tt.d || s.Comment != tt.comment {
				t.Errorf("got %s %v %q, want %s %v %q", got, s.Duration, s.Comment, tt.matchers, tt.d, tt.comment)
			}
		})
	}
}

func TestParseSilenceErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ args, problem string }{
		{"", "Say which alerts to silence and for how long."},
		{"2h", "Say which alerts to silence first, then for how long."},
		{"2h alertname=x", "Say which alerts to silence first"},
		{`alertname="DiskFull"`, "Say for how long: a duration such as 2h comes after the matchers."},
		{`alertname="DiskFull",`, "Say for how long"},
		{`alertname="DiskFull" soon`, "After the matchers comes the duration, such as 2h, not “soon”."},
		{`alertname=Disk Full 2h`, "not “Full”. A value with spaces needs quotes"},
		{`alertname="DiskFull" 2hours`, "“2hours” is not a duration: write it like 30m, 2h, 1d or 1h30m."},
		{`alertname="DiskFull" 1.5h`, "“1.5h” is not a duration"},
		{`alertname="DiskFull" instance="db1" 2h`, "Put a comma between two matchers, before “instance=\"db1\"”."},
		{`DiskFull 2h`, `“DiskFull” is not a matcher. To match an alert name, write alertname="DiskFull".`},
		{`Disk Full 2h`, `“Disk” is not a matcher.`},
		{`alertname=~"(Disk" 2h`, "The regular expression in “alertname=~\"(Disk\"” is not valid"},
		{`alertname="x" 30s`, "A silence lasts at least 1m, not “30s”."},
		{`alertname="x" 0`, "A silence lasts at least 1m"},
		{`alertname="x" 31d`, "A silence lasts at most 30d, not “31d”."},
		{`alertname="x" 1y`, "A silence lasts at most 30d"},
		{`alertname="x" 99999999999999999999y`, "is not a duration"},
		{`alertname=~".*" 2h`, "At least one matcher has to require a value"},
		{`severity!="info" 2h`, "At least one matcher has to require a value"},
		{`alertname="" 2h`, "At least one matcher has to require a value"},
		{`alertname="x 2h`, "has a double quote that is not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSilence(tt.args)
			u := assertUsage(t, err, "silence")
			if !strings.Contains(u.Problem, tt.problem) {
				t.Errorf("problem %q, want it to say %q", u.Problem, tt.problem)
			}
			if u.Example != ExampleSilence {
				t.Errorf("example %q", u.Example)
			}
		})
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	const full = "3f2a1b4c-91ab-4e2f-8d1c-0a9b8c7d6e5f"
	tests := []struct {
		args    string
		want    SilenceID
		problem string
	}{
		{args: full, want: SilenceID{ID: full}},
		{args: " 3F2A1B4C-91AB-4E2F-8D1C-0A9B8C7D6E5F ", want: SilenceID{ID: full}},
		{args: "3f2a1b4c91ab4e2f8d1c0a9b8c7d6e5f", want: SilenceID{ID: full}},
		{args: "3f2a1b4c", want: SilenceID{ID: "3f2a1b4c", Prefix: true}},
		{args: "3f2a1b4c-91", want: SilenceID{ID: "3f2a1b4c-91", Prefix: true}},
		{args: "3f2a1b4c91ab", want: SilenceID{ID: "3f2a1b4c-91ab", Prefix: true}},
		{args: "3f2a1b4c-", want: SilenceID{ID: "3f2a1b4c-", Prefix: true}},
		{args: "", problem: "Say which silence"},
		{args: "3f2a1b4", problem: "“3f2a1b4” is too short: give at least 8 characters"},
		{args: "3f2a1b4c 91ab", problem: "One silence at a time"},
		{args: "3f2a-1b4c", problem: "is not a silence ID"},
		{args: "xyz12345", problem: "“xyz12345” is not a silence ID"},
		{args: full + "0", problem: "is not a silence ID"},
		{args: "3f2a1b4c91ab4e2f8d1c0a9b8c7d6e5f0", problem: "is not a silence ID"},
		{args: "3f2a1b4c-91ab-4e2f-8d1c-0a9b8c7d6e5g", problem: "is not a silence ID"},
	}
	for _, tt := range tests {
		id, err := ParseID(tt.args)
		if tt.problem != "" {
			if u := assertUsage(t, err, "unsilence"); !strings.Contains(u.Problem, tt.problem) {
				t.Errorf("%q: problem %q, want it to say %q", tt.args, u.Problem, tt.problem)
			}
			continue
		}
		if err != nil || id != tt.want {
			t.Errorf("%q: got %+v, %v; want %+v", tt.args, id, err, tt.want)
		}
		if !id.Matches(strings.ToUpper(full)) {
			t.Errorf("%+v does not match %s", id, full)
		}
	}
	if (SilenceID{ID: full}).Matches(full[:35]) || (SilenceID{}).Matches(full) {
		t.Error("matches what it does not name")
	}
}

// FuzzParseSilence checks that a silence is refused with a usage error
// or keeps its promises (bounds, not too wide) and writes back as itself.
func FuzzParseSilence(f *testing.F) {
	for _, s := range []string{ExampleSilence[len("/silence "):], `a=b 2h`, `{a="b c", d=~"e"} 1h30m why`, `a= 2h 3h`, `a="x\"2h" 2h`,
		`a=b, 2h`, `a=b c=d 2h`, `2h a=b`, `a=b 30s`, `a=b 1y`, `a=~".*" 2h`, "a=b\u00a02h\nx\ny", `a="\\" 1h \\`, `a=b 0`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		s, err := ParseSilence(args)
		if err != nil {
			assertUsage(t, err, "silence")
			return
		}
		if s.Duration < MinSilence || s.Duration > MaxSilence {
			t.Fatalf("duration %v", s.Duration)
		}
		if len(s.Matchers) == 0 || matchAllEmpty(s.Matchers) {
			t.Fatalf("too wide: %s", FormatMatchers(s.Matchers))
		}
		if s.Comment != trim(s.Comment) {
			t.Fatalf("comment not trimmed: %q", s.Comment)
		}
		again, err := ParseSilence(s.String())
		if err != nil {
			t.Fatalf("%q does not read back: %v", s.String(), err)
		}
		if !sameMatchers(again.Matchers, s.Matchers) || again.Duration != s.Duration || again.Comment != s.Comment {
			t.Fatalf("%q reads back as %q", s.String(), again.String())
		}
	})
}

// FuzzParseID checks that an ID is refused with a usage error or is a
// lower-case UUID or a prefix of one of at least 8 hex digits, which reads
// back as itself.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"3f2a1b4c-91ab-4e2f-8d1c-0a9b8c7d6e5f", "3F2A1B4C", "3f2a1b4c91ab", "3f2a1b4", "x", "", "3f2a1b4c-"} {
		f.Add(s)
	}
	const shape = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
	f.Fuzz(func(t *testing.T, args string) {
		id, err := ParseID(args)
		if err != nil {
			assertUsage(t, err, "unsilence")
			return
		}
		if id.Prefix == (len(id.ID) == len(shape)) {
			t.Fatalf("prefix %v with %d characters", id.Prefix, len(id.ID))
		}
		hex := 0
		for i := 0; i < len(id.ID); i++ {
			switch c := id.ID[i]; {
			case shape[i] == '-' && c == '-':
			case shape[i] == 'x' && strings.IndexByte("0123456789abcdef", c) >= 0:
				hex++
			default:
				t.Fatalf("%q is not (part of) a UUID", id.ID)
			}
		}
		if hex < 8 {
			t.Fatalf("%q is too short", id.ID)
		}
		if again, err := ParseID(id.ID); err != nil || again != id {
			t.Fatalf("%q reads back as %+v, %v", id.ID, again, err)
		}
	})
}
