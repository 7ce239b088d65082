package test

import (
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// render lints and renders values, failing the test on any error.
func render(t *testing.T, values string) *manifests {
	t.Helper()
	if out, err := lint(t, values); err != nil {
		t.Fatalf("lint: %v", err)
	} else if !strings.Contains(out, "0 chart(s) failed") {
		t.Fatalf("lint output:\n%s", out)
	}
	out, err := template(t, values)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, out)
}

// heraldYML returns the rendered herald.yml, parsed, and its text.
func heraldYML(t *testing.T, m *manifests) (map[string]any, string) {
	t.Helper()
	cm, ok := m.configMaps["herald"]
	if !ok {
		t.Fatal("no ConfigMap herald")
	}
	text, ok := cm.Data["herald.yml"]
	if !ok || len(cm.Data) != 1 {
		t.Fatalf("ConfigMap data keys: want only herald.yml, got %v", reflect.ValueOf(cm.Data).MapKeys())
	}
	var cfg map[string]any
	if err := yaml.UnmarshalStrict([]byte(text), &cfg); err != nil {
		t.Fatalf("herald.yml is not YAML: %v\n%s", err, text)
	}
	return cfg, text
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	m := render(t, "{}")
	s := m.statefulSet(t)
	c := container(t, &s.Spec.Template)

	if s.Spec.Replicas == nil || *s.Spec.Replicas != 1 {
		t.Errorf("replicas: %v", s.Spec.Replicas)
	}
	if c.Image != "ghcr.io/heraldhq/herald:0.1.0" || c.ImagePullPolicy != corev1.PullIfNotPresent {
		t.Errorf("image %q, pull policy %q", c.Image, c.ImagePullPolicy)
	}
	if want := []string{"serve", "--config=/etc/herald/config/herald.yml"}; !reflect.DeepEqual(c.Args, want) {
		t.Errorf("args %q, want %q", c.Args, want)
	}

	t.Run("security context", func(t *testing.T) {
		psc := s.Spec.Template.Spec.SecurityContext
		if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.FSGroup == nil || *psc.FSGroup != 65532 ||
			psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			t.Errorf("pod securityContext: %+v", psc)
		}
		sc := c.SecurityContext
		switch {
		case sc == nil:
			t.Fatal("no container securityContext")
		case sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot:
			t.Error("runAsNonRoot not true")
		case sc.RunAsUser == nil || *sc.RunAsUser != 65532:
			t.Errorf("runAsUser: %v", sc.RunAsUser)
		case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
			t.Error("readOnlyRootFilesystem not true")
		case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
			t.Error("allowPrivilegeEscalation not false")
		case sc.Capabilities == nil || !reflect.DeepEqual(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0:
			t.Errorf("capabilities: %+v", sc.Capabilities)
		case sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault:
			t.Errorf("seccompProfile: %+v", sc.SeccompProfile)
		}
		if sa := m.serviceAccounts["herald"]; sa == nil || sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
			t.Error("ServiceAccount herald should exist without an automounted token")
		}
		if s.Spec.Template.Spec.ServiceAccountName != "herald" {
			t.Errorf("serviceAccountName %q", s.Spec.Template.Spec.ServiceAccountName)
		}
	})

	t.Run("probes", func(t *testing.T) {
		for name, p := range map[string]*corev1.Probe{"/-/healthy": c.LivenessProbe, "/-/ready": c.ReadinessProbe} {
			if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != name || p.HTTPGet.Port.String() != "http" {
				t.Errorf("probe %s: %+v", name, p)
			}
		}
		if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 9096 {
			t.Errorf("ports: %+v", c.Ports)
		}
	})

	t.Run("persistent volume", func(t *testing.T) {
		vct := s.Spec.VolumeClaimTemplates
		if len(vct) != 1 || vct[0].Name != "data" {
			t.Fatalf("volumeClaimTemplates: %+v", vct)
		}
		if got := vct[0].Spec.Resources.Requests[corev1.ResourceStorage]; got.Cmp(resource.MustParse("1Gi")) != 0 {
			t.Errorf("storage request %s", got.String())
		}
		if !reflect.DeepEqual(vct[0].Spec.AccessModes, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}) {
			t.Errorf("access modes %v", vct[0].Spec.AccessModes)
		}
		if vct[0].Spec.StorageClassName != nil {
			t.Errorf("storageClassName set to %q; empty should leave the cluster's default", *vct[0].Spec.StorageClassName)
		}
		if v := volume(&s.Spec.Template, "data"); v != nil {
			t.Errorf("a pod volume named data shadows the claim: %+v", v)
		}
		if mt := mount(c, "data"); mt == nil || mt.MountPath != "/data" || mt.ReadOnly {
			t.Errorf("data mount: %+v", mt)
		}
		// A read-only root needs a writable /tmp.
		if mt := mount(c, "tmp"); mt == nil || mt.MountPath != "/tmp" || volume(&s.Spec.Template, "tmp").EmptyDir == nil {
			t.Error("no emptyDir on /tmp")
		}
	})

	t.Run("config", func(t *testing.T) {
		cfg, text := heraldYML(t, m)
		if cfg["listen_address"] != ":9096" || cfg["data_dir"] != "/data" {
			t.Errorf("herald.yml:\n%s", text)
		}
		sum := sha256.Sum256([]byte(strings.TrimSuffix(text, "\n")))
		if got := s.Spec.Template.Annotations["checksum/config"]; got != hex.EncodeToString(sum[:]) {
			t.Errorf("checksum/config %q is not the sha256 of herald.yml", got)
		}
		v := volume(&s.Spec.Template, "config")
		if v == nil || v.ConfigMap == nil || v.ConfigMap.Name != "herald" {
			t.Fatalf("config volume: %+v", v)
		}
		if mt := mount(c, "config"); mt == nil || mt.MountPath != "/etc/herald/config" || !mt.ReadOnly || mt.SubPath != "" {
			t.Errorf("config mount: %+v", mt)
		}
		if volume(&s.Spec.Template, "secrets") != nil || len(c.Env) != 0 {
			t.Error("secrets volume or env without existingSecret")
		}
	})

	// The PostgreSQL mode leaves no trace in the default (SQLite) one.
	t.Run("sqlite only", func(t *testing.T) {
		cfg, text := heraldYML(t, m)
		if _, ok := cfg["storage"]; ok {
			t.Errorf("storage in herald.yml:\n%s", text)
		}
		if volume(&s.Spec.Template, "db") != nil || mount(c, "db") != nil {
			t.Error("DSN volume without storage.driver postgres")
		}
		if s.Spec.Template.Spec.Affinity != nil {
			t.Errorf("affinity %+v; the one pod needs none", s.Spec.Template.Spec.Affinity)
		}
		if len(m.pdbs) != 0 {
			t.Error("PodDisruptionBudget for the one SQLite pod")
		}
	})

	t.Run("service", func(t *testing.T) {
		svc := m.services["herald"]
		if svc == nil || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 9096 || svc.Spec.Ports[0].TargetPort.String() != "http" {
			t.Fatalf("service: %+v", svc)
		}
		for k, v := range svc.Spec.Selector {
			if s.Spec.Template.Labels[k] != v || s.Spec.Selector.MatchLabels[k] != v {
				t.Errorf("service selector %s=%s does not select the pod", k, v)
			}
		}
	})

	if len(m.serviceMonitors)+len(m.prometheusRules) != 0 {
		t.Error("monitoring objects rendered while disabled")
	}
}

