package test

import (
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// postgresValues is the smallest replicated setup: the driver and the
// Secret holding the DSN.
const postgresValues = `
storage:
  driver: postgres
  postgres:
    existingSecret: herald-db
config:
  storage:
    lease_duration: 30s
`

func TestPostgres(t *testing.T) {
	t.Parallel()
	m := render(t, postgresValues)
	d := m.deployment(t)
	pod := &d.Spec.Template
	c := container(t, pod)

	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("replicas %v, want the default 2", d.Spec.Replicas)
	}
	if ru := d.Spec.Strategy.RollingUpdate; d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType ||
		ru == nil || ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 0 {
		t.Errorf("strategy %+v; want a rolling update that keeps every replica until its successor is ready", d.Spec.Strategy)
	}

	t.Run("config", func(t *testing.T) {
		cfg, text := heraldYML(t, m)
		want := map[string]any{}
		if err := yaml.Unmarshal([]byte(`
listen_address: ":9096"
data_dir: /data
storage:
  driver: postgres
  dsn_file: /etc/herald/db/dsn
  lease_duration: 30s
`), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(cfg, want) {
			t.Errorf("herald.yml:\n got %v\nwant %v\n%s", cfg, want, text)
		}
		if pod.Annotations["checksum/config"] == "" {
			t.Error("no checksum/config: a changed configuration would not roll the pods")
		}
	})

	t.Run("DSN secret", func(t *testing.T) {
		v := volume(pod, "db")
		want := []corev1.KeyToPath{{Key: "dsn", Path: "dsn"}}
		if v == nil || v.Secret == nil || v.Secret.SecretName != "herald-db" || !reflect.DeepEqual(v.Secret.Items, want) {
			t.Fatalf("db volume: %+v", v)
		}
		if mode := v.Secret.DefaultMode; mode == nil || *mode != 0o440 {
			t.Errorf("db volume mode %v, want 0440", mode)
		}
		if mt := mount(c, "db"); mt == nil || mt.MountPath != "/etc/herald/db" || !mt.ReadOnly {
			t.Errorf("db mount: %+v", mt)
		}
		for _, e := range c.Env {
			if strings.Contains(strings.ToLower(e.Name), "dsn") {
				t.Errorf("the DSN is a file, not variable %s", e.Name)
			}
		}
	})

	t.Run("no volume", func(t *testing.T) {
		if v := volume(pod, "data"); v == nil || v.EmptyDir == nil {
			t.Errorf("data volume %+v, want an emptyDir (chart image cache only)", v)
		}
		if mt := mount(c, "data"); mt == nil || mt.MountPath != "/data" {
			t.Errorf("data mount: %+v", mt)
		}
		for _, v := range pod.Spec.Volumes {
			if v.PersistentVolumeClaim != nil {
				t.Errorf("volume %s is a PVC", v.Name)
			}
		}
	})

	t.Run("probes", func(t *testing.T) {
		for path, p := range map[string]*corev1.Probe{"/-/healthy": c.LivenessProbe, "/-/ready": c.ReadinessProbe} {
			if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != "http" || p.PeriodSeconds == 0 {
				t.Errorf("probe %s: %+v", path, p)
			}
		}
	})

	t.Run("spread over nodes", func(t *testing.T) {
		a := pod.Spec.Affinity
		if a == nil || a.PodAntiAffinity == nil || len(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) != 1 ||
			len(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) != 0 {
			t.Fatalf("affinity %+v, want one preferred pod anti-affinity term", a)
		}
		term := a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].PodAffinityTerm
		if term.TopologyKey != "kubernetes.io/hostname" || term.LabelSelector == nil {
			t.Fatalf("anti-affinity term %+v", term)
		}
		selects(t, "anti-affinity", term.LabelSelector.MatchLabels, pod)
	})

	t.Run("disruption budget", func(t *testing.T) {
		pdb := m.pdbs["herald"]
		if pdb == nil || len(m.pdbs) != 1 {
			t.Fatalf("want one PodDisruptionBudget herald, got %d", len(m.pdbs))
		}
		if pdb.Spec.MaxUnavailable == nil || *pdb.Spec.MaxUnavailable != intstr.FromInt32(1) || pdb.Spec.MinAvailable != nil {
			t.Errorf("PodDisruptionBudget spec %+v, want maxUnavailable 1", pdb.Spec)
		}
		selects(t, "PodDisruptionBudget", pdb.Spec.Selector.MatchLabels, pod)
	})

	t.Run("service", func(t *testing.T) {
		svc := m.services["herald"]
		if svc == nil {
			t.Fatal("no Service")
		}
		selects(t, "Service", svc.Spec.Selector, pod)
		selects(t, "Deployment", d.Spec.Selector.MatchLabels, pod)
	})
}

// selects checks that labels pick the pod.
func selects(t *testing.T, what string, labels map[string]string, pod *corev1.PodTemplateSpec) {
	t.Helper()
	if len(labels) == 0 {
		t.Errorf("%s selects every pod", what)
	}
	for k, v := range labels {
		if pod.Labels[k] != v {
			t.Errorf("%s selector %s=%s does not select the pod", what, k, v)
		}
	}
}

