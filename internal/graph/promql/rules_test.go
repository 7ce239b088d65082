package promql

// ruleCase is one real alerting rule and what charting it for one alert must give.
type ruleCase struct {
	name     string
	expr     string
	alert    map[string]string // the alert's labels
	match    []string          // match labels; nil means the default
	query    string            // the expected query, as the parser prints it
	thr      *float64
	op       string
	injected []string
	// instanceEverywhere: every selector of the query must carry the alert's instance.
	instanceEverywhere bool
	notRewritten       bool
}

func f(v float64) *float64 { return &v }

// node is the label set of an alert on one node_exporter target.
var node = map[string]string{"alertname": "X", "instance": "web-1:9100", "job": "node", "severity": "critical"}

const web1 = `instance="web-1:9100"`

// ruleCases are rules as they are written in the wild (node_exporter mixins, awesome-prometheus-
// alerts, kube-prometheus), one shape each.
var ruleCases = []ruleCase{
	{name: "memory ratio", expr: `(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 10`, alert: node,
		query: `node_memory_MemAvailable_bytes{` + web1 + `} / node_memory_MemTotal_bytes{` + web1 + `} * 100`,
		thr:   f(10), op: "<", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "rate in MiB", expr: `sum by (instance) (rate(node_network_receive_bytes_total[2m])) / 1024 / 1024 > 100`, alert: node,
		query: `sum by (instance) (rate(node_network_receive_bytes_total{` + web1 + `}[2m])) / 1024 / 1024`,
		thr:   f(100), op: ">", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "cpu from irate", expr: `100 - (avg by (instance) (irate(node_cpu_seconds_total{mode="idle"}[5m])) * 100) > 80`, alert: node,
		query: `100 - (avg by (instance) (irate(node_cpu_seconds_total{` + web1 + `,mode="idle"}[5m])) * 100)`,
		thr:   f(80), op: ">", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "increase", expr: `increase(node_vmstat_oom_kill[1m]) > 0`, alert: node,
		query: `increase(node_vmstat_oom_kill{` + web1 + `}[1m])`, thr: f(0), op: ">", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "absent, nothing to inject", expr: `absent(up{job="x"})`, alert: map[string]string{"job": "x"},
		query: `absent(up{job="x"})`, notRewritten: true},
	{name: "absent with instance", expr: `absent(up{job="node",instance="web-1:9100"})`, alert: node,
		query: `absent(up{` + web1 + `,job="node"})`, injected: []string{"instance"}, instanceEverywhere: true},
	{name: "absent_over_time", expr: `absent_over_time(up{job="node"}[5m]) == 1`, alert: map[string]string{"job": "node"},
		query: `absent_over_time(up{job="node"}[5m])`, thr: f(1), op: "=="},
	{name: "disk with and on", expr: `(node_filesystem_avail_bytes * 100) / node_filesystem_size_bytes < 10 and on (instance, device, mountpoint) node_filesystem_readonly == 0`,
		alert: node, query: `(node_filesystem_avail_bytes{` + web1 + `} * 100) / node_filesystem_size_bytes{` + web1 + `}`,
		thr: f(10), op: "<", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "parenthesised left of and", expr: `(rate(node_vmstat_pgmajfault[1m]) > 1000) and on(instance) up == 1`, alert: node,
		query: `rate(node_vmstat_pgmajfault{` + web1 + `}[1m])`, thr: f(1000), op: ">", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "unless", expr: `up{job="node"} == 0 unless on(instance) node_maintenance == 1`, alert: node,
		query: `up{` + web1 + `,job="node"}`, thr: f(0), op: "==", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "error ratio by job", expr: `sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total[5m])) > 0.05`,
		alert: map[string]string{"job": "api"},
		query: `sum by (job) (rate(http_requests_total{code=~"5..",job="api"}[5m])) / sum by (job) (rate(http_requests_total{job="api"}[5m]))`,
		thr:   f(0.05), op: ">", injected: []string{"job"}},
	{name: "sum by job drops instance", expr: `sum by (job) (rate(x[5m])) > 1`, alert: map[string]string{"job": "node"},
		query: `sum by (job) (rate(x{job="node"}[5m]))`, thr: f(1), op: ">", injected: []string{"job"}},
	{name: "sum by job with instance on the alert", expr: `sum(rate(x[5m])) by (job) > 1`, alert: node,
		query: `sum by (job) (rate(x{job="node"}[5m]))`, thr: f(1), op: ">", injected: []string{"job"}},
	{name: "sum without instance", expr: `sum without (instance) (rate(node_cpu_seconds_total[5m])) > 1`, alert: node,
		query: `sum without (instance) (rate(node_cpu_seconds_total[5m]))`, thr: f(1), op: ">"},
	{name: "avg by instance", expr: `avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) < 0.2`, alert: node,
		query: `avg by (instance) (rate(node_cpu_seconds_total{` + web1 + `,mode="idle"}[5m]))`,
		thr:   f(0.2), op: "<", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "histogram_quantile", expr: `histogram_quantile(0.99, sum by (le, service) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5`,
		alert: map[string]string{"service": "checkout", "severity": "page"},
		query: `histogram_quantile(0.99, sum by (le, service) (rate(http_request_duration_seconds_bucket{service="checkout"}[5m])))`,
		thr:   f(0.5), op: ">", injected: []string{"service"}},
	{name: "subquery", expr: `max_over_time(rate(x[1m])[10m:1m]) > 100`, alert: node,
		query: `max_over_time(rate(x{` + web1 + `}[1m])[10m:1m])`, thr: f(100), op: ">", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "offset, vector against vector", expr: `rate(http_requests_total[5m]) < 0.5 * rate(http_requests_total[5m] offset 1d)`, alert: node,
		query:    `rate(http_requests_total{` + web1 + `}[5m]) < 0.5 * rate(http_requests_total{` + web1 + `}[5m] offset 1d)`,
		injected: []string{"instance"}, instanceEverywhere: true},
	{name: "@ start()", expr: `sum_over_time(x[1h] @ start()) > 10`, alert: node,
		query: `sum_over_time(x{` + web1 + `}[1h] @ start())`, thr: f(10), op: ">", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "@ timestamp and offset", expr: `x @ 1609746000 offset 5m > 1`, alert: node,
		query: `x{` + web1 + `} @ 1609746000.000 offset 5m`, thr: f(1), op: ">", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "label_replace from instance", expr: `label_replace(up{job="node"}, "host", "$1", "instance", "([^:]+):.*") == 0`, alert: node,
		query: `label_replace(up{` + web1 + `,job="node"}, "host", "$1", "instance", "([^:]+):.*")`,
		thr:   f(0), op: "==", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "label_replace into instance", expr: `label_replace(probe_success, "instance", "$1", "target", "(.*)") == 0`, alert: node,
		query: `label_replace(probe_success, "instance", "$1", "target", "(.*)")`, thr: f(0), op: "=="},
	{name: "predict_linear", expr: `predict_linear(node_filesystem_avail_bytes{fstype!~"tmpfs"}[1h], 4 * 3600) < 0`, alert: node,
		query: `predict_linear(node_filesystem_avail_bytes{fstype!~"tmpfs",` + web1 + `}[1h], 4 * 3600)`,
		thr:   f(0), op: "<", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "time minus", expr: `time() - container_last_seen > 3600`, alert: node,
		query: `time() - container_last_seen{` + web1 + `}`, thr: f(3600), op: ">", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "count of down", expr: `count(up == 0) > 3`, alert: map[string]string{"alertname": "ManyDown"},
		query: `count(up == 0)`, thr: f(3), op: ">"},
	{name: "up == 0", expr: `up == 0`, alert: node,
		query: `up{` + web1 + `}`, thr: f(0), op: "==", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "bool comparison is a value", expr: `node_load1 > bool 4`, alert: node,
		query: `node_load1{` + web1 + `} > bool 4`, injected: []string{"instance"}, instanceEverywhere: true},
	{name: "vector against vector with on", expr: `node_load5 > on(instance) count by (instance) (node_cpu_seconds_total{mode="idle"})`, alert: node,
		query:    `node_load5{` + web1 + `} > on (instance) count by (instance) (node_cpu_seconds_total{` + web1 + `,mode="idle"})`,
		injected: []string{"instance"}, instanceEverywhere: true},
	{name: "number on the left", expr: `1 < node_load1`, alert: node,
		query: `node_load1{` + web1 + `}`, thr: f(1), op: ">", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "number on the left, <=", expr: `80 <= node_hwmon_temp_celsius`, alert: node,
		query: `node_hwmon_temp_celsius{` + web1 + `}`, thr: f(80), op: ">=", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "constant arithmetic", expr: `process_resident_memory_bytes > 512 * 1024 * 1024`, alert: node,
		query: `process_resident_memory_bytes{` + web1 + `}`, thr: f(536870912), op: ">", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "or keeps its comparisons", expr: `node_load1 > 10 or node_load5 > 8`, alert: node,
		query:    `node_load1{` + web1 + `} > 10 or node_load5{` + web1 + `} > 8`,
		injected: []string{"instance"}, instanceEverywhere: true},
	{name: "topk selects over all", expr: `topk(3, rate(x[5m])) > 1`, alert: node,
		query: `topk(3, rate(x[5m]))`, thr: f(1), op: ">"},
	{name: "scalar() is not narrowed", expr: `node_load1 > scalar(count(node_cpu_seconds_total{mode="idle"}))`, alert: node,
		query:    `node_load1{` + web1 + `} > scalar(count(node_cpu_seconds_total{mode="idle"}))`,
		injected: []string{"instance"}},
	{name: "group_left info metric", expr: `node_filesystem_avail_bytes * on(instance) group_left(nodename) node_uname_info < 1e9`, alert: node,
		query: `node_filesystem_avail_bytes{` + web1 + `} * on (instance) group_left (nodename) node_uname_info{` + web1 + `}`,
		thr:   f(1e9), op: "<", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "kubernetes match labels", expr: `increase(kube_pod_container_status_restarts_total[15m]) > 3`,
		alert: map[string]string{"namespace": "shop", "pod": "cart-7d9f", "container": "cart", "instance": "10.0.0.7:8080"},
		match: []string{"namespace", "pod"},
		query: `increase(kube_pod_container_status_restarts_total{namespace="shop",pod="cart-7d9f"}[15m])`,
		thr:   f(3), op: ">", injected: []string{"namespace", "pod"}},
	{name: "alert without instance", expr: `rate(x[5m]) > 1`, alert: map[string]string{"job": "node"},
		query: `rate(x[5m])`, thr: f(1), op: ">"},
	{name: "existing matcher replaced", expr: `up{instance=~"web-.*"} == 0`, alert: node,
		query: `up{` + web1 + `}`, thr: f(0), op: "==", injected: []string{"instance"}, instanceEverywhere: true},
	{name: "value with quotes and UTF-8", expr: `up == 0`, alert: map[string]string{"instance": "узел \"1\"\\\n"},
		query: `up{instance="узел \"1\"\\\n"}`, thr: f(0), op: "==", injected: []string{"instance"}},
	{name: "infinite threshold stays", expr: `x > 1 / 0`, alert: node,
		query: `x{` + web1 + `} > 1 / 0`, injected: []string{"instance"}, instanceEverywhere: true},
	{name: "nothing to do", expr: `rate(x[5m])`, alert: map[string]string{"job": "node"},
		query: `rate(x[5m])`, notRewritten: true},
	{name: "parse error", expr: `rate(x[5m] > `, alert: node, query: `rate(x[5m] > `, notRewritten: true},
}
