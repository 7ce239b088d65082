package grafana_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/grafana"
	"github.com/heraldhq/herald/internal/testutil/fakegrafana"
)

// numbered makes n dashboards "<name> 01".."<name> n", in folder "Ops"
// for the even ones.
func numbered(name string, n int) []fakegrafana.Dashboard {
	var out []fakegrafana.Dashboard
	for i := 1; i <= n; i++ {
		d := fakegrafana.Dashboard{UID: fmt.Sprintf("%s-%02d", strings.ToLower(name), i), Title: fmt.Sprintf("%s %02d", name, i),
			Tags: []string{"team-a"}}
		if i%2 == 0 {
			d.FolderUID, d.FolderTitle = "ops", "Ops"
		}
		out = append(out, d)
	}
	return out
}

func titles(hits []grafana.DashboardHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Title)
	}
	return out
}

func TestSearchDashboardsPaging(t *testing.T) {
	t.Parallel()
	// 23 "Node" dashboards, 20 "Disk" ones (a multiple of the page) and
	// the shipped "Herald alert".
	f := newFake(t, append(numbered("Node", 23), numbered("Disk", 20)...)...)
	c := newClient(t, f)
	tests := []struct {
		query         string
		page, perPage int
		first, last   string
		n             int
		more          bool
	}{
		{query: "node", page: 1, perPage: 10, first: "Node 01", last: "Node 10", n: 10, more: true},
		{query: "NODE", page: 2, perPage: 10, first: "Node 11", last: "Node 20", n: 10, more: true},
		{query: "Node", page: 3, perPage: 10, first: "Node 21", last: "Node 23", n: 3},
		{query: "node", page: 4, perPage: 10},
		{query: "disk", page: 2, perPage: 10, first: "Disk 11", last: "Disk 20", n: 10},
		{query: "disk", page: 1, perPage: 20, first: "Disk 01", last: "Disk 20", n: 20},
		{query: "disk", page: 1, perPage: 19, first: "Disk 01", last: "Disk 19", n: 19, more: true},
		{query: "", page: 1, perPage: 5, first: "Disk 01", last: "Disk 05", n: 5, more: true},
		{query: "", page: 8, perPage: 5, first: "Node 15", last: "Node 19", n: 5, more: true},
		{query: "", page: 9, perPage: 5, first: "Node 20", last: "Node 23", n: 4},
		{query: "alert", page: 1, perPage: grafana.MaxPerPage, first: "Herald alert", last: "Herald alert", n: 1},
		{query: "no such thing", page: 1, perPage: 10},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d/%d", tt.query, tt.page, tt.perPage), func(t *testing.T) {
			hits, more, err := c.SearchDashboards(ctxT(t, 3*time.Second), tt.query, tt.page, tt.perPage)
			if err != nil {
				t.Fatal(err)
			}
			got := titles(hits)
			if len(got) != tt.n || more != tt.more || (tt.n > 0 && (got[0] != tt.first || got[len(got)-1] != tt.last)) {
				t.Errorf("got %v more %v, want %d from %q to %q, more %v", got, more, tt.n, tt.first, tt.last, tt.more)
			}
		})
	}
}

func TestSearchDashboardsHits(t *testing.T) {
	t.Parallel()
	f := newFake(t, numbered("Node", 2)...)
	c := newClient(t, f)
	hits, more, err := c.SearchDashboards(ctxT(t, 3*time.Second), "node", 1, 10)
	if err != nil || more {
		t.Fatal(more, err)
	}
	want := []grafana.DashboardHit{
		{UID: "node-01", Title: "Node 01", URL: f.URL() + "/d/node-01/node-01", Tags: []string{"team-a"}},
		{UID: "node-02", Title: "Node 02", FolderTitle: "Ops", URL: f.URL() + "/d/node-02/node-02", Tags: []string{"team-a"}},
	}
	if fmt.Sprint(hits) != fmt.Sprint(want) {
		t.Errorf("hits\n%+v\nwant\n%+v", hits, want)
	}
	// What Grafana was asked: dashboards only, one page.
	q := f.Requests()[0].Query()
	if q.Get("type") != "dash-db" || q.Get("query") != "node" || q.Get("limit") != "10" || q.Get("page") != "1" || len(q) != 4 {
		t.Errorf("query %v", q)
	}
}

// TestSearchDashboardsProbe checks how "more" is known: a full page costs
// one more request for the hit after it, and only a full page does.
func TestSearchDashboardsProbe(t *testing.T) {
	t.Parallel()
	f := newFake(t, numbered("Node", 6)...)
	c := newClient(t, f)
	if _, more, err := c.SearchDashboards(ctxT(t, 3*time.Second), "node", 2, 3); err != nil || more {
		t.Fatal(more, err)
	}
	reqs := f.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if q := reqs[1].Query(); q.Get("limit") != "1" || q.Get("page") != "7" {
		t.Errorf("probe %v, want the 7th hit", q)
	}
	if _, _, err := c.SearchDashboards(ctxT(t, 3*time.Second), "node", 1, 7); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Requests()); n != 3 {
		t.Errorf("%d requests: a short page needs no probe", n)
	}
}

func TestSearchDashboardsErrors(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := newClient(t, f)
	for _, args := range [][2]int{{0, 10}, {1, 0}, {1, grafana.MaxPerPage + 1}, {-1, 10}} {
		if _, _, err := c.SearchDashboards(ctxT(t, time.Second), "", args[0], args[1]); !grafana.IsPermanent(err) {
			t.Errorf("page %d of %d: %v", args[0], args[1], err)
		}
	}
	if n := len(f.Requests()); n != 0 {
		t.Errorf("%d bad requests reached Grafana", n)
	}

	wrong := "glsa_wrong_" + fakegrafana.DefaultToken
	bad := newClient(t, f, func(c *config.GrafanaConfig) { c.APIToken = config.Secret(wrong) })
	_, _, err := bad.SearchDashboards(ctxT(t, 3*time.Second), "node", 1, 10)
	if !errors.Is(err, grafana.ErrAuth) || !grafana.IsPermanent(err) || !strings.Contains(err.Error(), `"Invalid API key"`) {
		t.Errorf("wrong token: %v", err)
	}
	checkNoSecret(t, err.Error(), wrong, fakegrafana.DefaultToken)

	f.FailNext(1, fakegrafana.FaultHTMLPage)
	_, _, err = c.SearchDashboards(ctxT(t, 3*time.Second), "node", 1, 10)
	if e, ok := errors.AsType[*grafana.Error](err); !ok || e.Reason != grafana.ReasonBadAnswer || !e.Permanent ||
		!strings.HasSuffix(err.Error(), "(is grafana.url Grafana's root URL?) It begins: Grafana") {
		t.Errorf("HTML page: %v", err)
	}
	f.FailNext(1, fakegrafana.FaultBadGateway)
	if _, _, err = c.SearchDashboards(ctxT(t, 3*time.Second), "node", 1, 10); grafana.IsPermanent(err) ||
		!strings.Contains(err.Error(), "HTTP 502: 502 Bad Gateway") {
		t.Errorf("502: %v", err)
	}
	if p := f.Problems(); len(p) != 0 {
		t.Errorf("malformed requests: %v", p)
	}
	if !slices.ContainsFunc(f.Requests(), func(r fakegrafana.Request) bool { return r.Status == 401 }) {
		t.Error("no 401 recorded")
	}
}
