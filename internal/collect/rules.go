package collect

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
	"time"

	amtemplate "github.com/prometheus/alertmanager/template"
	"github.com/prometheus/common/model"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/collect/docker"
	"github.com/heraldhq/herald/internal/collect/exec"
	"github.com/heraldhq/herald/internal/collect/series"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/graph"
)

// ReceiverName is the receiver the collectors' notifications carry, as
// Alertmanager's name theirs.
const ReceiverName = "herald-collectors"

// observation is what one round of collection saw.
type observation struct {
	at     time.Time
	hosts  []docker.HostState
	checks []exec.Result
	// samples are every sample of the round, for metric_* rules.
	samples []series.Sample
}

// hit is one series for which a rule's condition holds now.
type hit struct {
	labels map[string]string
	value  float64
	// query is the local selector charted with the alert.
	query string
	text  string
}

// evaluate returns, for rule r, the series for which its condition holds
// in o. prev is the previous round, for restarts.
func evaluate(r *config.CollectRule, o, prev *observation) []hit {
	var out []hit
	switch r.When {
	case config.WhenHostDown:
		for _, h := range o.hosts {
			if !h.Up {
				out = append(out, hit{labels: map[string]string{"host": h.Name}, value: 0,
					query: series.Key(docker.MetricHostUp, map[string]string{"host": h.Name}), text: "host " + h.Name + " does not answer: " + h.Err})
			}
		}
	case config.WhenCheckFailed:
		for _, c := range o.checks {
			if !c.OK {
				out = append(out, hit{labels: map[string]string{"check": c.Check},
					query: series.Key(exec.UpMetric, map[string]string{"check": c.Check}), text: "check " + c.Check + " failed: " + c.Err})
			}
		}
	case config.WhenMetricAbove, config.WhenMetricBelow:
		for _, s := range o.samples {
			if s.Name != r.Metric || math.IsNaN(s.V) {
				continue
			}
			if (r.When == config.WhenMetricAbove && s.V > *r.Threshold) || (r.When == config.WhenMetricBelow && s.V < *r.Threshold) {
				out = append(out, hit{labels: maps.Clone(s.Labels), value: s.V, query: series.Key(s.Name, s.Labels),
					text: fmt.Sprintf("%s = %s", s.Name, strconv.FormatFloat(s.V, 'g', 6, 64))})
			}
		}
	default:
		out = containerHits(r, o, prev)
	}
	var kept []hit
	for _, h := range out {
		if matchAll(r.Match, h.labels) {
			kept = append(kept, h)
		}
	}
	return kept
}

// containerHits evaluates the rules on containers.
func containerHits(r *config.CollectRule, o, prev *observation) []hit {
	var out []hit
	for _, h := range o.hosts {
		for _, c := range h.Containers {
			ls := map[string]string{"host": h.Name, "container": c.Name, "image": c.Image}
			id := map[string]string{"host": h.Name, "container": c.Name}
			switch r.When {
			case config.WhenContainerExited:
				if c.State == "exited" || c.State == "dead" {
					out = append(out, hit{labels: ls, query: series.Key(docker.MetricRunning, id), text: "container " + c.Name + " is " + c.State})
				}
			case config.WhenContainerUnhealthy:
				if c.Health == "unhealthy" {
					out = append(out, hit{labels: ls, query: series.Key(docker.MetricHealthy, id), text: "container " + c.Name + " is unhealthy"})
				}
			case config.WhenContainerRestarted:
				if p, ok := prev.container(h.Name, c.Name); ok && c.Restarts > p.Restarts {
					out = append(out, hit{labels: ls, value: float64(c.Restarts), query: series.Key(docker.MetricRestarts, id),
						text: fmt.Sprintf("container %s restarted (%d times in all)", c.Name, c.Restarts)})
				}
			case config.WhenCPUAbove:
				if c.State == "running" && c.CPUPercent > *r.Threshold {
					out = append(out, hit{labels: ls, value: c.CPUPercent, query: series.Key(docker.MetricCPUPercent, id),
						text: fmt.Sprintf("container %s uses %.1f %% CPU (of one core)", c.Name, c.CPUPercent)})
				}
			case config.WhenMemoryAbove:
				if c.State == "running" && c.MemLimit > 0 {
					if pct := float64(c.MemUsed) / float64(c.MemLimit) * 100; pct > *r.Threshold {
						out = append(out, hit{labels: ls, value: pct, query: series.Key(docker.MetricMemoryUsed, id),
							text: fmt.Sprintf("container %s uses %.1f %% of its memory limit", c.Name, pct)})
					}
				}
			}
		}
	}
	return out
}

// container finds a container of the previous round.
func (o *observation) container(host, name string) (docker.Container, bool) {
	if o == nil {
		return docker.Container{}, false
	}
	for _, h := range o.hosts {
		if h.Name != host {
			continue
		}
		for _, c := range h.Containers {
			if c.Name == name {
				return c, true
			}
		}
	}
	return docker.Container{}, false
}

