package discord

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/testutil/fakediscord"
)

// checkLimits fails the test when a recorded message is over a limit (the
// fake refuses those, so this mostly documents the expectation).
func checkLimits(t *testing.T, m fakediscord.Message) {
	t.Helper()
	total := 0
	for _, e := range m.Embeds {
		total += fakediscord.Length(e.Title) + fakediscord.Length(e.Description)
		for _, f := range e.Fields {
			total += fakediscord.Length(f.Name) + fakediscord.Length(f.Value)
		}
		if e.Footer != nil {
			total += fakediscord.Length(e.Footer.Text)
		}
	}
	if total > MaxEmbedTotal || len(m.Embeds) > MaxEmbeds || fakediscord.Length(m.Content) > MaxContent {
		t.Fatalf("over the limits: %d characters, %d embeds", total, len(m.Embeds))
	}
}

// A storm folded into one message: the header counts every alert, the
// first nine have an embed each, the tenth says how many more there are and
// lists as many as fit. Nothing is dropped silently.
func TestFoldedStorm(t *testing.T) {
	t.Parallel()
	for _, count := range []int{2, 10, 11, 100} {
		t.Run(fmt.Sprint(count), func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, fakediscord.Limits{})
			n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, nil)
			var alerts []amtemplate.Alert
			for i := range count {
				sev := []string{"critical", "warning", "info"}[i%3]
				a := mkAlert(fmt.Sprintf("Alert%03d", i), sev, fmt.Sprintf("host-%03d:9100", i))
				a.Annotations["description"] = strings.Repeat("a long explanation ", 100)
				alerts = append(alerts, a)
			}
			refs := send(t, n, message(alert.KindFiring, alerts...))
			m := fake.Messages()[0]
			checkLimits(t, m)
			if !refs[0].Folded {
				t.Error("the ref of a message with several alerts must say folded")
			}
			if want := fmt.Sprintf("🔥 %d alerts firing", count); m.Content != want {
				t.Errorf("content %q, want %q", m.Content, want)
			}
			shown := min(count, MaxEmbeds)
			if count > MaxEmbeds {
				shown = MaxEmbeds - 1
			}
			if len(m.Embeds) != min(count, MaxEmbeds) {
				t.Fatalf("%d embeds", len(m.Embeds))
			}
			for i := range shown {
				if !strings.Contains(m.Embeds[i].Title, fmt.Sprintf("Alert%03d", i)) || m.Embeds[i].Image != nil {
					t.Errorf("embed %d: %q", i, m.Embeds[i].Title)
				}
			}
			if m.Embeds[0].Color != colorCritical || m.Embeds[1].Color != colorWarning || m.Embeds[2%count].Color != []int{colorCritical, colorWarning, colorInfo}[2%count] {
				t.Errorf("colours %06x %06x", m.Embeds[0].Color, m.Embeds[1].Color)
			}
			if count <= MaxEmbeds {
				return
			}
			last := m.Embeds[MaxEmbeds-1]
			if want := fmt.Sprintf("… %d more alerts", count-shown); last.Title != want {
				t.Errorf("last embed %q, want %q", last.Title, want)
			}
			named := strings.Count(last.Description, "**Alert")
			if named == 0 {
				t.Fatalf("the overflow embed names no alert:\n%s", last.Description)
			}
			if named < count-shown && !strings.HasSuffix(last.Description, fmt.Sprintf("… and %d more", count-shown-named)) {
				t.Errorf("the overflow embed names %d of %d without counting the rest:\n%s", named, count-shown, last.Description)
			}
			if last.Footer == nil {
				t.Error("no footer on the last embed")
			}
		})
	}
}

