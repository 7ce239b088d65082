package fakegrafana

import (
	"maps"
	"net/url"
	"slices"
	"time"
)

// Request is one HTTP request the fake received, accepted or not.
type Request struct {
	Method string
	// Path is the path without Grafana's sub-path.
	Path     string
	RawQuery string
	// Auth is how the request authenticated: "bearer", "basic", or ""
	// when it did not.
	Auth string
	// Status is the status answered; 0 for an injected fault.
	Status int
	// Problem is why the fake refused the request as malformed, "" if it
	// did not.
	Problem string
	// Injected is set when a planned fault answered instead of Grafana.
	Injected bool
}

// Query parses RawQuery.
func (r Request) Query() url.Values {
	q, _ := url.ParseQuery(r.RawQuery)
	return q
}

func (r *Request) clone() Request { return *r }

// Render is a render request that passed the checks.
type Render struct {
	UID     string
	PanelID int
	// From and To are the time range; zero when given relative ("now-6h",
	// kept in RawFrom and RawTo).
	From, To       time.Time
	RawFrom, RawTo string
	Width, Height  int
	// Timeout is the "timeout" parameter in seconds, 0 when absent.
	Timeout int
	TZ      string
	Theme   string
	// Vars are the dashboard variables, without the "var-" prefix.
	Vars url.Values
	// Found is set when the dashboard and the panel exist (when not,
	// Grafana renders its "Panel not found" picture: NotFoundColor).
	Found bool
	// Renderer is the renderer's state when the request came.
	Renderer Renderer
}

func (r *Render) clone() Render {
	c := *r
	c.Vars = url.Values(maps.Clone(map[string][]string(r.Vars)))
	for k, v := range c.Vars {
		c.Vars[k] = slices.Clone(v)
	}
	return c
}

// Requests returns every request so far, in order of arrival, as far as
// it has been answered.
func (s *Server) Requests() []Request { return s.reqs.All() }

// Renders returns the render requests that passed the checks, in order of
// arrival, whatever the renderer answered.
func (s *Server) Renders() []Render { return s.renders.All() }

// WaitRenders waits until n render requests passed the checks.
func (s *Server) WaitRenders(n int, timeout time.Duration) ([]Render, error) {
	return s.renders.Wait(n, timeout)
}

// Problems returns what the fake refused as malformed, one line a request.
func (s *Server) Problems() []string {
	var out []string
	for _, r := range s.reqs.All() {
		if r.Problem != "" {
			out = append(out, r.Method+" "+r.Path+": "+r.Problem)
		}
	}
	return out
}
