package deploytest

import (
	"bytes"
	"github.com/heraldhq/herald/internal/testutil"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/realproc"
)

// The demo stack's own files, run with the real programs (Debian's
// prometheus, prometheus-alertmanager, prometheus-node-exporter) and the
// herald binary on loopback ports, rewritten only in host names, ports and
// paths: the demo alert of prometheus/rules.yml fires, goes through
// alertmanager/alertmanager.yml's route and reaches herald/herald.yml's
// console channel with a chart of the node's load.
func TestComposeStackDeliversDemoAlertWithChart(t *testing.T) {
	t.Parallel()
	promBin := realproc.Binary(t, "prometheus")
	amBin := realproc.Binary(t, "prometheus-alertmanager", "alertmanager")
	herald := heraldBinary(t)
	stack := filepath.Join("deploy", "compose")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	nodeAddr := realproc.StartNodeExporter(t)
	promAddr, amAddr, heraldAddr, grafanaAddr := realproc.FreePort(t), realproc.FreePort(t), realproc.FreePort(t), realproc.FreePort(t)

	heraldCfg := write("herald.yml", replaceAll(t, "herald.yml", readRepo(t, filepath.Join(stack, "herald", "herald.yml")),
		"listen_address: :9096", "listen_address: "+heraldAddr,
		"data_dir: /data", "data_dir: "+filepath.Join(dir, "data"),
		"http://localhost:9096", "http://"+heraldAddr,
		"http://prometheus:9090", "http://"+promAddr,
		"http://alertmanager:9093", "http://"+amAddr,
		"http://grafana:3000", "http://"+grafanaAddr))
	h := startProc(t, herald, "serve", "--config="+heraldCfg, "--log.level=debug")
	testutil.Poll(t, 30*time.Second, "herald ready", func() bool { return get("http://"+heraldAddr+"/-/ready") == http.StatusOK })

	amCfg := write("alertmanager.yml", replaceAll(t, "alertmanager.yml", readRepo(t, filepath.Join(stack, "alertmanager", "alertmanager.yml")),
		"http://herald:9096", "http://"+heraldAddr))
	realproc.Start(t, amBin, "http://"+amAddr+"/-/ready", "--config.file="+amCfg,
		"--storage.path="+filepath.Join(dir, "am"), "--web.listen-address="+amAddr, "--cluster.listen-address=")

	write("rules.yml", readRepo(t, filepath.Join(stack, "prometheus", "rules.yml")))
	promCfg := write("prometheus.yml", replaceAll(t, "prometheus.yml", readRepo(t, filepath.Join(stack, "prometheus", "prometheus.yml")),
		"/etc/prometheus/rules.yml", filepath.Join(dir, "rules.yml"),
		"alertmanager:9093", amAddr,
		"prometheus:9090", promAddr,
		"node-exporter:9100", nodeAddr,
		"herald:9096", heraldAddr))
	realproc.Start(t, promBin, "http://"+promAddr+"/-/ready", "--config.file="+promCfg,
		"--storage.tsdb.path="+filepath.Join(dir, "prom"), "--web.listen-address="+promAddr)

	// Scrape and evaluation every 10s, for: 20s, group_wait 5s: about 40s.
	start := time.Now()
	block := regexp.MustCompile(`(?s)----- #\d+ console firing -----\n.*?HeraldDemoLoad.*?\nchart: (\S+)\n`)
	testutil.Poll(t, 150*time.Second, "HeraldDemoLoad with a chart on the console", func() bool {
		return block.MatchString(h.Out.String())
	})
	t.Logf("demo alert on Herald's console %s after the stack started", time.Since(start).Round(time.Second))
	m := block.FindStringSubmatch(h.Out.String())
	if !strings.Contains(m[0], nodeAddr) {
		t.Errorf("the alert is not node_exporter's (%s):\n%s", nodeAddr, m[0])
	}
	// With external_url set, as in the stack, the chart is hosted by Herald.
	if !strings.HasPrefix(m[1], "http://"+heraldAddr+"/images/") {
		t.Fatalf("chart %q is not hosted by Herald at its external_url", m[1])
	}
	resp, err := http.Get(m[1])
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %v", m[1], resp.Status, err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("chart %s: %v", m[1], err)
	}
	if r := img.Bounds(); r.Dx() < 300 || r.Dy() < 150 {
		t.Errorf("chart is %v", r)
	}
}

// get returns the status of GET url, 0 when it cannot connect.
func get(url string) int {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
