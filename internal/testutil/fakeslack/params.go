package fakeslack

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxBody is the largest request body the fake reads.
const maxBody = 8 << 20

// params are the arguments of a Web API call, from a JSON body or a form
// (body or query), as Slack reads them.
type params struct {
	json   map[string]json.RawMessage
	form   url.Values
	isJSON bool
	// charset is false for a JSON body without charset=utf-8, which Slack
	// accepts with the warning missing_charset.
	charset bool
	token   string
}

// readParams reads the arguments of r.
func readParams(r *http.Request) (*params, *apiError) {
	p := &params{charset: true}
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		p.token = auth
	}
	mt, mp, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		p.isJSON = true
		p.charset = strings.EqualFold(mp["charset"], "utf-8")
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			return nil, fail("invalid_json")
		}
		if err := json.Unmarshal(body, &p.json); err != nil {
			return nil, fail("invalid_json")
		}
		p.form = r.URL.Query()
	case "application/x-www-form-urlencoded", "":
		r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			return nil, fail("invalid_form_data")
		}
		p.form = r.Form
	default:
		return nil, fail("invalid_form_data")
	}
	if p.token == "" {
		p.token = p.form.Get("token")
	}
	return p, nil
}

// str returns a string argument: a JSON string, or a form value.
func (p *params) str(name string) string {
	if raw, ok := p.json[name]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
		return ""
	}
	return p.form.Get(name)
}

// bool reads a boolean argument; ok is false when it is absent.
func (p *params) bool(name string) (v, ok bool) {
	if raw, found := p.json[name]; found {
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			return b, true
		}
		s := p.str(name)
		return s == "true" || s == "1", true
	}
	if !p.form.Has(name) {
		return false, false
	}
	s := p.form.Get(name)
	return s == "true" || s == "1", true
}

// raw returns a JSON argument (blocks, files): a JSON value in a JSON
// body, or JSON text in a form value, as Slack takes both.
func (p *params) raw(name string) (json.RawMessage, bool) {
	if raw, ok := p.json[name]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return json.RawMessage(s), true
		}
		return raw, true
	}
	if p.form.Has(name) {
		return json.RawMessage(p.form.Get(name)), true
	}
	return nil, false
}
