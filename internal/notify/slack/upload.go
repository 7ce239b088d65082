package slack

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/internal/notify"
)

// chartFileName names the uploaded chart; Slack shows it on the file.
const chartFileName = "chart.png"

// uploadURLAnswer is the answer of files.getUploadURLExternal.
type uploadURLAnswer struct {
	UploadURL string `json:"upload_url"`
	FileID    string `json:"file_id"`
}

// completeUpload are the parameters of files.completeUploadExternal.
type completeUpload struct {
	Files     []uploadedFile `json:"files"`
	ChannelID string         `json:"channel_id"`
	ThreadTS  string         `json:"thread_ts,omitempty"`
}

// uploadedFile names a file and its title in files.completeUploadExternal.
type uploadedFile struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
}

// share is where a message or an uploaded file goes: a channel (its id
// once Slack answered), the ts of the thread to reply in ("" for none) and
// the channel's limiter key; ts is the message's own, once posted.
type share struct {
	channel, thread, key, ts string
}

// uploadChart shares png in a channel (in a thread when to.thread is set)
// the way Slack takes new files since files.upload was retired: ask for an
// upload URL announcing the file's name and exact length, send the bytes
// there, then complete the upload into the channel
// (https://docs.slack.dev/reference/methods/files.getUploadURLExternal,
// https://docs.slack.dev/reference/methods/files.completeUploadExternal).
// alt describes the chart (its title and alt text). It returns the file's
// id.
func (c *client) uploadChart(ctx context.Context, hc *http.Client, to share, png []byte, alt string) (string, bool, error) {
	const getURL = "files.getUploadURLExternal"
	form := url.Values{"filename": {chartFileName}, "length": {strconv.Itoa(len(png))}}
	if alt = notify.FirstLine(alt); alt != "" {
		form.Set("alt_txt", shortenPlain(alt, MaxUploadAltText))
	}
	// Sharing the file posts a message in the channel: its turn is taken
	// first, so that a throttled chart has not been uploaded for nothing,
	// and held until the share is answered.
	turn, err := c.acquire(ctx, to.key, c.rates.perChannel)
	if err != nil {
		return "", true, err
	}
	defer turn()
	release, err := c.acquire(ctx, "method:"+getURL, c.rates.tier4)
	if err != nil {
		return "", true, err
	}
	// Form-encoded: the one content type every version of this method's
	// documentation lists.
	var ans uploadURLAnswer
	retry, err := c.call(ctx, hc, getURL, "application/x-www-form-urlencoded", []byte(form.Encode()), &ans)
	release()
	if err != nil {
		return "", retry, err
	}
	if !validURL(ans.UploadURL, 1<<16) || ans.FileID == "" {
		return "", true, fmt.Errorf("slack %s: answer without an upload URL and file id", getURL)
	}
	if retry, err := c.sendFile(ctx, hc, ans.UploadURL, png); err != nil {
		return "", retry, err
	}
	const complete = "files.completeUploadExternal"
	release, err = c.acquire(ctx, "method:"+complete, c.rates.tier4)
	if err != nil {
		return "", true, err
	}
	p := completeUpload{Files: []uploadedFile{{ID: ans.FileID, Title: shortenPlain(alt, 250)}},
		ChannelID: to.channel, ThreadTS: to.thread}
	retry, err = c.callJSON(ctx, hc, complete, p, nil)
	release()
	if err != nil {
		return "", retry, err
	}
	return ans.FileID, false, nil
}

// sendFile posts the bytes to an upload URL: raw, which the documentation
// allows besides multipart, so that the body is exactly the length
// announced. The URL is pre-signed: the token is not sent there. Slack
// answers 200 when the upload worked; the URL itself is kept out of errors
// because it grants the upload.
func (c *client) sendFile(ctx context.Context, hc *http.Client, uploadURL string, png []byte) (bool, error) {
	secrets := append([]string{uploadURL}, c.secrets...)
	if u, err := url.Parse(uploadURL); err == nil && strings.Trim(u.EscapedPath(), "/") != "" {
		secrets = append(secrets, strings.Trim(u.EscapedPath(), "/"))
	}
	r := &notify.Request{Op: "slack file upload", Client: hc, URL: uploadURL, Body: png, ContentType: "image/png",
		MaxResponse: maxResponse, Secrets: secrets,
		Check: func(resp *http.Response, body []byte, retry bool, err error) (bool, error) {
			if err == nil && resp.StatusCode != http.StatusOK {
				return false, &notify.HTTPError{StatusCode: resp.StatusCode, Body: notify.Excerpt(string(body), 200, secrets)}
			}
			return retry, err
		}}
	_, _, retry, err := r.Do(ctx)
	return retry, err
}
