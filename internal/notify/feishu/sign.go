package feishu

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// MaxTimestampSkew is how far a signature's timestamp may be from Feishu's
// clock: "timestamp 是指距当前时间不超过 1 小时（3600 秒）的时间戳，时间单位：s"
// (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, 方式三：设置签名校验).
const MaxTimestampSkew = time.Hour

// Sign returns the signature of a request sent at timestamp (Unix seconds)
// by a bot whose signing secret is secret: "将 timestamp + "\n" + 密钥 当做签名字符串，
// 使用 HmacSHA256 算法计算空字符串的签名结果，再进行 Base64 编码" — the string is the
// HMAC key and the message is empty, unlike DingTalk's.
func Sign(secret string, timestamp int64) string {
	mac := hmac.New(sha256.New, []byte(strconv.FormatInt(timestamp, 10)+"\n"+secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// signReserve is what the signature adds to a body:
// `"timestamp":"1740832200","sign":"<44 characters>",`, with room to spare.
const signReserve = 96

// SigningTransport signs every request to a bot with a secret: it adds
// the timestamp and sign fields to the JSON body at the moment the
// request leaves, so that a message that waited for the rate limit never
// goes with a stale timestamp, and the secret stays out of the payload
// Herald builds, logs and measures. Model: grafana/alerting http/hmac.go.
type SigningTransport struct {
	// Base sends the signed request: the transport of the channel's
	// http_config (proxy, TLS). It is required: a default would bypass
	// the http_config.
	Base http.RoundTripper
	// Secret is the bot's signing secret; requests go unsigned when it is
	// empty.
	Secret string
	// Now is the clock of the timestamps; time.Now when nil.
	Now func() time.Time
}

// RoundTrip signs a copy of req, whose body must be a JSON object (a
// RoundTripper must not change the request it was given), and sends it.
func (t *SigningTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, also on errors
		}
		return nil, errors.New("feishu signing: no transport to send with")
	}
	if t.Secret == "" {
		return base.RoundTrip(req)
	}
	if req.Body == nil || req.GetBody == nil {
		return nil, errors.New("feishu signing: request without a replayable body")
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(body)
	body.Close()
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '{' {
		return nil, errors.New("feishu signing: body is not a JSON object")
	}
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	ts := now().Unix()
	var b bytes.Buffer
	b.WriteString(`{"timestamp":"` + strconv.FormatInt(ts, 10) + `","sign":"` + Sign(t.Secret, ts) + `"`)
	if rest := bytes.TrimSpace(raw[1:]); len(rest) > 0 && rest[0] != '}' {
		b.WriteByte(',')
	}
	b.Write(raw[1:])
	signed := req.Clone(req.Context())
	out := b.Bytes()
	signed.Body = io.NopCloser(bytes.NewReader(out))
	signed.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(out)), nil }
	signed.ContentLength = int64(len(out))
	return base.RoundTrip(signed)
}