func TestLongTextIsShortened(t *testing.T) {
	t.Parallel()
	fake := newFake(t, fakediscord.Limits{})
	n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, nil)
	a := mkAlert(strings.Repeat("VeryLongAlertName", 20), "critical", strings.Repeat("i", 300))
	a.Annotations["description"] = strings.Repeat("Ünïcödé 🚀 text, ", 1000)
	a.Annotations["summary"] = strings.Repeat("s", 600)
	send(t, n, message(alert.KindFiring, a))
	m := fake.Messages()[0]
	checkLimits(t, m)
	e := m.Embeds[0]
	if fakediscord.Length(e.Title) > MaxTitle || !utf8.ValidString(e.Description) || !strings.Contains(e.Description, "…") {
		t.Errorf("title %d, description %d", fakediscord.Length(e.Title), fakediscord.Length(e.Description))
	}
}

func TestManyAndHugeLabels(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		labels    int
		valueLen  int
		wantMore  bool
		maxFields int
	}{
		{"40 labels", 40, 5, true, MaxFields},
		{"20 huge labels", 20, 1000, false, MaxFields},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fake := newFake(t, fakediscord.Limits{})
			n := newNotifier(t, testWebhook(t, fake.URL(), fastRates), nil, nil)
			var kv []string
			for i := range c.labels {
				kv = append(kv, fmt.Sprintf("label_%02d", i), strings.Repeat("v", c.valueLen))
			}
			a := mkAlert("ManyLabels", "warning", "x:1", kv...)
			a.Annotations["description"] = strings.Repeat("d", 3000)
			send(t, n, message(alert.KindFiring, a))
			m := fake.Messages()[0]
			checkLimits(t, m)
			fs := m.Embeds[0].Fields
			if len(fs) > c.maxFields || len(fs) == 0 {
				t.Fatalf("%d fields", len(fs))
			}
			if last := fs[len(fs)-1]; c.wantMore && !strings.HasPrefix(last.Name, "… ") {
				t.Errorf("last field %q does not count the labels left out", last.Name)
			}
			if !c.wantMore && (len(fs) != c.labels+3 || !strings.HasSuffix(fs[2].Value, "…`")) {
				t.Errorf("huge values must be shortened, not dropped: %d fields, first %q", len(fs), fs[2].Value)
			}
			if fakediscord.Length(m.Embeds[0].Description) < 1000 {
				t.Errorf("labels crowded out the description (%d)", fakediscord.Length(m.Embeds[0].Description))
			}
		})
	}
}

func TestShorten(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in    string
		limit int
		want  string
	}{
		{"short", 10, "short"},
		{"line one\nline two is long", 16, "line one…"},
		{"word word word word", 12, "word word…"},
		{"abcdefghij", 5, "abcd…"},
		{"🚀🚀🚀🚀", 5, "🚀🚀…"},
		{"🚀🚀🚀🚀", 4, "🚀…"},
		{"x", 0, "x"[:0]},
	} {
		got := shorten(c.in, c.limit)
		if got != c.want || units(got) > max(c.limit, 0) {
			t.Errorf("shorten(%q, %d) = %q, want %q", c.in, c.limit, got, c.want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("ab \nЖ日🚀é")
	for range 2000 {
		rs := make([]rune, r.IntN(60))
		for i := range rs {
			rs[i] = alphabet[r.IntN(len(alphabet))]
		}
		s, limit := string(rs), r.IntN(40)
		got := shorten(s, limit)
		if !utf8.ValidString(got) || units(got) > limit && units(s) > limit {
			t.Fatalf("shorten(%q, %d) = %q (%d units)", s, limit, got, units(got))
		}
	}
}

func TestFitLines(t *testing.T) {
	t.Parallel()
	lines := []string{"aaaa", "bbbb", "cccc", "dddd"}
	more := func(n int) string { return fmt.Sprintf("+%d", n) }
	if got, left := fitLines(lines, 100, more); got != "aaaa\nbbbb\ncccc\ndddd" || left != 0 {
		t.Errorf("%q %d", got, left)
	}
	if got, left := fitLines(lines, 12, more); got != "aaaa\nbbbb\n+2" || left != 2 {
		t.Errorf("%q %d", got, left)
	}
}
