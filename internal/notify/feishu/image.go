package feishu

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"sync"
	"time"

	"github.com/heraldhq/herald/internal/notify"
)

// MaxImageBytes is the largest image the upload API takes: "上传的图片大小不能超过10MB"
// (https://open.feishu.cn/document/server-docs/im-v1/image/create). A bigger
// chart goes as a link.
const MaxImageBytes = 10 << 20

// The answers of the token and upload APIs that mean the tenant token is
// no longer good: "Invalid access token for authorization" (expired or
// revoked) and a missing one
// (https://open.feishu.cn/document/server-docs/api-call-guide/generic-error-code).
const (
	CodeTokenInvalid = 99991663
	CodeTokenMissing = 99991661
)

// tokenRefreshBefore is how long before its expiry a tenant token is
// replaced: "tenant_access_token 的最大有效期是 2 小时。剩余有效期小于 30 分钟时，调用本接口会返回一个新的
// tenant_access_token" — asked for within its last half hour, the API
// gives a new one
// (https://open.feishu.cn/document/server-docs/authentication-management/access-token/tenant_access_token_internal).
const tokenRefreshBefore = 5 * time.Minute

// tokenSource fetches and caches one app's tenant_access_token. It is
// shared by every channel of the app (see WithShared) and safe for concurrent
// use: one fetch at a time, the others wait for its token.
type tokenSource struct {
	url, appID, appSecret string
	client                *http.Client
	now                   func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// tokenAnswer is the answer of tenant_access_token/internal.
type tokenAnswer struct {
	envelope
	Token  string `json:"tenant_access_token"`
	Expire int    `json:"expire"`
}

// get returns a token valid for a while yet, fetching one when the
// cached one is about to expire.
func (ts *tokenSource) get(ctx context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.token != "" && ts.now().Before(ts.expires.Add(-tokenRefreshBefore)) {
		return ts.token, nil
	}
	body, _ := json.Marshal(map[string]string{"app_id": ts.appID, "app_secret": ts.appSecret})
	var a tokenAnswer
	secrets := []string{ts.appSecret}
	r := notify.Request{Op: "feishu get tenant token", Client: ts.client, URL: ts.url, Body: body,
		ContentType: "application/json; charset=utf-8", Secrets: secrets,
		Check: answerCheck("get tenant token", &a, &a.envelope, secrets)}
	if _, _, _, err := r.Do(ctx); err != nil {
		return "", err
	}
	if a.Token == "" || a.Expire <= 0 {
		return "", errors.New("feishu get tenant token: answer without a token")
	}
	ts.token, ts.expires = a.Token, ts.now().Add(time.Duration(a.Expire)*time.Second)
	return ts.token, nil
}

// invalidate forgets token when it is still the cached one (another
// channel may have replaced it already).
func (ts *tokenSource) invalidate(token string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.token == token {
		ts.token = ""
	}
}

// current is the cached token, for redaction.
func (ts *tokenSource) current() string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.token
}

// uploadAnswer is the answer of im/v1/images.
type uploadAnswer struct {
	envelope
	Data struct {
		ImageKey string `json:"image_key"`
	} `json:"data"`
}

// upload sends png as a message image and returns its image_key. A token
// Feishu no longer takes is replaced once, at once: it expired early or
// was revoked, which is no failure of the upload.
func (n *Notifier) upload(ctx context.Context, png []byte) (string, error) {
	for attempt := 0; ; attempt++ {
		token, err := n.tokens.get(ctx)
		if err != nil {
			return "", err
		}
		key, err := n.uploadWith(ctx, token, png)
		var aerr *APIError
		if attempt == 0 && errors.As(err, &aerr) && (aerr.Code == CodeTokenInvalid || aerr.Code == CodeTokenMissing) {
			n.tokens.invalidate(token)
			n.logger.Debug("tenant token refused, fetching a new one", "code", aerr.Code)
			continue
		}
		return key, err
	}
}

// uploadWith is one upload with token: a multipart form of image_type
// "message" and the image.
func (n *Notifier) uploadWith(ctx context.Context, token string, png []byte) (string, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("image_type", "message")
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="image"; filename="chart.png"`)
	h.Set("Content-Type", "image/png")
	part, _ := w.CreatePart(h)
	_, _ = part.Write(png)
	_ = w.Close()
	var a uploadAnswer
	secrets := slices.Concat(n.secretList(), []string{token})
	r := notify.Request{Op: "feishu upload image", Client: n.api, URL: n.base + "/open-apis/im/v1/images", Body: b.Bytes(),
		ContentType: w.FormDataContentType(), Header: http.Header{"Authorization": {"Bearer " + token}}, Secrets: secrets,
		Check: answerCheck("upload image", &a, &a.envelope, secrets)}
	if _, _, _, err := r.Do(ctx); err != nil {
		return "", err
	}
	if a.Data.ImageKey == "" {
		return "", errors.New("feishu upload image: answer without an image_key")
	}
	return a.Data.ImageKey, nil
}

// chartKey returns the image_key of m's chart, uploading it unless a
// previous attempt did, or "" when there is no chart, no app to upload
// with, or the upload failed: a chart is worth a log line, not the alert.
func (n *Notifier) chartKey(ctx context.Context, m *notify.Message) string {
	img := m.Image
	if img == nil || len(img.PNG) == 0 || n.tokens == nil || len(img.PNG) > MaxImageBytes {
		return ""
	}
	sum := sha256.Sum256(img.PNG)
	n.keysMu.Lock()
	key, ok := n.keys[sum]
	n.keysMu.Unlock()
	if ok {
		return key
	}
	key, err := n.upload(ctx, img.PNG)
	if err != nil {
		// err comes from notify.Request, secrets already redacted.
		n.logger.Warn("chart not uploaded; the card links to it instead when it is hosted", "err", err)
		return ""
	}
	n.keysMu.Lock()
	defer n.keysMu.Unlock()
	if len(n.keys) >= maxKeys {
		clear(n.keys)
	}
	n.keys[sum] = key
	return key
}

// maxKeys bounds the image keys a notifier remembers, so that a retry
// after a failed send does not upload the same chart again.
const maxKeys = 64
