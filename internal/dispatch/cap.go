package dispatch

import (
	"fmt"
	"sort"
	"unicode/utf8"

	amtemplate "github.com/prometheus/alertmanager/template"
)

// What one alert may put into a message, the same for every platform. An
// alert with 2,000 labels (2 MiB, well under the webhook's body limit) once
// became 155 Telegram messages and held a group chat for eight minutes;
// with these bounds one alert fits in a message or two everywhere. The
// whole alert stays in Alertmanager, which every default template links.
const (
	maxLabelValue      = 256
	maxAnnotationValue = 2048
	maxLabelBytes      = 2048
	maxAnnotationBytes = 4096
)

// TruncatedLabel is the label added to an alert whose labels or
// annotations did not all fit, saying how many were left out.
const TruncatedLabel = "herald_truncated"

// truncatedMark ends a value that was cut.
const truncatedMark = "… (truncated)"

// firstLabels are kept before any other, in this order: they name the
// alert and where it fires.
var firstLabels = []string{"alertname", "severity", "instance", "job"}

// firstAnnotations likewise.
var firstAnnotations = []string{"summary", "description", "message", "runbook_url"}

// capAlert bounds what a's labels and annotations may take in a message:
// long values are cut with a visible mark, and labels or annotations past
// the budget are left out and counted in the TruncatedLabel label.
func capAlert(a amtemplate.Alert) amtemplate.Alert {
	var droppedL, droppedA int
	a.Labels, droppedL = capKV(a.Labels, firstLabels, maxLabelValue, maxLabelBytes)
	a.Annotations, droppedA = capKV(a.Annotations, firstAnnotations, maxAnnotationValue, maxAnnotationBytes)
	if droppedL+droppedA > 0 {
		a.Labels[TruncatedLabel] = fmt.Sprintf("%s and %s not shown; the whole alert is in Alertmanager",
			plural(droppedL, "label"), plural(droppedA, "annotation"))
	}
	return a
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// capKV returns a copy of kv whose values are cut to maxValue bytes and
// whose pairs add up to at most budget bytes, the first keys kept first,
// then the rest by name; and how many pairs were left out. The first pair
// is always kept.
func capKV(kv amtemplate.KV, first []string, maxValue, budget int) (amtemplate.KV, int) {
	out := make(amtemplate.KV, min(len(kv), 32))
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		for i, f := range first {
			if k == f {
				return i
			}
		}
		return len(first)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	used, dropped := 0, 0
	for _, k := range keys {
		name, value := cut(k, maxValue), cut(kv[k], maxValue)
		size := len(name) + len(value)
		if used > 0 && used+size > budget {
			dropped++
			continue
		}
		used += size
		out[name] = value
	}
	return out, dropped
}

// cut shortens s to at most n bytes (mark included) on a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	end := n - len(truncatedMark)
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + truncatedMark
}
