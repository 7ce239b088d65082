package fakefeishu

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// MaxImageBytes is the largest image the upload API takes ("上传的图片大小不能超过10MB").
const MaxImageBytes = 10 << 20

// pngMagic starts every PNG file.
var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// handleToken answers tenant_access_token/internal: a new token, or the
// app's current one while it has tokenReuse left, as Feishu does.
func (s *Server) handleToken(r *http.Request) (map[string]any, *apiError) {
	var req struct {
		AppID     string `json:"app_id"`
		AppSecret string `json:"app_secret"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || req.AppID == "" {
		return nil, errAppParam
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.TokenRequests++
	app := s.apps[req.AppID]
	switch {
	case app == nil:
		return nil, errAppParam
	case app.Secret != req.AppSecret:
		return nil, errAppSecret
	}
	now := s.cfg.Now()
	for t, tk := range s.tokens {
		if tk.app == app.ID && tk.expires.Sub(now) >= tokenReuse {
			return map[string]any{"tenant_access_token": t, "expire": int(tk.expires.Sub(now) / time.Second)}, nil
		}
	}
	t := "t-" + randomHex(20)
	s.tokens[t] = &token{app: app.ID, expires: now.Add(s.cfg.TokenTTL)}
	return map[string]any{"tenant_access_token": t, "expire": int(s.cfg.TokenTTL / time.Second)}, nil
}

// ExpireTokens makes every token issued so far expired, as if two hours
// had passed (or the app's secret had been reset).
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, tk := range s.tokens {
		tk.expires = time.Time{}
	}
}

// authorised checks the request's tenant token.
func (s *Server) authorised(r *http.Request) *apiError {
	t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || t == "" {
		return errTokenMissing
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if tk := s.tokens[t]; tk == nil || !s.cfg.Now().Before(tk.expires) {
		return errTokenInvalid
	}
	return nil
}

// handleImage answers im/v1/images: a multipart form with image_type
// "message" and an image of at most MaxImageBytes.
func (s *Server) handleImage(r *http.Request) (map[string]any, *apiError) {
	s.mu.Lock()
	s.stats.Uploads++
	s.mu.Unlock()
	if aerr := s.authorised(r); aerr != nil {
		return nil, aerr
	}
	r.Body = http.MaxBytesReader(nil, r.Body, MaxImageBytes+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return nil, errImageParam("not a multipart form")
	}
	if t := r.FormValue("image_type"); t != "message" && t != "avatar" {
		return nil, errImageParam("image_type")
	}
	f, h, err := r.FormFile("image")
	if err != nil {
		return nil, errImageParam("image is required")
	}
	defer f.Close()
	if h.Size > MaxImageBytes {
		return nil, errImageSize
	}
	data, _ := io.ReadAll(f)
	if !bytes.HasPrefix(data, pngMagic) {
		return nil, errImageFormat
	}
	key := "img_v3_" + randomHex(12)
	s.mu.Lock()
	s.images[key] = Image{Key: key, Type: r.FormValue("image_type"), PNG: data}
	s.mu.Unlock()
	return map[string]any{"data": map[string]any{"image_key": key}}, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
