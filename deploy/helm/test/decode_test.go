package test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// manifests are the objects of one rendering, by kind and then name.
type manifests struct {
	configMaps      map[string]*corev1.ConfigMap
	services        map[string]*corev1.Service
	serviceAccounts map[string]*corev1.ServiceAccount
	statefulSets    map[string]*appsv1.StatefulSet
	deployments     map[string]*appsv1.Deployment
	pdbs            map[string]*policyv1.PodDisruptionBudget
	serviceMonitors map[string]*monitoringv1.ServiceMonitor
	prometheusRules map[string]*monitoringv1.PrometheusRule
	count           int
}

var docSep = regexp.MustCompile(`(?m)^---[ \t]*$`)

// decode decodes every document of helm template's output strictly: a
// field the typed object does not have, a duplicate key or a kind the chart
// should not render fails the test.
func decode(t *testing.T, out string) *manifests {
	t.Helper()
	m := &manifests{
		configMaps:      map[string]*corev1.ConfigMap{},
		services:        map[string]*corev1.Service{},
		serviceAccounts: map[string]*corev1.ServiceAccount{},
		statefulSets:    map[string]*appsv1.StatefulSet{},
		deployments:     map[string]*appsv1.Deployment{},
		pdbs:            map[string]*policyv1.PodDisruptionBudget{},
		serviceMonitors: map[string]*monitoringv1.ServiceMonitor{},
		prometheusRules: map[string]*monitoringv1.PrometheusRule{},
	}
	for _, doc := range docSep.Split(out, -1) {
		if isEmptyDoc(doc) {
			continue
		}
		if err := m.add([]byte(doc)); err != nil {
			t.Fatalf("%v\n--- document:\n%s", err, doc)
		}
		m.count++
	}
	return m
}

func isEmptyDoc(doc string) bool {
	for _, line := range strings.Split(doc, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
			return false
		}
	}
	return true
}

func (m *manifests) add(doc []byte) error {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return fmt.Errorf("not YAML: %w", err)
	}
	var (
		obj  any
		name func() string
	)
	switch gvk := tm.APIVersion + " " + tm.Kind; gvk {
	case "v1 ConfigMap":
		o := &corev1.ConfigMap{}
		obj, name = o, func() string { m.configMaps[o.Name] = o; return o.Name }
	case "v1 Service":
		o := &corev1.Service{}
		obj, name = o, func() string { m.services[o.Name] = o; return o.Name }
	case "v1 ServiceAccount":
		o := &corev1.ServiceAccount{}
		obj, name = o, func() string { m.serviceAccounts[o.Name] = o; return o.Name }
	case "apps/v1 StatefulSet":
		o := &appsv1.StatefulSet{}
		obj, name = o, func() string { m.statefulSets[o.Name] = o; return o.Name }
	case "apps/v1 Deployment":
		o := &appsv1.Deployment{}
		obj, name = o, func() string { m.deployments[o.Name] = o; return o.Name }
	case "policy/v1 PodDisruptionBudget":
		o := &policyv1.PodDisruptionBudget{}
		obj, name = o, func() string { m.pdbs[o.Name] = o; return o.Name }
	case "monitoring.coreos.com/v1 ServiceMonitor":
		o := &monitoringv1.ServiceMonitor{}
		obj, name = o, func() string { m.serviceMonitors[o.Name] = o; return o.Name }
	case "monitoring.coreos.com/v1 PrometheusRule":
		o := &monitoringv1.PrometheusRule{}
		obj, name = o, func() string { m.prometheusRules[o.Name] = o; return o.Name }
	default:
		return fmt.Errorf("unexpected kind %q", gvk)
	}
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return fmt.Errorf("%s %s: strict decoding: %w", tm.APIVersion, tm.Kind, err)
	}
	if n := name(); n == "" {
		return fmt.Errorf("%s without a name", tm.Kind)
	}
	return nil
}

// statefulSet returns the chart's one StatefulSet.
func (m *manifests) statefulSet(t *testing.T) *appsv1.StatefulSet {
	t.Helper()
	s, ok := m.statefulSets["herald"]
	if !ok || len(m.statefulSets) != 1 || len(m.deployments) != 0 {
		t.Fatalf("want one StatefulSet named herald and no Deployment, got %d and %d", len(m.statefulSets), len(m.deployments))
	}
	return s
}

// deployment returns the chart's one Deployment (storage.driver postgres).
func (m *manifests) deployment(t *testing.T) *appsv1.Deployment {
	t.Helper()
	d, ok := m.deployments["herald"]
	if !ok || len(m.deployments) != 1 || len(m.statefulSets) != 0 {
		t.Fatalf("want one Deployment named herald and no StatefulSet, got %d and %d", len(m.deployments), len(m.statefulSets))
	}
	return d
}

// container returns the herald container of a pod template.
func container(t *testing.T, p *corev1.PodTemplateSpec) *corev1.Container {
	t.Helper()
	cs := p.Spec.Containers
	if len(cs) != 1 || cs[0].Name != "herald" {
		t.Fatalf("want one container named herald, got %d", len(cs))
	}
	return &cs[0]
}

func volume(p *corev1.PodTemplateSpec, name string) *corev1.Volume {
	for i, v := range p.Spec.Volumes {
		if v.Name == name {
			return &p.Spec.Volumes[i]
		}
	}
	return nil
}

func mount(c *corev1.Container, name string) *corev1.VolumeMount {
	for i, v := range c.VolumeMounts {
		if v.Name == name {
			return &c.VolumeMounts[i]
		}
	}
	return nil
}