func matchAll(want, labels map[string]string) bool {
	for k, v := range want {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// ruleState is the state of one alert of a rule (one series). It is
// kept in the store, so that a restart neither fires an alert again as a
// new episode nor forgets to resolve it.
type ruleState struct {
	Since  time.Time         `json:"since"` // when the condition began to hold
	Firing bool              `json:"firing,omitempty"`
	Labels map[string]string `json:"labels"`
	Query  string            `json:"query,omitempty"`
	Text   string            `json:"text,omitempty"`
}

// rules turns the rules' conditions into firing and resolved alerts.
type rules struct {
	state map[string]*ruleState // by rule and labels
	prev  *observation
	// changed says that state differs from what was last saved.
	changed bool
}

func newRules() *rules { return &rules{state: map[string]*ruleState{}} }

// marshal is the state to save; restore reads it back.
func (r *rules) marshal() (string, error) {
	b, err := json.Marshal(r.state)
	return string(b), err
}

func (r *rules) restore(s string) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), &r.state)
}

// step evaluates every rule on o and returns the notification of what
// started firing and what resolved in this round, nil when nothing did.
func (r *rules) step(cfg []config.CollectRule, o *observation, externalURL string) *alert.Notification {
	var out []amtemplate.Alert
	seen := map[string]bool{}
	for i := range cfg {
		rule := &cfg[i]
		for _, h := range evaluate(rule, o, r.prev) {
			ls := alertLabels(rule, h)
			key := rule.Alert + series.Key("", ls)
			seen[key] = true
			st, ok := r.state[key]
			if !ok {
				st = &ruleState{Since: o.at}
				r.state[key] = st
				r.changed = true
			}
			st.Labels, st.Query, st.Text = h.labels, h.query, h.text
			if !st.Firing && o.at.Sub(st.Since) >= rule.For.D() {
				st.Firing, r.changed = true, true
				out = append(out, makeAlert(rule, ls, h, st.Since, time.Time{}))
			}
		}
	}
	for key, st := range r.state {
		if seen[key] {
			continue
		}
		if st.Firing {
			if rule := findRule(cfg, key); rule != nil {
				h := hit{labels: st.Labels, query: st.Query, text: st.Text}
				out = append(out, makeAlert(rule, alertLabels(rule, h), h, st.Since, o.at))
			}
		}
		delete(r.state, key)
		r.changed = true
	}
	r.prev = o
	if len(out) == 0 {
		return nil
	}
	n := &alert.Notification{Version: "4", GroupKey: "{}:{herald=\"collectors\"}"}
	n.Receiver, n.Status, n.Alerts, n.ExternalURL = ReceiverName, "resolved", out, externalURL
	for _, a := range out {
		if a.Status == "firing" {
			n.Status = "firing"
		}
	}
	n.GroupLabels = amtemplate.KV{}
	n.CommonLabels, n.CommonAnnotations = amtemplate.KV{}, amtemplate.KV{}
	return n
}

func findRule(cfg []config.CollectRule, key string) *config.CollectRule {
	for i := range cfg {
		if strings.HasPrefix(key, cfg[i].Alert+"{") {
			return &cfg[i]
		}
	}
	return nil
}

// alertLabels are an alert's labels: the series' own, the rule's, and
// alertname.
func alertLabels(rule *config.CollectRule, h hit) map[string]string {
	ls := maps.Clone(h.labels)
	if ls == nil {
		ls = map[string]string{}
	}
	maps.Copy(ls, rule.Labels)
	ls["alertname"] = rule.Alert
	return ls
}

// makeAlert is one alert as Alertmanager would post it; resolved when
// endsAt is set.
func makeAlert(rule *config.CollectRule, ls map[string]string, h hit, startsAt, endsAt time.Time) amtemplate.Alert {
	// The chart is drawn from Herald's own history with the selector.
	ann := amtemplate.KV{"summary": h.text, graph.AnnotationSource: graph.SourceLocal, graph.AnnotationQuery: h.query}
	for k, v := range rule.Annotations {
		ann[k] = v
	}
	if rule.Threshold != nil {
		ann["threshold"] = strconv.FormatFloat(*rule.Threshold, 'g', -1, 64)
	}
	lset := model.LabelSet{}
	for k, v := range ls {
		lset[model.LabelName(k)] = model.LabelValue(v)
	}
	a := amtemplate.Alert{Status: "firing", Labels: amtemplate.KV(ls), Annotations: ann, StartsAt: startsAt,
		Fingerprint: lset.Fingerprint().String()}
	if !endsAt.IsZero() {
		a.Status, a.EndsAt = "resolved", endsAt
	}
	return a
}
