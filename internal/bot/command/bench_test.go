package command

import (
	"strings"
	"testing"
)

// BenchmarkParse measures a whole command on the hot path of every
// message: the command line and a typical silence.
func BenchmarkParse(b *testing.B) {
	const text = `/silence@HeraldBot alertname="DiskFull", instance="db1" 2h disk replaced tomorrow`
	for b.Loop() {
		c, _ := Parse(text, "HeraldBot")
		if _, err := ParseSilence(c.Args); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorstCase feeds each parser the largest input it looks at, to
// show that the work stays linear.
func BenchmarkWorstCase(b *testing.B) {
	big := strings.Repeat(`a="b c", `, MaxArgs/9)
	words := strings.Repeat("a ", MaxArgs/2)
	for name, f := range map[string]func(){
		"Parse":        func() { Parse("/x "+big, "") },
		"Matchers":     func() { _, _ = ParseMatchers(big) },
		"Subscription": func() { _, _ = ParseSubscription(big) },
		"SilenceComma": func() { _, _ = ParseSilence(big) },
		"SilenceWords": func() { _, _ = ParseSilence(words) },
		"Graph":        func() { _, _ = ParseGraph(strings.Repeat("up+", MaxQuery/3-1) + "up 6h") },
		"GraphParens":  func() { _, _ = ParseGraph(strings.Repeat("(", MaxQuery/2-1) + "1" + strings.Repeat(")", MaxQuery/2-1)) },
		"Chart":        func() { _, _, _ = ParseChart(words) },
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				f()
			}
		})
	}
}
