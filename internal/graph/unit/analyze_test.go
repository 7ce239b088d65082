package unit

import (
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
)

// rules are alerting and recording rule expressions as they are written in
// node-mixin, kubernetes-mixin, exporters' examples and public rule
// collections, each with the unit a careful person would give its chart.
// Ambiguous ones (a name that does not say its unit, a number divided by
// another) must be Short: no unit is better than a wrong one.
var rules = []struct{ expr, want string }{
	// node_exporter
	{`100 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100 > 90`, Percent},
	{`node_filesystem_avail_bytes * 100 / node_filesystem_size_bytes < 10`, Percent},
	{`1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes > 0.9`, PercentUnit},
	{`rate(node_network_receive_bytes_total[5m])`, BytesPerSec},
	{`node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100 < 10`, Percent},
	{`(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < .10)`, PercentUnit},
	{`sum by (instance) (rate(node_network_receive_bytes_total[2m])) / 1024 / 1024 > 100`, Short}, // MiB/s: no id for it
	{`rate(node_disk_read_bytes_total[5m])`, BytesPerSec},
	{`rate(node_disk_io_time_seconds_total[1m]) > 0.8`, PercentUnit},
	{`node_load1 / count without (cpu, mode) (node_cpu_seconds_total{mode="idle"}) > 2`, Short},
	{`predict_linear(node_filesystem_avail_bytes{fstype!="tmpfs"}[6h], 4 * 3600) < 0`, Bytes},
	{`time() - node_boot_time_seconds < 600`, Seconds},
	{`node_hwmon_temp_celsius > 80`, Celsius},
	{`rate(node_network_transmit_bytes_total[5m]) * 8 > 1e9`, BitsPerSec},
	{`increase(node_vmstat_oom_kill[1m]) > 0`, Short},
	{`node_timex_offset_seconds > 0.05`, Seconds},
	{`deriv(node_filesystem_free_bytes[1h]) < -1e6`, BytesPerSec},
	{`rate(node_context_switches_total[5m])`, PerSecond},
	{`(node_filesystem_avail_bytes / node_filesystem_size_bytes * 100 < 10 and ON (instance, device, mountpoint) node_filesystem_readonly == 0)`, Percent},
	{`node_filesystem_files_free / node_filesystem_files * 100 < 10`, Short}, // inodes: names without a unit
	{`abs(node_time_seconds - time()) > 1`, Seconds},
	{`rate(node_vmstat_pgmajfault[1m]) > 1000`, Short},
	{`node_memory_SwapFree_bytes / node_memory_SwapTotal_bytes < 0.1`, PercentUnit},
	{`(rate(node_network_receive_bytes_total[5m]) / node_network_speed_bytes) > .80`, Short}, // the speed is bytes/s, its name says bytes
	{`rate(node_network_receive_errs_total[5m]) / rate(node_network_receive_packets_total[5m]) > 0.01`, PercentUnit},
	{`node_filesystem_avail_bytes{mountpoint="/"} / 1024 / 1024 / 1024 < 5`, GiBytes},
	{`rate(node_disk_read_time_seconds_total[1m]) / rate(node_disk_reads_completed_total[1m]) > 0.1`, Seconds},
	{`sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))`, PercentUnit},
	{`max_over_time(node_load5[5m])`, Short},
	{`node_hwmon_temp_celsius * 1.8 + 32`, Short},
	{`min_over_time(node_memory_MemFree_bytes[1w]) > node_memory_MemTotal_bytes * .8`, Bytes},
	{`node_systemd_unit_state{state="failed"} == 1`, Short},
	{`node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes`, Bytes},
	{`(time() - systemd_timer_last_trigger_seconds) / 3600 > 25`, Hours},
	{`time() + 3600 - node_boot_time_seconds`, Seconds},
	{`node_network_up * on (instance) group_left (nodename) node_uname_info == 0`, None},
	{`rate(node_disk_written_bytes_total[5m]) * on (instance) group_left (nodename) node_uname_info`, BytesPerSec},

	// blackbox_exporter
	{`probe_success == 0`, None},
	{`probe_ssl_earliest_cert_expiry - time() < 86400 * 30`, Seconds},
	{`(probe_ssl_earliest_cert_expiry - time()) / 86400 < 30`, Days},
	{`sum by (instance) (probe_http_duration_seconds) > 1`, Seconds},
	{`avg_over_time(probe_success[5m]) * 100 < 90`, Percent},
	{`probe_http_status_code <= 199 OR probe_http_status_code >= 400`, Short},
	{`avg_over_time(probe_dns_lookup_time_seconds[1m]) > 1`, Short}, // _time_seconds: a duration here, a moment in node_boot_time_seconds

	// HTTP request durations and error ratios
	{`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5`, Seconds},
	{`histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) * 1000 > 500`, Milliseconds},
	{`sum(rate(http_request_duration_seconds_sum[5m])) / sum(rate(http_request_duration_seconds_count[5m])) > 0.3`, Seconds},
	{`histogram_quantile(0.9, rate(http_server_requests_milliseconds_bucket[5m]))`, Milliseconds},
	{`histogram_quantile(0.95, sum(rate(http_request_duration_seconds[5m])))`, Seconds},
	{`histogram_quantile(0.99, sum by (le) (rate(http_response_size_bytes_bucket[5m])))`, Bytes},
	{`sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05`, PercentUnit},
	{`sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) * 100 > 5`, Percent},
	{`100 * sum(rate(nginx_http_requests_total{status=~"^5.."}[1m])) / sum(rate(nginx_http_requests_total[1m])) > 5`, Percent},
	{`sum(rate(http_requests_total[5m])) by (job)`, PerSecond},
	{`increase(http_requests_total{code="500"}[1h]) > 10`, Short},
	{`rate(grpc_server_handled_total{grpc_code!="OK"}[5m]) / rate(grpc_server_started_total[5m]) > 0.05`, PercentUnit},
	{`sum(rate(http_requests_total{code=~"5.."}[5m])) or vector(0)`, PerSecond},
	{`1 - sum(rate(http_requests_total{code=~"5.."}[30d])) / sum(rate(http_requests_total[30d]))`, PercentUnit},
	{`(sum(rate(http_request_duration_seconds_bucket{le="0.3"}[5m])) + sum(rate(http_request_duration_seconds_bucket{le="1.2"}[5m]))) / 2 / sum(rate(http_request_duration_seconds_count[5m])) < 0.9`, PercentUnit},
	{`rate(http_requests_total[5m]) * 60`, Short}, // per minute: no id for it
	{`rate(http_requests_total[5m]) > bool 100`, None},

	// cAdvisor, kube-state-metrics, Kubernetes, mixins' recording rules
	{`sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{container!=""}[5m])) / sum by (namespace, pod) (kube_pod_container_resource_limits{resource="cpu"}) > 0.8`, PercentUnit},
	{`sum(container_memory_working_set_bytes{container!=""}) by (pod) / sum(kube_pod_container_resource_limits{resource="memory"}) by (pod) > 0.9`, PercentUnit},
	{`increase(kube_pod_container_status_restarts_total[1h]) > 3`, Short},
	{`kube_deployment_spec_replicas != kube_deployment_status_replicas_available`, Short},
	{`kube_node_status_condition{condition="Ready",status="true"} == 0`, Short},
	{`(kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes) * 100 < 10`, Percent},
	{`time() - kube_cronjob_status_last_schedule_time > 3600`, Short}, // a timestamp whose name does not say so
	{`count(kube_pod_info) by (node) / sum(kube_node_status_allocatable{resource="pods"}) by (node) > 0.9`, Short},
	{`count by (node) (kube_pod_info) / count by (node) (kube_node_info)`, Short}, // pods per node: a count over a count
	{`sum(rate(container_network_receive_bytes_total[5m])) by (pod)`, BytesPerSec},
	{`container_memory_usage_bytes{container!=""} / container_spec_memory_limit_bytes > 0.9`, PercentUnit},
	{`rate(container_cpu_cfs_throttled_periods_total[5m]) / rate(container_cpu_cfs_periods_total[5m]) > 0.25`, PercentUnit},
	{`(time() - container_last_seen) > 60`, Seconds},
	{`sum(kube_pod_status_phase{phase=~"Pending|Unknown"}) by (namespace) > 0`, Short},
	{`apiserver_request:burnrate1h > (14.4 * 0.01)`, Short},
	{`instance:node_cpu_utilisation:rate5m > 0.9`, Short},
	{`node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate`, PercentUnit},
	{`instance:node_memory_utilisation:ratio > 0.9`, PercentUnit},
	{`cluster_quantile:apiserver_request_sli_duration_seconds:histogram_quantile{quantile="0.99"} > 1`, Seconds},
	{`node_namespace_pod_container:container_memory_working_set_bytes`, Bytes},
	{`instance_device:node_disk_io_time_seconds:rate5m > 0.9`, PercentUnit},
	{`slo:sli_error:ratio_rate5m{sloth_service="api"} > (14.4 * 0.001)`, PercentUnit},
	{`code_resource:apiserver_request_total:rate5m`, PerSecond},

	// Redis
	{`redis_up == 0`, None},
	{`redis_memory_used_bytes / redis_memory_max_bytes * 100 > 90`, Percent},
	{`redis_connected_clients / redis_config_maxclients * 100 > 90`, Short},
	{`increase(redis_rejected_connections_total[1m]) > 0`, Short},
	{`time() - redis_rdb_last_save_timestamp_seconds > 60 * 60 * 24`, Seconds},
	{`rate(redis_commands_duration_seconds_total[1m]) / rate(redis_commands_total[1m])`, Seconds},
	{`delta(redis_connected_clients[1m]) < 0`, Short},

	// PostgreSQL, MySQL
	{`pg_up == 0`, None},
	{`sum by (instance) (pg_stat_activity_count) / sum by (instance) (pg_settings_max_connections) * 100 > 80`, Short},
	{`rate(pg_stat_database_deadlocks[1m]) > 0`, Short},
	{`pg_replication_lag_seconds > 30`, Seconds},
	{`rate(pg_stat_database_xact_rollback{datname!~"template.*"}[3m]) / rate(pg_stat_database_xact_commit{datname!~"template.*"}[3m]) > 0.02`, Short},
	{`pg_database_size_bytes / 1024 / 1024 / 1024 > 100`, GiBytes},
	{`time() - pg_postmaster_start_time_seconds < 300`, Seconds},
	{`max_over_time(mysql_global_status_threads_connected[1m]) / mysql_global_variables_max_connections * 100 > 80`, Short},
	{`mysql_slave_status_seconds_behind_master > 30`, Short},

	// Prometheus, Go processes, JVM, etcd
	{`prometheus_tsdb_head_series > 1e6`, Short},
	{`rate(prometheus_tsdb_compactions_failed_total[3m]) > 0`, PerSecond},
	{`time() - prometheus_config_last_reload_success_timestamp_seconds > 3600`, Seconds},
	{`prometheus_config_last_reload_successful != 1`, Short},
	{`sum(up == 0) by (job)`, Short},
	{`count(up == 0) / count(up) > 0.1`, PercentUnit},
	{`avg_over_time(up[10m]) < 0.9`, PercentUnit},
	{`process_resident_memory_bytes > 2e9`, Bytes},
	{`rate(process_cpu_seconds_total[5m]) * 100 > 80`, Percent},
	{`absent(up{job="node"})`, None},
	{`changes(process_start_time_seconds[1h]) > 3`, Short},
	{`histogram_quantile(0.99, sum by (le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket[5m]))) > 0.5`, Seconds},
	{`rate(jvm_gc_collection_seconds_sum[5m]) > 0.5`, PercentUnit},
	{`sum(jvm_memory_bytes_used{area="heap"}) / sum(jvm_memory_bytes_max{area="heap"}) * 100 > 80`, Short}, // _used, _max: not unit suffixes
	{`go_memstats_heap_inuse_bytes / go_memstats_heap_sys_bytes > 0.9`, PercentUnit},
	{`vector(1)`, Short},
	{`{__name__=~"node_.*_bytes"}`, Short},
}

func TestOf(t *testing.T) {
	t.Parallel()
	short := 0
	for _, tc := range rules {
		expr, err := parser.NewParser(parser.Options{}).ParseExpr(tc.expr)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if got := Of(expr); got != tc.want {
			t.Errorf("Of(%s) = %q, want %q (%s)", tc.expr, got, tc.want, describe(expr))
		}
		if tc.want == Short {
			short++
		}
	}
	if len(rules) < 40 {
		t.Errorf("only %d expressions", len(rules))
	}
	t.Logf("%d expressions, %d of them short", len(rules), short)
}
