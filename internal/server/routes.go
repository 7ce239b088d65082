package server

import (
	"net/http"
	"strings"
)

// routes is a ServeMux whose every route is instrumented under the path of
// its pattern ("POST /api/v1/alerts/{channel}" counts as
// handler="/api/v1/alerts/{channel}"): never the requested path, which
// anyone can vary without bound. The routes of one path share a label, so a
// refused method shows as its status code there. Requests that match no
// route are answered by the mux and not counted.
type routes struct {
	mux *http.ServeMux
	m   *metrics
}

func newRoutes(m *metrics) *routes {
	return &routes{mux: http.NewServeMux(), m: m}
}

// Handle registers h for pattern, instrumented.
func (r *routes) Handle(pattern string, h http.Handler) {
	r.mux.Handle(pattern, r.m.instrument(routeLabel(pattern), h))
}

// HandleFunc registers f for pattern, instrumented.
func (r *routes) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	r.Handle(pattern, http.HandlerFunc(f))
}

func (r *routes) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.mux.ServeHTTP(w, req) }

// routeLabel is the path of a ServeMux pattern "[METHOD ][HOST]/[PATH]".
func routeLabel(pattern string) string {
	if _, rest, ok := strings.Cut(pattern, " "); ok {
		pattern = strings.TrimLeft(rest, " \t")
	}
	if i := strings.IndexByte(pattern, '/'); i > 0 {
		pattern = pattern[i:]
	}
	return pattern
}
