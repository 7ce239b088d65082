package render

import (
	"bytes"
	"encoding/binary"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"
)

// FuzzRender feeds Render arbitrary series: values from raw bits (NaN,
// ±Inf, subnormals, ±MaxFloat64), times anywhere from year 1 to far
// future, in any order, labels of any bytes, odd windows and thresholds.
// Render must never panic (a recovered panic is an error) and must always
// return a decodable PNG of the configured size.
func FuzzRender(f *testing.F) {
	f.Add([]byte{3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "instance=a,job=b", int64(1741964400), int64(7200), 80.0, ">", "", true)
	f.Add([]byte{}, "", int64(0), int64(0), math.NaN(), "", "bytes", false)
	f.Add(bytes.Repeat([]byte{0xff}, 200), "磁盘=сервер\n,\xff=x", int64(-62135596800), int64(-5), math.Inf(1), "<=", "seconds", true)
	f.Add(bytes.Repeat([]byte{0x7f, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1}, 30), "a=1", int64(1<<40), int64(1<<50), -1e308, "!=", "percent", false)

	r, err := New(Options{Width: MinWidth, Height: MinHeight, MaxSeries: 5})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte, labels string, startSec, spanSec int64, thr float64, op, unit string, resolved bool) {
		c := fuzzChart(raw, labels, startSec, spanSec, thr, op, unit, resolved)
		b, err := r.Render(c)
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if s := img.Bounds().Size(); s.X != MinWidth || s.Y != MinHeight {
			t.Fatalf("size %v", s)
		}
	})
}

// fuzzChart decodes the fuzzer's bytes into a chart: a series count, then
// 10-byte points (series, time mode, value bits).
func fuzzChart(raw []byte, labels string, startSec, spanSec int64, thr float64, op, unit string, resolved bool) Chart {
	start := time.Unix(startSec, 0)
	end := start.Add(time.Duration(spanSec) * time.Second)
	c := Chart{Title: labels, Threshold: &thr, Op: op, Unit: unit, MetricName: labels,
		Start: start, End: end, Resolved: resolved,
		FiringFrom: start.Add(time.Duration(spanSec/2) * time.Second)}
	if len(raw) == 0 {
		return c
	}
	n := int(raw[0]%12) + 1
	raw = raw[1:]
	c.Series = make([]Series, n)
	kvs := strings.Split(labels, ",")
	for i := range c.Series {
		c.Series[i].Labels = map[string]string{}
		for j, kv := range kvs {
			k, v, _ := strings.Cut(kv, "=")
			if (i+j)%2 == 0 {
				c.Series[i].Labels[k] = v
			}
		}
	}
	step := time.Duration(max(1, spanSec/64)) * time.Second
	for k := 0; len(raw) >= 10; k, raw = k+1, raw[10:] {
		s := int(raw[0]) % n
		v := math.Float64frombits(binary.LittleEndian.Uint64(raw[2:]))
		var ts time.Time
		switch raw[1] % 4 {
		case 0, 1: // in order within the window
			ts = start.Add(time.Duration(k) * step)
		case 2: // anywhere
			ts = time.Unix(int64(binary.LittleEndian.Uint64(raw[2:])), int64(raw[1]))
		case 3: // a duplicate or earlier time
			ts = start.Add(time.Duration(k/2) * step)
		}
		c.Series[s].Points = append(c.Series[s].Points, Point{T: ts, V: v})
	}
	if spanSec%3 == 0 {
		c.Start, c.End = time.Time{}, time.Time{} // window from the data
	}
	return c
}