func TestConfigChangeRollsPod(t *testing.T) {
	t.Parallel()
	values := `
config:
  external_url: https://herald.example.com/
  telegram:
    bot_token_file: /etc/herald/secrets/telegram-bot-token
  channels:
    - name: ops
      telegram: {chat_id: -1001234567890}
  routes:
    - matchers: ['severity="critical"']
      channels: [ops]
  default_channel: ops
`
	m := render(t, values)
	cfg, _ := heraldYML(t, m)
	want := map[string]any{}
	if err := yaml.Unmarshal([]byte(`
listen_address: ":9096"
data_dir: /data
external_url: https://herald.example.com/
telegram:
  bot_token_file: /etc/herald/secrets/telegram-bot-token
channels:
  - name: ops
    telegram: {chat_id: -1001234567890}
routes:
  - matchers: ['severity="critical"']
    channels: [ops]
default_channel: ops
`), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("herald.yml:\n got %v\nwant %v", cfg, want)
	}
	base := render(t, "{}")
	a := m.statefulSet(t).Spec.Template.Annotations["checksum/config"]
	b := base.statefulSet(t).Spec.Template.Annotations["checksum/config"]
	if a == "" || a == b {
		t.Errorf("checksum/config did not change with the configuration: %q, %q", a, b)
	}
}

