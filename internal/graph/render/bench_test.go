package render

import "testing"

// BenchmarkRender measures the target case: 1200×600, 10 series of
// 600 points (target ≤ 30 ms/op and ≤ 5 MiB allocated per op). It also
// reports CPU time per op (cpu-ns/op), which, unlike wall time, does not
// grow when other processes share the machine.
func BenchmarkRender(b *testing.B) {
	for _, theme := range []string{"light", "dark"} {
		b.Run(theme, func(b *testing.B) {
			r := newRenderer(b, Options{Theme: theme})
			c := cpuChart(10, 600)
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := r.Render(c); err != nil {
					b.Fatal(err)
				}
			}
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
			}
		})
	}
}
