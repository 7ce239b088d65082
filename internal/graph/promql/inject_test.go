package promql

import "testing"

// TestInjectionFollowsLabels checks, shape by shape, that a label is injected exactly into the
// selectors from which it reaches the result unchanged (see resultMetric in promql/engine.go).
func TestInjectionFollowsLabels(t *testing.T) {
	alert := map[string]string{"instance": "a", "job": "j", "nodename": "n", "le": "1"}
	for _, tc := range []struct{ name, expr, match, want string }{
		{"one-to-one without modifier", `x + y`, "instance",
			`x{instance="a"} + y{instance="a"}`},
		{"one-to-one on another label drops it", `x + on (job) y`, "instance",
			`x + on (job) y`},
		{"ignoring drops it", `x / ignoring (instance) y`, "instance",
			`x / ignoring (instance) y`},
		{"ignoring another label keeps it", `x / ignoring (cpu) y`, "instance",
			`x{instance="a"} / ignoring (cpu) y{instance="a"}`},
		{"group_left: many side keeps its labels", `x * on (job) group_left y`, "instance",
			`x{instance="a"} * on (job) group_left () y`},
		{"group_left: included labels come from the one side", `x * on (job) group_left (nodename) y`, "nodename",
			`x * on (job) group_left (nodename) y{nodename="n"}`},
		{"group_right mirrors", `x * on (job) group_right (nodename) y`, "instance,nodename",
			`x{nodename="n"} * on (job) group_right (nodename) y{instance="a"}`},
		{"and on another label: left side only", `(x and on (job) y) + 0`, "instance",
			`(x{instance="a"} and on (job) y) + 0`},
		{"or on another label: neither", `(x or on (job) y) + 0`, "instance",
			`(x or on (job) y) + 0`},
		{"or without modifier: both", `(x or y) + 0`, "instance",
			`(x{instance="a"} or y{instance="a"}) + 0`},
		{"without keeps the others", `sum without (cpu) (x)`, "instance",
			`sum without (cpu) (x{instance="a"})`},
		{"count_values overwrites its label", `count_values by (instance) ("instance", x)`, "instance",
			`count_values by (instance) ("instance", x)`},
		{"quantile parameter untouched", `quantile by (instance) (scalar(y), x)`, "instance",
			`quantile by (instance) (scalar(y), x{instance="a"})`},
		{"topk by the label", `topk by (instance) (1, x)`, "instance",
			`topk by (instance) (1, x{instance="a"})`},
		{"histogram_quantile consumes le", `histogram_quantile(0.9, rate(x_bucket[5m]))`, "instance,le",
			`histogram_quantile(0.9, rate(x_bucket{instance="a"}[5m]))`},
		{"scalar() is not entered", `clamp_max(x, scalar(y))`, "instance",
			`clamp_max(x{instance="a"}, scalar(y))`},
		{"unary minus", `-x`, "instance", `-x{instance="a"}`},
		{"outermost by adds its labels", `max by (job) (sum by (instance, job) (x))`, "",
			`max by (job) (sum by (instance, job) (x{job="j"}))`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			match := []string{}
			if tc.match != "" {
				match = splitComma(tc.match)
			}
			got := Rewrite(tc.expr, alert, match)
			if got.Query != tc.want && !(tc.want == tc.expr && !got.Rewritten) {
				t.Errorf("got  %s\nwant %s", got.Query, tc.want)
			}
		})
	}
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

func TestThresholdConstants(t *testing.T) {
	for expr, want := range map[string]float64{
		`x > 90 * 1024`:     92160,
		`x > -(1 / 4)`:      -0.25,
		`x > 2 ^ 10`:        1024,
		`x > (10 - 4) / 2`:  3,
		`x > +5`:            5,
		`x > 10 % 4`:        2,
		`x >= 1e3`:          1000,
		`(((x))) != 0x10`:   16,
		`x < 5m`:            300,
		`-2 > x`:            -2,
		`x > 1 and on () y`: 1,
	} {
		got := Rewrite(expr, nil, nil)
		if got.Threshold == nil || *got.Threshold != want {
			t.Errorf("%s: threshold %v, want %v", expr, deref(got.Threshold), want)
		}
	}
	for _, expr := range []string{`x > time()`, `x > NaN`, `x > -Inf`, `x > 0 / 0`, `x > scalar(y)`, `x > bool 1`} {
		if got := Rewrite(expr, nil, nil); got.Threshold != nil {
			t.Errorf("%s: threshold %v, want none", expr, *got.Threshold)
		}
	}
}
