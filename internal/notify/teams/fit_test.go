package teams

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketeams"
)

// strictFake refuses anything over Herald's own budget, so that a card
// that only just fits the real limit fails here.
func strictFake(t *testing.T) *faketeams.Server {
	return faketeams.New(t, faketeams.Config{MaxBytes: MaxPayloadBytes, Limits: faketeams.Limits{Unlimited: true}})
}

// send posts m and returns what the fake accepted.
func send(t *testing.T, fake *faketeams.Server, m *notify.Message) faketeams.Message {
	t.Helper()
	n := newNotifier(t, mustHook(t, fake.URL(), noLimits), nil)
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), m); err != nil {
		t.Fatalf("Notify: %v (fake: %s)", err, fake.Stats().LastError)
	}
	msgs := fake.Messages()
	got := msgs[len(msgs)-1]
	if len(got.Body) > MaxPayloadBytes {
		t.Fatalf("posted %d bytes", len(got.Body))
	}
	return got
}

func TestLongDescriptionIsCut(t *testing.T) {
	t.Parallel()
	m := message(alert.KindFiring, hostDown)
	m.Data.Alerts[0].Annotations["description"] = strings.Repeat("stack frame 日本語 ", 8000) // ~150 KB
	got := send(t, strictFake(t), m)
	if !strings.Contains(got.Plain, "stack frame 日本語 stack") || !strings.Contains(got.Plain, "…") {
		t.Errorf("the description was lost or not marked as cut:\n%.300s", got.Plain)
	}
	if !strings.Contains(got.Plain, "Started 12:00 UTC") || len(got.Facts) != 2 || len(got.Actions) != 2 {
		t.Errorf("cutting the description lost other parts: %d facts, %d buttons\n%s", len(got.Facts), len(got.Actions), got.Plain)
	}
}

func TestManyLabelsLeaveFewerFacts(t *testing.T) {
	t.Parallel()
	labels := amtemplate.KV{"alertname": "Wide", "severity": "warning"}
	for i := range 300 {
		labels[fmt.Sprintf("label_%03d", i)] = strings.Repeat("v", 200)
	}
	got := send(t, strictFake(t), message(alert.KindFiring, labels))
	if len(got.Facts) == 0 || len(got.Facts) >= 300 {
		t.Fatalf("%d facts", len(got.Facts))
	}
	note := fmt.Sprintf("… %d more labels", 300-len(got.Facts))
	if !strings.Contains(got.Plain, note) {
		t.Errorf("no %q note:\n%s", note, got.Plain)
	}
}

var moreAlerts = regexp.MustCompile(`… (\d+) more alerts?`)

func TestFoldedStormKeepsRowsThatFit(t *testing.T) {
	t.Parallel()
	var labels []amtemplate.KV
	for i := range 100 {
		labels = append(labels, amtemplate.KV{
			"alertname": "磁盘空间不足_" + strings.Repeat("长", 90) + strconv.Itoa(i),
			"instance":  fmt.Sprintf("host-%03d-%s", i, strings.Repeat("x", 50)),
			"severity":  "critical",
			"summary":   strings.Repeat("摘要", 60),
		})
	}
	got := send(t, strictFake(t), message(alert.KindFiring, labels...))
	rows := strings.Count(got.Plain, "🔥 磁盘空间不足")
	m := moreAlerts.FindStringSubmatch(got.Plain)
	if m == nil || rows == 0 {
		t.Fatalf("%d rows and no \"… N more alerts\":\n%.500s", rows, got.Plain)
	}
	if left, _ := strconv.Atoi(m[1]); left+rows != 100 {
		t.Errorf("%d rows + %d more = %d alerts, want 100", rows, left, left+rows)
	}
	if !strings.HasPrefix(got.Plain, "🔥 100 alerts firing") {
		t.Errorf("title %.80q", got.Plain)
	}
	// The rows that are shown are the first ones, whole.
	if !strings.Contains(got.Plain, "host-000-") || strings.Contains(got.Plain, fmt.Sprintf("host-%03d-", rows)) {
		t.Errorf("unexpected rows:\n%.500s", got.Plain)
	}
}

func TestHugeGeneratorURLIsDropped(t *testing.T) {
	t.Parallel()
	m := message(alert.KindFiring, hostDown)
	m.Data.Alerts[0].GeneratorURL = "http://prometheus:9090/graph?g0.expr=" + strings.Repeat("up%7Bjob%3D%22node%22%7D+or+", 2000)
	got := send(t, strictFake(t), m)
	if titles := titles(got.Actions); len(titles) != 1 || titles[0] != "Silence" {
		t.Errorf("buttons %v: want the huge Source dropped and Silence kept", titles)
	}
}

func TestHugeCustomTitleIsCut(t *testing.T) {
	t.Parallel()
	fake := strictFake(t)
	n := newNotifier(t, mustHook(t, fake.URL(), noLimits), nil)
	inner := n.render
	n.render = func(m *notify.Message) (string, string) {
		_, text := inner(m)
		return strings.Repeat("T", 50_000), text
	}
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, hostDown)); err != nil {
		t.Fatal(err)
	}
	got := fake.Messages()[0]
	if len(got.Texts[0]) > 400 || !strings.HasSuffix(got.Texts[0], "…") {
		t.Errorf("title of %d bytes", len(got.Texts[0]))
	}
}

// Whatever the sizes, the post fits and every alert is either shown or
// counted.
func TestAnyMessageFits(t *testing.T) {
	// Not parallel: a CPU-heavy build under a delivery deadline, which
	// the parallel tests would slow down (they start after the serial ones).
	fake := strictFake(t)
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString([]string{"a", "*", "_", "日", "🔥", " ", "\n", "<", "\\", "é"}[rng.IntN(10)])
		}
		return b.String()
	}
	for i := range 40 {
		var labels []amtemplate.KV
		for range 1 + rng.IntN(100) {
			l := amtemplate.KV{"alertname": word(rng.IntN(300)), "instance": word(rng.IntN(80)), "severity": "warning",
				"summary": word(rng.IntN(2000))}
			for j := range rng.IntN(40) {
				l[fmt.Sprintf("l%d", j)] = word(rng.IntN(400))
			}
			labels = append(labels, l)
		}
		m := message(alert.KindFiring, labels...)
		m.Data.Alerts[0].Annotations["description"] = word(rng.IntN(40_000))
		got := send(t, fake, m)
		if len(labels) > 1 {
			shown := strings.Count(got.Plain, "⚠️ ")
			left := 0
			if mm := moreAlerts.FindStringSubmatch(got.Plain); mm != nil {
				left, _ = strconv.Atoi(mm[1])
			}
			if shown+left < len(labels) {
				t.Errorf("case %d: %d shown + %d counted < %d alerts", i, shown, left, len(labels))
			}
		}
	}
}

func BenchmarkBuildStorm(b *testing.B) {
	var labels []amtemplate.KV
	for i := range 100 {
		labels = append(labels, amtemplate.KV{"alertname": "DiskFull", "instance": fmt.Sprintf("host-%03d:9100", i),
			"severity": "critical", "summary": strings.Repeat("disk almost full ", 10)})
	}
	m := message(alert.KindFiring, labels...)
	n := New("ops", nil, &Webhook{}, alerts.Templates(b, time.Time{}, nil, FS), nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.build(m); err != nil {
			b.Fatal(err)
		}
	}
}