func TestExistingConfigMapAndSecret(t *testing.T) {
	t.Parallel()
	m := render(t, `
existingConfigMap: herald-config
existingSecret: herald-secrets
secretEnv:
  - name: HERALD_TELEGRAM_BOT_TOKEN
    key: telegram-bot-token
env:
  - name: TZ
    value: UTC
`)
	if len(m.configMaps) != 0 {
		t.Errorf("a ConfigMap was rendered beside existingConfigMap")
	}
	s := m.statefulSet(t)
	c := container(t, &s.Spec.Template)
	if v := volume(&s.Spec.Template, "config"); v == nil || v.ConfigMap == nil || v.ConfigMap.Name != "herald-config" {
		t.Errorf("config volume: %+v", v)
	}
	if _, ok := s.Spec.Template.Annotations["checksum/config"]; ok {
		t.Error("checksum/config of a ConfigMap the chart cannot see")
	}
	v := volume(&s.Spec.Template, "secrets")
	if v == nil || v.Secret == nil || v.Secret.SecretName != "herald-secrets" {
		t.Fatalf("secrets volume: %+v", v)
	}
	if mt := mount(c, "secrets"); mt == nil || mt.MountPath != "/etc/herald/secrets" || !mt.ReadOnly {
		t.Errorf("secrets mount: %+v", mt)
	}
	want := []corev1.EnvVar{
		{Name: "TZ", Value: "UTC"},
		{Name: "HERALD_TELEGRAM_BOT_TOKEN", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: "herald-secrets"}, Key: "telegram-bot-token"}}},
	}
	if !reflect.DeepEqual(c.Env, want) {
		t.Errorf("env:\n got %+v\nwant %+v", c.Env, want)
	}
}

func TestMonitoring(t *testing.T) {
	t.Parallel()
	m := render(t, `
serviceMonitor:
  enabled: true
  labels: {release: prometheus}
prometheusRule:
  enabled: true
  labels: {release: prometheus}
`)
	sm := m.serviceMonitors["herald"]
	if sm == nil {
		t.Fatal("no ServiceMonitor")
	}
	svc := m.services["herald"]
	for k, v := range sm.Spec.Selector.MatchLabels {
		if svc.Labels[k] != v {
			t.Errorf("ServiceMonitor selector %s=%s does not select the Service", k, v)
		}
	}
	if sm.Labels["release"] != "prometheus" || len(sm.Spec.Endpoints) != 1 ||
		sm.Spec.Endpoints[0].Port != "http" || sm.Spec.Endpoints[0].Path != "/metrics" {
		t.Errorf("ServiceMonitor: %+v", sm)
	}

	pr := m.prometheusRules["herald"]
	if pr == nil || pr.Labels["release"] != "prometheus" || len(pr.Spec.Groups) != 1 {
		t.Fatalf("PrometheusRule: %+v", pr)
	}
	exprs := map[string]string{}
	for _, r := range pr.Spec.Groups[0].Rules {
		exprs[r.Alert] = r.Expr.String()
		if r.Labels["severity"] == "" || r.Annotations["summary"] == "" || r.Annotations["description"] == "" {
			t.Errorf("%s: severity, summary or description missing", r.Alert)
		}
	}
	sel := `namespace="monitoring", service="herald"`
	for alert, want := range map[string][]string{
		"HeraldDown":               {"up{" + sel + "} == 0", "absent(up{" + sel + "})"},
		"HeraldDeliveriesFailing":  {"herald_deliveries_total{" + sel + `, outcome=~"permanent_failure|expired"}`},
		"HeraldOutboxGrowing":      {"herald_outbox_pending{" + sel + "}[15m]"},
		"HeraldOutboxUnreadable":   {"herald_outbox_pending{" + sel + "} < 0"},
		"HeraldGraphFailures":      {"herald_graph_failures_total{" + sel + "}"},
		"HeraldConfigReloadFailed": {"herald_config_last_reload_successful{" + sel + "} == 0"},
	} {
		got, ok := exprs[alert]
		if !ok {
			t.Errorf("no alert %s", alert)
			continue
		}
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: expr %q lacks %q", alert, got, w)
			}
		}
		if strings.Count(got, "(") != strings.Count(got, ")") || strings.Count(got, "{") != strings.Count(got, "}") {
			t.Errorf("%s: unbalanced expr %q", alert, got)
		}
	}
	if len(exprs) != 6 {
		t.Errorf("alerts: %v", exprs)
	}
}

