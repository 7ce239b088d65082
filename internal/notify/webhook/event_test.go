package webhook

import (
	"encoding/json"
	"testing"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/notify"
)

// A band and a series threshold reach the receiver as a list; the single
// threshold and op stay the first number, for receivers of the older fields.
func TestEventThresholds(t *testing.T) {
	t.Parallel()
	lo, hi := 20.0, 85.0
	m := message(alert.KindFiring, mkAlert("Temp", "node-2:9100"))
	m.Image = &notify.Image{URL: "https://herald.example/images/a.png", Query: "t", Threshold: &lo, Op: ">",
		Thresholds: []notify.Threshold{{Op: ">", Value: &lo}, {Op: "<", Value: &hi}, {Op: ">", Query: "t_max * 0.8"}}}
	b, err := json.Marshal(buildEvent(m).Chart)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"url":"https://herald.example/images/a.png","width":0,"height":0,"alt":"","query":"t","threshold":20,"op":"\u003e",` +
		`"thresholds":[{"op":"\u003e","value":20},{"op":"\u003c","value":85},{"op":"\u003e","query":"t_max * 0.8"}]}`
	if string(b) != want {
		t.Errorf("chart\n got %s\nwant %s", b, want)
	}
}
