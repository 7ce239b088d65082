package alertmanager

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"time"
)

// request is one API call.
type request struct {
	// op names the call in errors and logs ("list alerts").
	op     string
	method string
	// path is under /api/v2/.
	path  string
	query url.Values
	// body is sent as JSON when not nil.
	body any
	// silence marks a call about one silence: Alertmanager's "not found"
	// is then ErrNotFound.
	silence bool
}

// call sends r and decodes a 2xx answer's JSON into out (unless out is
// nil). The call ends at the earlier of ctx's deadline and the client's
// timeout. Its errors are *Error.
func (c *Client) call(ctx context.Context, r request, out any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return c.fail(&Error{Op: r.op}, "alertmanager "+r.op, err)
		}
		body = bytes.NewReader(b)
	}
	u := c.base.JoinPath("api/v2", r.path)
	u.RawQuery = r.query.Encode()
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return c.fail(&Error{Op: r.op}, "alertmanager "+r.op, err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return c.transportError(r.op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		// A read error leaves a shorter body: the status still tells.
		b, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyLimit))
		return c.statusError(r, resp.StatusCode, b)
	}
	// One byte more than the bound tells "exactly the bound" from "over
	// it"; a body over it is closed unread, which drops the connection
	// instead of downloading the rest.
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err != nil {
		return c.transportError(r.op, err)
	}
	if int64(len(b)) > c.maxBytes {
		return c.tooLarge(r.op)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return c.badAnswer(r.op, resp.StatusCode, b, err)
		}
	}
	c.logger.Debug("alertmanager call", "op", r.op, "status", resp.StatusCode, "bytes", len(b), "duration", time.Since(start))
	return nil
}
