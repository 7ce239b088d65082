package images

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The fake's own AWS Signature Version 4 check, written from the
// specification rather than taken from the client, so that a signing bug in
// the client cannot hide behind the same bug in the check:
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html

const (
	sigAlgorithm    = "AWS4-HMAC-SHA256"
	amzDateFormat   = "20060102T150405Z"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	maxClockSkew    = 15 * time.Minute
)

// sigParams are the signing inputs of one request, from the Authorization
// header or from the presigned query.
type sigParams struct {
	credential, signedHeaders, signature, amzDate string
	presigned                                     bool
	expires                                       int
}

func parseSig(r *http.Request) (sigParams, error) {
	q := r.URL.Query()
	if q.Get("X-Amz-Signature") != "" {
		exp, err := strconv.Atoi(q.Get("X-Amz-Expires"))
		if q.Get("X-Amz-Algorithm") != sigAlgorithm || err != nil {
			return sigParams{}, fmt.Errorf("bad X-Amz-Algorithm or X-Amz-Expires")
		}
		return sigParams{credential: q.Get("X-Amz-Credential"), signedHeaders: q.Get("X-Amz-SignedHeaders"),
			signature: q.Get("X-Amz-Signature"), amzDate: q.Get("X-Amz-Date"), presigned: true, expires: exp}, nil
	}
	rest, ok := strings.CutPrefix(r.Header.Get("Authorization"), sigAlgorithm+" ")
	if !ok {
		return sigParams{}, fmt.Errorf("not an %s Authorization header", sigAlgorithm)
	}
	p := sigParams{amzDate: r.Header.Get("X-Amz-Date")}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			p.credential = v
		case "SignedHeaders":
			p.signedHeaders = v
		case "Signature":
			p.signature = v
		}
	}
	return p, nil
}

// verify returns S3's answer to a badly signed request, or status 0.
func (f *fakeS3) verify(r *http.Request) (status int, code, msg string) {
	p, err := parseSig(r)
	if err != nil {
		return http.StatusForbidden, "AccessDenied", err.Error()
	}
	scope := strings.Split(p.credential, "/")
	if len(scope) != 5 || scope[3] != "s3" || scope[4] != "aws4_request" {
		return http.StatusBadRequest, "AuthorizationHeaderMalformed", "bad credential scope"
	}
	if scope[0] != f.keyID {
		return http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
	}
	if scope[2] != f.region {
		return http.StatusBadRequest, "AuthorizationHeaderMalformed",
			fmt.Sprintf("The authorization header is malformed; the region '%s' is wrong; expecting '%s'", scope[2], f.region)
	}
	t, err := time.Parse(amzDateFormat, p.amzDate)
	if err != nil || !strings.HasPrefix(p.amzDate, scope[1]) {
		return http.StatusForbidden, "AccessDenied", "X-Amz-Date is missing or does not match the credential date"
	}
	now := f.now()
	switch {
	case p.presigned && (p.expires < 1 || p.expires > 604800):
		return http.StatusBadRequest, "AuthorizationQueryParametersError",
			"X-Amz-Expires must be less than a week (in seconds) that is 604800"
	case p.presigned && now.After(t.Add(time.Duration(p.expires)*time.Second)):
		return http.StatusForbidden, "AccessDenied", "Request has expired"
	case !p.presigned && (now.Sub(t) > maxClockSkew || t.Sub(now) > maxClockSkew):
		return http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large."
	}
	signed := strings.Split(p.signedHeaders, ";")
	if !slices.Contains(signed, "host") {
		return http.StatusForbidden, "AccessDenied", "host must be signed"
	}
	if !p.presigned && r.Header.Get("X-Amz-Content-Sha256") == "" {
		return http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256"
	}
	for name := range r.Header {
		if n := strings.ToLower(name); strings.HasPrefix(n, "x-amz-") && !slices.Contains(signed, n) {
			return http.StatusForbidden, "AccessDenied", "There were headers present in the request which were not signed"
		}
	}
	want := f.signature(r, p, signed, scope)
	if !hmac.Equal([]byte(want), []byte(p.signature)) {
		return http.StatusForbidden, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method."
	}
	return 0, "", ""
}

// signature computes what the request's signature must be.
func (f *fakeS3) signature(r *http.Request, p sigParams, signed, scope []string) string {
	var headers strings.Builder
	for _, h := range signed {
		v := strings.Join(r.Header.Values(h), ",")
		if h == "host" {
			v = r.Host
		}
		headers.WriteString(h + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if p.presigned {
		payload = unsignedPayload
	}
	canonical := strings.Join([]string{r.Method, awsEncode(r.URL.Path, false), canonicalQuery(r),
		headers.String(), p.signedHeaders, payload}, "\n")
	toSign := strings.Join([]string{sigAlgorithm, p.amzDate, strings.Join(scope[1:], "/"), hexSHA256([]byte(canonical))}, "\n")
	key := []byte("AWS4" + f.secret)
	for _, s := range scope[1:] {
		key = hmacSHA256(key, s)
	}
	return hex.EncodeToString(hmacSHA256(key, toSign))
}

// canonicalQuery sorts the encoded parameters by name, then value.
func canonicalQuery(r *http.Request) string {
	var pairs [][2]string
	for k, vs := range r.URL.Query() {
		if k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, [2]string{awsEncode(k, true), awsEncode(v, true)})
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0] + "=" + p[1]
	}
	return strings.Join(out, "&")
}

// awsEncode is SigV4's URI encoding: every byte but A-Z a-z 0-9 - _ . ~ is
// %XX (upper case); '/' too unless it separates path segments.
func awsEncode(s string, slash bool) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && !slash:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