func TestPersistenceDisabled(t *testing.T) {
	t.Parallel()
	m := render(t, "persistence: {enabled: false}")
	s := m.statefulSet(t)
	if len(s.Spec.VolumeClaimTemplates) != 0 {
		t.Error("volumeClaimTemplates with persistence disabled")
	}
	if v := volume(&s.Spec.Template, "data"); v == nil || v.EmptyDir == nil {
		t.Errorf("data volume: %+v", v)
	}
	if mt := mount(container(t, &s.Spec.Template), "data"); mt == nil || mt.MountPath != "/data" {
		t.Errorf("data mount: %+v", mt)
	}
}

func TestCustomResourcesAndStorage(t *testing.T) {
	t.Parallel()
	m := render(t, `
image: {repository: registry.example.com/herald, tag: v0.2.0, pullPolicy: Always}
resources:
  requests: {cpu: 200m, memory: 128Mi}
  limits: {cpu: "1", memory: 1Gi}
persistence: {storageClass: fast, size: 5Gi}
extraArgs: [--log.level=debug]
`)
	s := m.statefulSet(t)
	c := container(t, &s.Spec.Template)
	for name, want := range map[string]struct{ got, want resource.Quantity }{
		"requests.cpu":    {c.Resources.Requests[corev1.ResourceCPU], resource.MustParse("200m")},
		"requests.memory": {c.Resources.Requests[corev1.ResourceMemory], resource.MustParse("128Mi")},
		"limits.cpu":      {c.Resources.Limits[corev1.ResourceCPU], resource.MustParse("1")},
		"limits.memory":   {c.Resources.Limits[corev1.ResourceMemory], resource.MustParse("1Gi")},
	} {
		if want.got.Cmp(want.want) != 0 {
			t.Errorf("%s = %s, want %s", name, want.got.String(), want.want.String())
		}
	}
	if c.Image != "registry.example.com/herald:v0.2.0" || c.ImagePullPolicy != corev1.PullAlways {
		t.Errorf("image %q %q", c.Image, c.ImagePullPolicy)
	}
	if c.Args[len(c.Args)-1] != "--log.level=debug" {
		t.Errorf("args %q", c.Args)
	}
	vct := s.Spec.VolumeClaimTemplates[0]
	if vct.Spec.StorageClassName == nil || *vct.Spec.StorageClassName != "fast" {
		t.Errorf("storageClassName %v", vct.Spec.StorageClassName)
	}
	if got := vct.Spec.Resources.Requests[corev1.ResourceStorage]; got.Cmp(resource.MustParse("5Gi")) != 0 {
		t.Errorf("storage %s", got.String())
	}
}