func TestPostgresVariants(t *testing.T) {
	t.Parallel()
	base := "storage: {driver: postgres, postgres: {existingSecret: herald-db}}\n"
	for _, tc := range []struct {
		name, values string
		check        func(t *testing.T, m *manifests, d *appsv1.Deployment)
	}{
		{"three replicas", "replicas: 3", func(t *testing.T, m *manifests, d *appsv1.Deployment) {
			if *d.Spec.Replicas != 3 || m.pdbs["herald"] == nil {
				t.Errorf("replicas %d, PodDisruptionBudget %v", *d.Spec.Replicas, m.pdbs["herald"])
			}
		}},
		// A budget over one pod would block every node drain.
		{"one replica", "replicas: 1", func(t *testing.T, m *manifests, d *appsv1.Deployment) {
			if *d.Spec.Replicas != 1 || len(m.pdbs) != 0 {
				t.Errorf("replicas %d, %d PodDisruptionBudgets", *d.Spec.Replicas, len(m.pdbs))
			}
		}},
		{"budget disabled", "podDisruptionBudget: {enabled: false}", func(t *testing.T, m *manifests, _ *appsv1.Deployment) {
			if len(m.pdbs) != 0 {
				t.Error("PodDisruptionBudget while disabled")
			}
		}},
		{"own secret key", "storage: {postgres: {existingSecretKey: url}}", func(t *testing.T, _ *manifests, d *appsv1.Deployment) {
			v := volume(&d.Spec.Template, "db")
			if want := []corev1.KeyToPath{{Key: "url", Path: "dsn"}}; v == nil || v.Secret == nil || !reflect.DeepEqual(v.Secret.Items, want) {
				t.Errorf("db volume %+v, want key url as file dsn", v)
			}
		}},
		{"own affinity", "affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [ops]}]}]}}}",
			func(t *testing.T, _ *manifests, d *appsv1.Deployment) {
				a := d.Spec.Template.Spec.Affinity
				if a == nil || a.NodeAffinity == nil || a.PodAntiAffinity != nil {
					t.Errorf("affinity %+v, want exactly the values' one", a)
				}
			}},
		{"existing ConfigMap", "existingConfigMap: herald-config", func(t *testing.T, m *manifests, d *appsv1.Deployment) {
			if len(m.configMaps) != 0 {
				t.Error("a ConfigMap was rendered beside existingConfigMap")
			}
			if mt := mount(container(t, &d.Spec.Template), "db"); mt == nil || mt.MountPath != "/etc/herald/db" {
				t.Errorf("db mount %+v: the user's herald.yml needs /etc/herald/db/dsn too", mt)
			}
		}},
		{"same driver in config", "config: {storage: {driver: postgres}}", func(t *testing.T, m *manifests, _ *appsv1.Deployment) {
			cfg, text := heraldYML(t, m)
			if s, _ := cfg["storage"].(map[string]any); s["driver"] != "postgres" || s["dsn_file"] != "/etc/herald/db/dsn" {
				t.Errorf("herald.yml:\n%s", text)
			}
		}},
		{"replicas zero", "replicas: 0", func(t *testing.T, m *manifests, d *appsv1.Deployment) {
			if *d.Spec.Replicas != 0 || len(m.pdbs) != 0 {
				t.Errorf("replicas %d, %d PodDisruptionBudgets", *d.Spec.Replicas, len(m.pdbs))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := render(t, mergeValues(t, base, tc.values))
			tc.check(t, m, m.deployment(t))
		})
	}
}

// mergeValues merges two values documents the way helm merges -f files
// (maps key by key), so that a case can add to the base.
func mergeValues(t *testing.T, docs ...string) string {
	t.Helper()
	out := map[string]any{}
	for _, d := range docs {
		var v map[string]any
		if err := yaml.UnmarshalStrict([]byte(d), &v); err != nil {
			t.Fatalf("test values: %v\n%s", err, d)
		}
		merge(out, v)
	}
	b, err := yaml.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

func TestPostgresMonitoring(t *testing.T) {
	t.Parallel()
	m := render(t, postgresValues+"prometheusRule: {enabled: true}\n")
	pr := m.prometheusRules["herald"]
	if pr == nil || len(pr.Spec.Groups) != 1 {
		t.Fatalf("PrometheusRule: %+v", pr)
	}
	rules := map[string]string{}
	for _, r := range pr.Spec.Groups[0].Rules {
		rules[r.Alert] = r.Expr.String() + " severity=" + r.Labels["severity"]
	}
	sel := `namespace="monitoring", service="herald"`
	for alert, want := range map[string]string{
		// One replica down must not page as if Herald were gone.
		"HeraldDown":        "sum by (namespace, service) (up{" + sel + "}) == 0 or absent(up{" + sel + "}) severity=critical",
		"HeraldReplicaDown": "up{" + sel + "} == 0 severity=warning",
		// Replicas up, none sending.
		"HeraldNoDispatcher": "sum by (namespace, service) (herald_lease_held{" + sel + `, lease="dispatch"}) == 0 severity=critical`,
	} {
		if rules[alert] != want {
			t.Errorf("%s: %q, want %q", alert, rules[alert], want)
		}
	}
	if got := rules["HeraldOutboxGrowing"]; !strings.HasPrefix(got, "max by (namespace, service) (min_over_time(herald_outbox_pending{"+sel+"}[15m])) > 0") {
		t.Errorf("HeraldOutboxGrowing: %q, want one series for all replicas", got)
	}
	if len(rules) != 8 {
		t.Errorf("alerts: %v", rules)
	}
}
