package store

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func wchar(t testing.TB) int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

func TestTmpSteady(t *testing.T) {
	s := openTest(t, "")
	ctx := context.Background()
	writeSamples(t, s, fleet(10, h0, 0)...)
	start := time.Now()
	n := h0.UnixNano()
	for _, q := range []string{
		`INSERT INTO history_raw (b, series_id, t, v) SELECT (? - m.i * 60000000000) - (? - m.i * 60000000000) % 60000000000, s.id, ? - m.i * 60000000000, (s.id * 7 + m.i) % 1000 / 10.0
		 FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1440) SELECT i FROM c) m, history_series s ORDER BY 1, 2, 3`,
		`INSERT INTO history_5m (t, series_id, n, sum_v, min_v, max_v, first_t, first_v, last_t, last_v)
		 SELECT ? - m.i * 300000000000, s.id, 5, 250.5, 1.5, 99.5, ? - m.i * 300000000000, 3.25, ? - m.i * 300000000000 + 240000000000, 7.75
		 FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 576) SELECT i FROM c) m, history_series s ORDER BY 1, 2`,
		`INSERT INTO history_1h (series_id, t, n, sum_v, min_v, max_v, first_t, first_v, last_t, last_v)
		 SELECT s.id, ? - m.i * 3600000000000, 60, 2500.5, 1.5, 99.5, ? - m.i * 3600000000000, 3.25, ? - m.i * 3600000000000 + 3540000000000, 7.75
		 FROM history_series s, (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 336) SELECT i FROM c) m ORDER BY 1, 2`,
	} {
		args := []any{n, n, n}
		if strings.Contains(q, "history_raw") {
			args = []any{n, n, n}
		}
		if _, err := s.write.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO history_marks (name, t) VALUES ('rolled', ?) ON CONFLICT (name) DO UPDATE SET t = excluded.t`, n); err != nil {
		t.Fatal(err)
	}
	t.Log("populate", time.Since(start), dbBytes(t, s)>>20, "MiB")
	var total time.Duration
	if _, err := s.write.ExecContext(ctx, `PRAGMA wal_autocheckpoint=0`); err != nil {
		t.Fatal(err)
	}
	frames := func() int64 {
		var busy, log, done int64
		if err := s.write.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
			t.Fatal(err)
		}
		if err := s.write.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &done, &done); err != nil {
			t.Fatal(err)
		}
		return log
	}
	frames()
	var allFrames int64
	w0 := wchar(t)
	const batches = 70
	for i := 1; i <= batches; i++ {
		b := fleet(10, h0.Add(time.Duration(i)*time.Minute), i)
		start := time.Now()
		writeSamples(t, s, b...)
		d := time.Since(start)
		total += d
		f := frames()
		allFrames += f
		if i%10 == 0 || i > 60 {
			t.Log("frames", f)
		}
		if i%10 == 0 || i > 60 {
			t.Log("batch", i, d)
		}
	}
	t.Log("frames/sample B", float64(allFrames*4096)/batches/3000)
	t.Log("avg", float64(total.Nanoseconds())/batches/3000, "ns/sample", float64(wchar(t)-w0)/batches/3000, "written B/sample")
}
