package main

import (
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExplainJSON(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "h.yml", "channels: [{name: c, console: {}}]\n")
	code, out, errs := runCmd("explain", "--config", cfg, "--format", "json", "--for", "10m",
		"--expr", `(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 10`, "--labels", "instance=web-1,job=node")
	if code != 0 {
		t.Fatalf("%d %s", code, errs)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := map[string]any{
		"query":     `node_memory_MemAvailable_bytes{instance="web-1"} / node_memory_MemTotal_bytes{instance="web-1"} * 100`,
		"threshold": 10.0, "op": "<", "range": "30m0s", "unit": "percent",
		"thresholds": []any{map[string]any{"op": "<", "value": 10.0}},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	// No comparison: threshold and op are null, and the keys are all there.
	_, out, _ = runCmd("explain", "--config", cfg, "--format", "json", "--expr", `up`, "--labels", "instance=a")
	if !strings.Contains(out, `"threshold":null`) || !strings.Contains(out, `"op":null`) || !strings.Contains(out, `"thresholds":[]`) {
		t.Fatalf("no threshold: %s", out)
	}
	// The text form names the unit too.
	if _, out, _ = runCmd("explain", "--config", cfg, "--expr", `rate(node_network_receive_bytes_total[5m]) > 1e8`); !strings.Contains(out, "\nunit:      Bps\n") {
		t.Fatalf("text unit: %s", out)
	}
	if code, _, errs := runCmd("explain", "--config", cfg); code != 2 || !strings.Contains(errs, "--expr is required") {
		t.Fatalf("missing --expr: %d %s", code, errs)
	}
}

// TestExplainThresholds: a band gives two lines, a series threshold its
// query; the text form has one line per threshold.
func TestExplainThresholds(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "h.yml", "channels: [{name: c, console: {}}]\n")
	for _, tc := range []struct {
		expr, json, text string
	}{
		{`node_hwmon_temp_celsius > 20 and node_hwmon_temp_celsius < 85`,
			`"threshold":20,"op":">","range":"30m0s","thresholds":[{"op":">","value":20},{"op":"<","value":85}]}`,
			"threshold: > 20\nthreshold: < 85\n"},
		{`node_hwmon_temp_celsius > node_hwmon_temp_max_celsius * 0.9`,
			`"threshold":null,"op":null,"range":"30m0s","thresholds":[{"op":">","query":"node_hwmon_temp_max_celsius{instance=\"web-1\"} * 0.9"}]}`,
			"threshold: > series node_hwmon_temp_max_celsius{instance=\"web-1\"} * 0.9\n"},
	} {
		args := []string{"explain", "--config", cfg, "--for", "15m", "--expr", tc.expr, "--labels", "instance=web-1"}
		code, out, errs := runCmd(append(args, "--format", "json")...)
		if code != 0 || !strings.HasPrefix(out, `{"query":"node_hwmon_temp_celsius{instance=\"web-1\"}",`) || !strings.HasSuffix(out, tc.json+"\n") {
			t.Errorf("%s: %d %s\n%s", tc.expr, code, out, errs)
		}
		code, out, errs = runCmd(args...)
		if code != 0 || !strings.Contains(out, tc.text) {
			t.Errorf("%s: %d %s\n%s", tc.expr, code, out, errs)
		}
	}
}

func TestRenderCommand(t *testing.T) {
	var query string
	prom := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		if r.URL.Path != "/api/v1/query_range" {
			http.Error(w, "not found", 404)
			return
		}
		query = r.Form.Get("query")
		now := time.Now().Unix()
		var vals []string
		for i := int64(0); i < 60; i++ {
			vals = append(vals, fmt.Sprintf(`[%d,"%d"]`, now-3600+i*60, i%7))
		}
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"node_load1","instance":"web-1"},"values":[%s]}]}}`,
			strings.Join(vals, ","))
	}))
	defer prom.Close()
	dir := t.TempDir()
	cfg := writeFile(t, dir, "h.yml", fmt.Sprintf("prometheus:\n  url: %s\nchannels: [{name: c, console: {}}]\n", prom.URL))
	out := filepath.Join(dir, "chart.png")
	code, stdout, errs := runCmd("render", "--config", cfg, "--expr", "node_load1 > 4", "--labels", "instance=web-1", "--range", "1h", "-o", out)
	if code != 0 {
		t.Fatalf("%d %s %s", code, stdout, errs)
	}
	if query != `node_load1{instance="web-1"}` {
		t.Fatalf("queried %q", query)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 600 {
		t.Fatalf("chart: %v %v", err, img.Bounds())
	}
	// A preview of an expression shows no alert: the top right, where the
	// state goes, is background, and so is the plot's last quarter, where
	// a firing band would be.
	bg := img.At(2, 2)
	for _, pt := range []image.Point{{1000, 20}, {1100, 28}, {1150, 20}, {1100, 300}, {1150, 200}} {
		if img.At(pt.X, pt.Y) != bg {
			t.Errorf("preview at %v: %v, want the background %v", pt, img.At(pt.X, pt.Y), bg)
		}
	}
	// An alert file: the query comes from its generatorURL.
	code, _, errs = runCmd("render", "--config", cfg, "--alert-file", "../../internal/alert/testdata/alertmanager-0.25-webhook-firing.json", "-o", out)
	if code != 0 || !strings.Contains(query, `node_memory_MemAvailable_bytes{instance="node-2.example:9100"}`) {
		t.Fatalf("alert file: %d %s, queried %q", code, errs, query)
	}
	if code, _, errs := runCmd("render", "--config", cfg, "-o", out); code != 2 || !strings.Contains(errs, "exactly one of --expr and --alert-file") {
		t.Fatalf("no source: %d %s", code, errs)
	}
}

// TestPrometheusDurations checks that duration flags take the forms rules
// use (1w, 7d, 1d12h) and refuse nonsense with the flag's name.
func TestPrometheusDurations(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "h.yml", "channels: [{name: c, console: {}}]\n")
	for _, d := range []string{"1w", "7d", "1d12h", "90s", "1.5h"} {
		code, out, errs := runCmd("explain", "--config", cfg, "--format", "json", "--for", d, "--expr", `up == 0`)
		if code != 0 || !strings.Contains(out, `"range"`) {
			t.Errorf("--for %s: %d %s %s", d, code, out, errs)
		}
	}
	code, _, errs := runCmd("explain", "--config", cfg, "--for", "7x", "--expr", `up == 0`)
	if code != 2 || !strings.Contains(errs, `invalid value "7x" for flag -for`) {
		t.Errorf("--for 7x: %d %s", code, errs)
	}
	if code, out, errs := runCmd("explain", "--config", cfg, "--format", "json", "--range", "1d", "--expr", `up == 0`); code != 0 || !strings.Contains(out, `"range":"24h0m0s"`) {
		t.Errorf("--range 1d: %d %s %s", code, out, errs)
	}
}
