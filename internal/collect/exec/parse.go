package exec

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/heraldhq/herald/internal/collect/series"
)

// parse turns a check's output into samples; see parseText. A panic of
// the parser (third-party code reading outside input) becomes an error:
// a check must not bring Herald down.
func parse(out []byte, check string, now time.Time) (samples []series.Sample, err error) {
	defer func() {
		if r := recover(); r != nil {
			samples, err = nil, fmt.Errorf("parse output: parser failed: %v", r)
		}
	}()
	return parseText(out, check, now)
}

// parseText reads out as the Prometheus text format and returns its
// samples as Prometheus would store them from a scrape: histograms and
// summaries expanded into _bucket{le}, quantile, _sum and _count series
// (le and quantile written as Prometheus 3 normalises them, "1.0"),
// timestamps honoured (otherwise now), empty label values dropped, and
// check="<name>" set on each, a check label of the output being kept as
// exported_check.
//
// Names must be of the legacy charset ([a-zA-Z_:][a-zA-Z0-9_:]*): the
// rules (metric_above's metric) and Herald's /metrics take only those, so
// a UTF-8 name fails at once rather than yielding a series nothing can
// use. A last line without its newline is accepted, as Prometheus does.
func parseText(out []byte, check string, now time.Time) ([]series.Sample, error) {
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out[:len(out):len(out)], '\n')
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	families, err := p.TextToMetricFamilies(bytes.NewReader(out))
	if err != nil {
		return nil, fmt.Errorf("parse output: %w", err)
	}
	b := builder{check: check, now: now, seen: map[string]bool{}}
	for _, name := range slices.Sorted(maps.Keys(families)) {
		if err := b.family(families[name]); err != nil {
			return nil, err
		}
	}
	return b.samples, nil
}

// builder collects the samples of one output.
type builder struct {
	check   string
	now     time.Time
	seen    map[string]bool
	samples []series.Sample
}

// family adds the samples of mf.
func (b *builder) family(mf *dto.MetricFamily) error {
	name := mf.GetName()
	for _, m := range mf.GetMetric() {
		s := sampleOf{b: b, labels: m.GetLabel(), ts: m.TimestampMs}
		var err error
		switch {
		case m.GetCounter() != nil:
			err = s.add(name, "", "", m.GetCounter().GetValue())
		case m.GetGauge() != nil:
			err = s.add(name, "", "", m.GetGauge().GetValue())
		case m.GetUntyped() != nil:
			err = s.add(name, "", "", m.GetUntyped().GetValue())
		case m.GetHistogram() != nil:
			err = s.histogram(name, m.GetHistogram())
		case m.GetSummary() != nil:
			err = s.summary(name, m.GetSummary())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sampleOf adds the samples of one metric (one label set).
type sampleOf struct {
	b      *builder
	labels []*dto.LabelPair
	ts     *int64
}

// histogram adds h's series, those the output had: a _sum or _count line
// that is missing stays missing, as in Prometheus.
func (s sampleOf) histogram(name string, h *dto.Histogram) error {
	for _, bk := range h.GetBucket() {
		var v float64
		switch {
		case bk.CumulativeCountFloat != nil:
			v = bk.GetCumulativeCountFloat()
		case bk.CumulativeCount != nil:
			v = float64(bk.GetCumulativeCount())
		default:
			continue
		}
		if err := s.add(name+"_bucket", model.BucketLabel, formatFloat(bk.GetUpperBound()), v); err != nil {
			return err
		}
	}
	if h.SampleSum != nil {
		if err := s.add(name+"_sum", "", "", h.GetSampleSum()); err != nil {
			return err
		}
	}
	switch {
	case h.SampleCountFloat != nil:
		return s.add(name+"_count", "", "", h.GetSampleCountFloat())
	case h.SampleCount != nil:
		return s.add(name+"_count", "", "", float64(h.GetSampleCount()))
	}
	return nil
}

// summary adds q's series, those the output had.
func (s sampleOf) summary(name string, q *dto.Summary) error {
	for _, qt := range q.GetQuantile() {
		if err := s.add(name, model.QuantileLabel, formatFloat(qt.GetQuantile()), qt.GetValue()); err != nil {
			return err
		}
	}
	if q.SampleSum != nil {
		if err := s.add(name+"_sum", "", "", q.GetSampleSum()); err != nil {
			return err
		}
	}
	if q.SampleCount != nil {
		return s.add(name+"_count", "", "", float64(q.GetSampleCount()))
	}
	return nil
}

// add adds one sample named name with the metric's labels, plus extra
// (le, quantile) when not empty.
func (s sampleOf) add(name, extra, extraValue string, v float64) error {
	b := s.b
	if name == UpMetric || name == DurationMetric {
		return fmt.Errorf("%s is Herald's own series of every check; a check may not print it", name)
	}
	labels := make(map[string]string, len(s.labels)+2)
	for _, l := range s.labels {
		if l.GetValue() != "" {
			labels[l.GetName()] = l.GetValue()
		}
	}
	if extra != "" {
		labels[extra] = extraValue
	}
	if v, ok := labels[CheckLabel]; ok {
		// As Prometheus on a conflict with a target label: exported_check,
		// or exported_exported_check if that is taken too...
		k := CheckLabel
		for {
			k = model.ExportedLabelPrefix + k
			if _, taken := labels[k]; !taken {
				labels[k] = v
				break
			}
		}
	}
	labels[CheckLabel] = b.check
	t := b.now
	if s.ts != nil {
		t = time.UnixMilli(*s.ts)
	}
	key := series.Key(name, labels)
	if b.seen[key] {
		return fmt.Errorf("parse output: series %s printed twice", sanitize(key, false))
	}
	if len(b.samples) == MaxSamples {
		return fmt.Errorf("parse output: more than %d samples", MaxSamples)
	}
	b.seen[key] = true
	b.samples = append(b.samples, series.Sample{Name: name, Labels: labels, T: t, V: v})
	return nil
}

// formatFloat writes an le or quantile value as Prometheus 3 normalises
// them on ingestion (textparse's formatOpenMetricsFloat): integers get
// ".0", so le="1" and le="1.0" are one series.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, +1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if strings.ContainsAny(s, "e.") {
		return s
	}
	return s + ".0"
}
