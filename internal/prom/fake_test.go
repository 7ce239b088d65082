package prom

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fakeProm answers like Prometheus 3 does (same envelope, status codes and
// number formats) and checks what Prometheus or an auth proxy in front of
// it would check.
type fakeProm struct {
	t *testing.T
	// wantAuth is the Authorization header a request must carry ("" = none).
	wantAuth string
	// wantHeaders must all be present with these values.
	wantHeaders map[string]string
	// fail selects a failure: "bad_data", "500", "unavailable", "garbage",
	// "hang", "no_post", "echo" (an auth proxy quoting the request's
	// credentials in its error).
	fail string

	mu       sync.Mutex
	requests []request
}

// request is what the fake saw of one call.
type request struct {
	method, path string
	form         url.Values
}

func newFake(t *testing.T, f *fakeProm) (*fakeProm, *httptest.Server) {
	t.Helper()
	f.t = t
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeProm) seen() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

func (f *fakeProm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, request{r.Method, r.URL.Path, r.Form})
	f.mu.Unlock()
	if f.fail == "echo" {
		apiError(w, http.StatusUnauthorized, "unauthorized",
			fmt.Sprintf("rejected credentials %q, key %q", r.Header.Get("Authorization"), r.Header.Get("X-Api-Key")))
		return
	}
	if got := r.Header.Get("Authorization"); got != f.wantAuth {
		// What an auth proxy (nginx, oauth2-proxy) answers: not JSON.
		http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
		f.t.Errorf("Authorization = %q, want %q", got, f.wantAuth)
		return
	}
	for k, v := range f.wantHeaders {
		if got := r.Header.Get(k); got != v {
			f.t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	if ua := r.Header.Get("User-Agent"); ua != "herald" {
		f.t.Errorf("User-Agent = %q", ua)
	}
	switch f.fail {
	case "bad_data":
		apiError(w, http.StatusBadRequest, "bad_data", `invalid parameter "query": 1:6: parse error: unexpected end of input`)
		return
	case "500":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, "<html>\n<body>\n<h1>500 Internal Server Error</h1>\n</body>\n</html>\n")
		return
	case "unavailable":
		apiError(w, http.StatusServiceUnavailable, "unavailable", "Service Unavailable")
		return
	case "garbage":
		fmt.Fprint(w, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"x"]]}]}}`)
		return
	case "hang":
		<-r.Context().Done()
		return
	case "no_post":
		if r.Method == http.MethodPost {
			http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
			return
		}
	}
	if r.Method == http.MethodPost && r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		f.t.Errorf("POST with Content-Type %q", r.Header.Get("Content-Type"))
	}
	// Mimir and proxies serve the API under a prefix.
	switch strings.TrimPrefix(r.URL.Path, "/prefix") {
	case "/api/v1/query_range":
		f.checkTimes(r.Form, "start", "end", "step", "timeout")
		success(w, `{"resultType":"matrix","result":[
			{"metric":{"__name__":"node_load1","instance":"web-1","job":"node"},
			 "values":[[1795320000,"0.5"],[1795320015.5,"NaN"],[1795320030,"+Inf"],[1795320045,"-Inf"]]},
			{"metric":{"instance":"web-2"},"values":[[1795320000,"1e3"]]}]}`)
	case "/api/v1/query":
		f.checkTimes(r.Form, "timeout")
		if r.Form.Has("time") {
			f.checkTimes(r.Form, "time")
		}
		switch r.Form.Get("query") {
		case "scalar(up)":
			success(w, `{"resultType":"scalar","result":[1795320000,"42"]}`)
		case "up[1m]":
			success(w, `{"resultType":"matrix","result":[{"metric":{"instance":"a"},"values":[[1795320000,"1"],[1795320015,"0"]]}]}`)
		case `"text"`:
			success(w, `{"resultType":"string","result":[1795320000,"text"]}`)
		default:
			success(w, `{"resultType":"vector","result":[{"metric":{"instance":"a"},"value":[1795320000.25,"3.5"]},
				{"metric":{"instance":"h"},"histogram":[1795320000,{"count":"1","sum":"2"}]}]}`)
		}
	case "/api/v1/rules":
		success(w, rulesJSON)
	default:
		http.NotFound(w, r)
	}
}

// checkTimes checks that parameters parse as Prometheus parses them
// (float seconds here; Prometheus also takes RFC 3339 and durations).
func (f *fakeProm) checkTimes(form url.Values, keys ...string) {
	for _, k := range keys {
		if _, err := strconv.ParseFloat(form.Get(k), 64); err != nil {
			f.t.Errorf("%s = %q: %v", k, form.Get(k), err)
		}
	}
}

func success(w http.ResponseWriter, data string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":"success","data":%s}`, data)
}

func apiError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"status":"error","errorType":%q,"error":%q}`, typ, msg)
}

// rulesJSON is /api/v1/rules as Prometheus 3 answers it, trimmed to two
// groups: the same alert name in both, and a recording rule that a server
// ignoring type=alert would still send.
const rulesJSON = `{"groups":[
 {"name":"node","file":"/etc/prometheus/rules/node.yml","interval":15,"limit":0,"rules":[
  {"state":"firing","name":"HostMemoryLow","query":"(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 10",
   "duration":300,"keepFiringFor":0,"labels":{"severity":"critical"},"annotations":{"summary":"Memory low on {{ $labels.instance }}"},
   "alerts":[],"health":"ok","evaluationTime":0.0004,"lastEvaluation":"2026-11-21T04:09:41Z","type":"alerting"},
  {"name":"instance:node_load1:avg","query":"avg by (instance) (node_load1)","labels":{},"health":"ok",
   "evaluationTime":0.0001,"lastEvaluation":"2026-11-21T04:09:41Z","type":"recording"}],
  "evaluationTime":0.0005,"lastEvaluation":"2026-11-21T04:09:41Z"},
 {"name":"node-dev","file":"/etc/prometheus/rules/dev.yml","interval":60,"limit":0,"rules":[
  {"state":"inactive","name":"HostMemoryLow","query":"(node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100) < 2",
   "duration":90.5,"keepFiringFor":0,"labels":{"severity":"warning","env":"dev"},"alerts":[],"health":"ok",
   "evaluationTime":0.0003,"lastEvaluation":"2026-11-21T04:09:41Z","type":"alerting"}],
  "evaluationTime":0.0003,"lastEvaluation":"2026-11-21T04:09:41Z"}]}`
