package alertmanager

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/realproc"
)

const (
	testUser     = "herald"
	testPassword = "pw-s3cr3t-basic-9f2c"
	testToken    = "tok-0123456789abcdef-bearer"
)

func withBasic(cfg config.AlertmanagerConfig, user, password string) config.AlertmanagerConfig {
	cfg.HTTP.BasicAuth = &promconfig.BasicAuth{Username: user, Password: promconfig.Secret(password)}
	return cfg
}

func withBearer(cfg config.AlertmanagerConfig, token string) config.AlertmanagerConfig {
	cfg.HTTP.Authorization = &promconfig.Authorization{Type: "Bearer", Credentials: promconfig.Secret(token)}
	return cfg
}

// authProxy puts in front of target what nginx with auth_basic would be,
// except that a refusal quotes the Authorization header it got, as a
// careless proxy does.
func authProxy(t *testing.T, target string) *httptest.Server {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pw, ok := r.BasicAuth(); !ok || user != testUser || pw != testPassword {
			http.Error(w, "401 Unauthorized: bad credentials in "+r.Header.Get("Authorization"), http.StatusUnauthorized)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// assertNoSecret fails when err's text holds one of secrets, raw or as
// basic auth encodes it.
func assertNoSecret(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(testUser + ":" + s))} {
			if strings.Contains(text, form) {
				t.Errorf("%q leaks %q", text, form)
			}
		}
	}
}

// TestBasicAuth talks to the real Alertmanager through a proxy that
// requires basic auth: http_config's credentials are sent, and refused
// ones never appear in the error, even when the proxy echoes them.
func TestBasicAuth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	am, _ := startAM(t)
	proxy := authProxy(t, am.URL)
	am.Post(t, realproc.PostableAlert{Labels: map[string]string{"alertname": "DiskFull", "instance": "db1"}})

	good := newClient(t, withBasic(amConfig(proxy.URL), testUser, testPassword))
	alerts, err := good.Alerts(ctx, AlertFilter{})
	if err != nil || len(alerts) != 1 {
		t.Fatalf("alerts %v, %v", keys(alerts), err)
	}
	id, err := good.CreateSilence(ctx, silenceOf(""))
	if err != nil {
		t.Fatal(err)
	}
	if err := good.ExpireSilence(ctx, id); err != nil {
		t.Fatal(err)
	}

	wrong := "wrong-" + testPassword
	bad := newClient(t, withBasic(amConfig(proxy.URL), testUser, wrong))
	_, err = bad.Alerts(ctx, AlertFilter{})
	e, ok := errors.AsType[*Error](err)
	if !ok || e.StatusCode != http.StatusUnauthorized || IsRetryable(err) {
		t.Fatalf("err = %v, want a permanent 401", err)
	}
	assertNoSecret(t, err.Error(), wrong)
	assertNoSecret(t, e.Msg, wrong)
	if !strings.Contains(err.Error(), "<secret>") {
		t.Errorf("the echoed credentials are not marked: %v", err)
	}
}

// TestNoSecretInErrors covers the other ways an error may quote a
// credential, and the ways a client is printed.
func TestNoSecretInErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(w, `"upstream refused %s"`, r.Header.Get("Authorization"))
	}))
	t.Cleanup(echo.Close)
	login := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<html>login again, %s</html>", r.Header.Get("Authorization"))
	}))
	t.Cleanup(login.Close)

	for _, tc := range []struct {
		name string
		url  string
		cfg  func(config.AlertmanagerConfig) config.AlertmanagerConfig
	}{
		{"bearer echoed in a 502", echo.URL, func(c config.AlertmanagerConfig) config.AlertmanagerConfig { return withBearer(c, testToken) }},
		{"basic echoed in a 502", echo.URL, func(c config.AlertmanagerConfig) config.AlertmanagerConfig {
			return withBasic(c, testUser, testPassword)
		}},
		{"bearer in a 200 login page", login.URL, func(c config.AlertmanagerConfig) config.AlertmanagerConfig { return withBearer(c, testToken) }},
		{"no answer", "http://" + realproc.FreePort(t), func(c config.AlertmanagerConfig) config.AlertmanagerConfig {
			return withBasic(c, testUser, testPassword)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, tc.cfg(amConfig(tc.url)))
			_, err := c.Alerts(ctx, AlertFilter{})
			if err == nil {
				t.Fatal("no error")
			}
			assertNoSecret(t, err.Error(), testToken, testPassword)
			if e, ok := errors.AsType[*Error](err); ok {
				assertNoSecret(t, e.Msg, testToken, testPassword)
			}
			var logs bytes.Buffer
			slog.New(slog.NewTextHandler(&logs, nil)).Info("client", "am", c, "value", *c)
			for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%#v", *c), logs.String()} {
				assertNoSecret(t, s, testToken, testPassword)
				if !strings.Contains(s, "alertmanager at "+tc.url) {
					t.Errorf("client printed as %q", s)
				}
			}
		})
	}
}
