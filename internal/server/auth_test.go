package server

import (
	"encoding/base64"
	"net/http/httptest"
	"testing"
)

func TestAuthAllows(t *testing.T) {
	t.Parallel()
	const token = "s3cret-token"
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("am:pw"))
	bearerOnly := auth{token: token}
	basicOnly := auth{user: "am", password: "pw", basic: true}
	both := auth{token: token, user: "am", password: "pw", basic: true}
	tests := []struct {
		name   string
		auth   auth
		header string // Authorization; "" sends none
		want   bool
	}{
		{"right bearer", bearerOnly, "Bearer " + token, true},
		{"lower-case scheme", bearerOnly, "bearer " + token, true},
		{"upper-case scheme", bearerOnly, "BEARER " + token, true},
		{"mixed-case scheme", bearerOnly, "BeArEr " + token, true},
		{"Digest scheme", bearerOnly, "Digest " + token, false},
		{"seven random characters", bearerOnly, "xQ#9z!k" + token, false},
		{"six characters and a space", bearerOnly, "Basic! " + token, false},
		{"missing space", bearerOnly, "Bearer" + token, false},
		{"two spaces", bearerOnly, "Bearer  " + token, false},
		{"leading space", bearerOnly, " Bearer " + token, false},
		{"trailing space", bearerOnly, "Bearer " + token + " ", false},
		{"tab instead of space", bearerOnly, "Bearer\t" + token, false},
		{"token alone", bearerOnly, token, false},
		{"wrong token", bearerOnly, "Bearer s3cret-tokem", false},
		{"token prefix", bearerOnly, "Bearer s3cret", false},
		{"token with more", bearerOnly, "Bearer " + token + "x", false},
		{"non-ASCII scheme", bearerOnly, "Bearer\u00a0" + token, false},
		{"no header", bearerOnly, "", false},
		{"basic auth alone, right", basicOnly, basic, true},
		{"basic auth alone, bearer sent", basicOnly, "Bearer " + token, false},
		{"basic auth alone, wrong password", basicOnly, "Basic " + base64.StdEncoding.EncodeToString([]byte("am:x")), false},
		{"basic auth alone, nothing sent", basicOnly, "", false},
		{"both configured, bearer", both, "Bearer " + token, true},
		{"both configured, basic", both, basic, true},
		{"both configured, Digest", both, "Digest " + token, false},
		{"both configured, nothing sent", both, "", false},
		{"none configured", auth{}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("POST", "/api/v1/alerts", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			if got := tt.auth.allows(r); got != tt.want {
				t.Errorf("allows(Authorization: %q) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}
