package exec

import (
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/prometheus/common/model"
)

var testNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string // Key=value, in order
		err      string
	}{
		{name: "empty", in: "", want: nil},
		{name: "comments only", in: "# just a comment\n\n# HELP x y\n", want: nil},
		{name: "untyped with labels", in: `a{z="1",b="two words"} 1.5` + "\n",
			want: []string{`a{b="two words",check="c",z="1"}=1.5`}},
		{name: "empty label value is no label", in: `a{x="",check=""} 1` + "\n",
			want: []string{`a{check="c"}=1`}},
		{name: "exported_check taken", in: `a{check="x",exported_check="y"} 1` + "\n",
			want: []string{`a{check="c",exported_check="y",exported_exported_check="x"}=1`}},
		{name: "special values", in: "a NaN\nb +Inf\nc -Inf\n",
			want: []string{`a{check="c"}=NaN`, `b{check="c"}=+Inf`, `c{check="c"}=-Inf`}},
		{name: "histogram with labels, float counts, no sum", in: "# TYPE h histogram\n" +
			`h_bucket{path="/",le="0.5"} 1.5` + "\n" + `h_bucket{path="/",le="1e3"} 2` + "\n" + `h_count{path="/"} 2` + "\n",
			want: []string{`h_bucket{check="c",le="0.5",path="/"}=1.5`, `h_bucket{check="c",le="1000.0",path="/"}=2`,
				`h_count{check="c",path="/"}=2`}},
		{name: "summary without count", in: "# TYPE s summary\n" + `s{quantile="1"} 9` + "\ns_sum 3\n",
			want: []string{`s{check="c",quantile="1.0"}=9`, `s_sum{check="c"}=3`}},
		{name: "le on an untyped metric is a plain label", in: `x_bucket{le="1"} 3` + "\n",
			want: []string{`x_bucket{check="c",le="1"}=3`}},
		{name: "histogram bucket twice", in: "# TYPE h histogram\n" + `h_bucket{le="1"} 1` + "\n" + `h_bucket{le="1.0"} 1` + "\n",
			err: `parse output: series h_bucket{check="c",le="1.0"} printed twice`},
		{name: "bad timestamp", in: "a 1 soon\n", err: `parse output: text format parsing error in line 1: expected integer as timestamp, got "soon"`},
		{name: "unknown type", in: "# TYPE a gouge\n", err: `parse output: text format parsing error in line 1: unknown metric type "gouge"`},
		{name: "invalid utf-8 label value", in: "a{x=\"\xff\"} 1\n", err: `parse output: text format parsing error in line 1: invalid label value "\xff"`},
		{name: "reserved duration", in: "herald_check_duration_seconds 1\n", err: "herald_check_duration_seconds is Herald's own series"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parse([]byte(tt.in), "c", testNow)
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, s := range got {
				lines = append(lines, s.Key()+"="+formatFloat(s.V))
			}
			lines = trimZero(lines)
			if strings.Join(lines, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// trimZero writes whole values as the test table does (2, not 2.0).
func trimZero(lines []string) []string {
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, ".0")
	}
	return lines
}

func TestParseSampleLimit(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range MaxSamples {
		b.WriteString("a{i=\"")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(formatFloat(float64(i)))
		b.WriteString("\"} 1\n")
	}
	if got, err := parse([]byte(b.String()), "c", testNow); err != nil || len(got) != MaxSamples {
		t.Fatalf("%d samples: %v", len(got), err)
	}
	b.WriteString("one_more 1\n")
	if _, err := parse([]byte(b.String()), "c", testNow); err == nil || err.Error() != "parse output: more than 10000 samples" {
		t.Errorf("err = %v", err)
	}
}

func TestFormatFloat(t *testing.T) {
	t.Parallel()
	for f, want := range map[float64]string{0: "0.0", 1: "1.0", -1: "-1.0", 0.25: "0.25", 1e3: "1000.0", 1e21: "1e+21",
		math.Inf(1): "+Inf", math.Inf(-1): "-Inf", math.NaN(): "NaN"} {
		if got := formatFloat(f); got != want {
			t.Errorf("formatFloat(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestTailWriter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"short", []string{"a\n", "b\n"}, "a\nb"},
		{"exactly max", []string{strings.Repeat("x", 16)}, strings.Repeat("x", 16)},
		{"cut in small writes", []string{strings.Repeat("x", 30), "0123456789", "abcdef"}, "…3456789abcdef"},
		{"cut in one write", []string{strings.Repeat("y", 40) + "end"}, "…yyyyyyyyyyend"},
		{"cut mid-rune", []string{strings.Repeat("x", 10) + "ééééééééé" + "a"}, "…ééééééa"},
		{"controls", []string{"\x1b[2Jhi\x00\r\n"}, "\uFFFD[2Jhi\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := &tailWriter{max: 16}
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			got := w.String()
			if got != tt.want || len(got) > 16 || !utf8.ValidString(got) {
				t.Errorf("tail %q (%d bytes), want %q", got, len(got), tt.want)
			}
		})
	}
}

func TestLastLine(t *testing.T) {
	t.Parallel()
	if got := lastLine("first\nsecond\n\n  ", 100); got != "second" {
		t.Errorf("lastLine = %q", got)
	}
	if got := lastLine("ééééé", 6); got != "é…" {
		t.Errorf("lastLine cut = %q", got)
	}
}

// FuzzParse: no output makes the parser wrapper panic, and what it
// accepts is what the store may rely on.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"", "a 1\n", "a{b=\"c\"} 1 1700000000000\n", "a", "{\"a\"} 1\n", "a{check=\"x\"} 1\n",
		"# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n",
		"# TYPE s summary\ns{quantile=\"0.5\"} 1\ns_sum 1\ns_count 1\n",
		"# TYPE g gaugehistogram\ng_bucket{le=\"1\"} -1\n",
		"a{b=\"\\n\\\"\\\\\"} NaN\n", "a 1 x\n", "a{b=\"c\",b=\"d\"} 1\n", "\xff 1\n", "herald_check_up 1\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := parseText(in, "c", testNow)
		if err != nil {
			if got != nil {
				t.Fatalf("samples with an error: %v", got)
			}
			return
		}
		if len(got) > MaxSamples {
			t.Fatalf("%d samples", len(got))
		}
		seen := map[string]bool{}
		for _, s := range got {
			if !model.IsValidLegacyMetricName(s.Name) || s.Name == UpMetric || s.Name == DurationMetric {
				t.Fatalf("name %q", s.Name)
			}
			if s.Labels[CheckLabel] != "c" {
				t.Fatalf("check label %q", s.Labels[CheckLabel])
			}
			for k, v := range s.Labels {
				if !model.LabelName(k).IsValidLegacy() || v == "" || !utf8.ValidString(v) {
					t.Fatalf("label %q=%q", k, v)
				}
			}
			if seen[s.Key()] {
				t.Fatalf("series %s twice", s.Key())
			}
			seen[s.Key()] = true
		}
	})
}
