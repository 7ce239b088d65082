package alertmanager

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/heraldhq/herald/internal/notify"
)

// SilenceState is the state of a silence.
type SilenceState string

// The states of a silence.
const (
	SilenceActive  SilenceState = "active"
	SilencePending SilenceState = "pending"
	SilenceExpired SilenceState = "expired"
)

// Silence is a silence. CreateSilence reads ID (to update a silence),
// Matchers, StartsAt, EndsAt, CreatedBy and Comment; the rest is
// Alertmanager's.
type Silence struct {
	ID string
	// Matchers must all match an alert's labels for the silence to mute it.
	Matchers  []Matcher
	StartsAt  time.Time
	EndsAt    time.Time
	UpdatedAt time.Time
	CreatedBy string
	Comment   string
	Status    SilenceStatus
}

// SilenceStatus is where a silence is in its life.
type SilenceStatus struct {
	State SilenceState
}

// Silences lists the silences, active, pending and expired (GET
// /api/v2/silences): active first, the one that ends soonest first. With
// matchers, only the silences that hold each of them (the same name,
// operator and value) are listed: the filter compares matchers, it does
// not match labels.
func (c *Client) Silences(ctx context.Context, matchers []*labels.Matcher) ([]Silence, error) {
	var in []gettableSilence
	if err := c.call(ctx, request{op: "list silences", method: http.MethodGet, path: "silences", query: filterQuery(matchers)}, &in); err != nil {
		return nil, err
	}
	out := make([]Silence, 0, len(in))
	for _, s := range in {
		out = append(out, s.silence())
	}
	return out, nil
}

// Silence reads one silence (GET /api/v2/silence/{id}); an unknown id is
// ErrNotFound.
func (c *Client) Silence(ctx context.Context, id string) (Silence, error) {
	op := "get silence " + quoteID(id)
	if err := c.checkID(op, id); err != nil {
		return Silence{}, err
	}
	var in gettableSilence
	if err := c.call(ctx, request{op: op, method: http.MethodGet, path: "silence/" + id, silence: true}, &in); err != nil {
		return Silence{}, err
	}
	return in.silence(), nil
}

// CreateSilence creates s (POST /api/v2/silences) and returns its id. A
// zero StartsAt starts it now. With s.ID set it updates that silence
// instead; Alertmanager may then expire it and return the id of a new one
// (when the matchers changed), and an unknown id is ErrNotFound.
func (c *Client) CreateSilence(ctx context.Context, s Silence) (string, error) {
	op := "create silence"
	if s.ID != "" {
		op = "update silence " + quoteID(s.ID)
		if err := c.checkID(op, s.ID); err != nil {
			return "", err
		}
	}
	if s.StartsAt.IsZero() {
		s.StartsAt = c.now()
	}
	var out struct {
		SilenceID string `json:"silenceID"`
	}
	if err := c.call(ctx, request{op: op, method: http.MethodPost, path: "silences", body: postable(s), silence: s.ID != ""}, &out); err != nil {
		return "", err
	}
	if out.SilenceID == "" {
		return "", c.fail(&Error{Op: op, StatusCode: http.StatusOK}, "alertmanager "+op+": answer without a silence id", nil)
	}
	return out.SilenceID, nil
}

// ExpireSilence ends a silence now (DELETE /api/v2/silence/{id}). Expiring
// an expired silence succeeds; an unknown id is ErrNotFound.
func (c *Client) ExpireSilence(ctx context.Context, id string) error {
	op := "expire silence " + quoteID(id)
	if err := c.checkID(op, id); err != nil {
		return err
	}
	return c.call(ctx, request{op: op, method: http.MethodDelete, path: "silence/" + id, silence: true}, nil)
}

// silenceID is the form of the ids Alertmanager gives silences (UUIDs).
var silenceID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// checkID refuses an id that no silence can have, before it goes into a
// URL path: it comes from chat.
func (c *Client) checkID(op, id string) error {
	if silenceID.MatchString(id) {
		return nil
	}
	return c.fail(&Error{Op: op, err: ErrNotFound}, fmt.Sprintf("alertmanager %s: %v (not a silence id)", op, ErrNotFound), nil)
}

// quoteID writes an id from chat into an error or log: quoted, so that
// it cannot pass for Herald's text, and cut.
func quoteID(id string) string { return strconv.Quote(notify.Truncate(id, 64)) }

// wireMatcher is a matcher as the API writes it. isEqual came with
// Alertmanager 0.22; older ones omit it and mean true.
type wireMatcher struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	IsRegex bool   `json:"isRegex"`
	IsEqual *bool  `json:"isEqual,omitempty"`
}

// postableSilence is the body of POST /api/v2/silences.
type postableSilence struct {
	ID        string        `json:"id,omitempty"`
	Matchers  []wireMatcher `json:"matchers"`
	StartsAt  time.Time     `json:"startsAt"`
	EndsAt    time.Time     `json:"endsAt"`
	CreatedBy string        `json:"createdBy"`
	Comment   string        `json:"comment"`
}

func postable(s Silence) postableSilence {
	p := postableSilence{
		ID: s.ID, StartsAt: s.StartsAt.UTC(), EndsAt: s.EndsAt.UTC(), CreatedBy: s.CreatedBy, Comment: s.Comment,
		Matchers: make([]wireMatcher, 0, len(s.Matchers)),
	}
	for _, m := range s.Matchers {
		p.Matchers = append(p.Matchers, wireMatcher{Name: m.Name, Value: m.Value, IsRegex: m.IsRegex, IsEqual: new(m.IsEqual)})
	}
	return p
}

// gettableSilence is a silence as the API writes it.
type gettableSilence struct {
	postableSilence
	UpdatedAt time.Time `json:"updatedAt"`
	Status    struct {
		State SilenceState `json:"state"`
	} `json:"status"`
}

func (g gettableSilence) silence() Silence {
	s := Silence{
		ID: g.ID, StartsAt: g.StartsAt, EndsAt: g.EndsAt, UpdatedAt: g.UpdatedAt,
		CreatedBy: g.CreatedBy, Comment: g.Comment, Status: SilenceStatus{State: g.Status.State},
		Matchers: make([]Matcher, 0, len(g.Matchers)),
	}
	for _, m := range g.Matchers {
		s.Matchers = append(s.Matchers, Matcher{Name: m.Name, Value: m.Value, IsRegex: m.IsRegex, IsEqual: m.IsEqual == nil || *m.IsEqual})
	}
	return s
}
