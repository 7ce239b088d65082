package telegram

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/heraldhq/herald/internal/alert"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/alerts"
	"github.com/heraldhq/herald/internal/testutil/faketelegram"
)

// TestSOCKS5Proxy sends through a SOCKS5 proxy with a password, the kind
// people run to reach Telegram from networks that block it.
func TestSOCKS5Proxy(t *testing.T) {
	fake := newFake(t, faketelegram.Limits{Unlimited: true})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var tunnels, refused atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if socks5(c, "herald", "socks-s3cret", func() { tunnels.Add(1) }) != nil {
					refused.Add(1)
				}
			}()
		}
	}()
	cfg := botConfig(fake)
	cfg.HTTP = proxyConfig(t, "socks5://herald:socks-s3cret@"+ln.Addr().String())
	n := fixed(newNotifier(t, mustBot(t, cfg, nil), channelConfig(userChat), nil), "via socks5")
	if _, _, err := n.Notify(alerts.Context(t, 5*time.Second), message(alert.KindFiring, nasty)); err != nil {
		t.Fatal(err)
	}
	if tunnels.Load() != 1 || refused.Load() != 0 || len(fake.Messages()) != 1 {
		t.Errorf("%d tunnels, %d refused, %d messages", tunnels.Load(), refused.Load(), len(fake.Messages()))
	}
}

// proxyConfig is an http_config with proxy_url raw.
func proxyConfig(t *testing.T, raw string) config.HTTPClientConfig {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return config.HTTPClientConfig{HTTPClientConfig: promconfig.HTTPClientConfig{ProxyConfig: promconfig.ProxyConfig{ProxyURL: promconfig.URL{URL: u}}}}
}

// socks5 serves one CONNECT with username/password authentication
// (RFC 1928, RFC 1929), calls opened, and relays until either side closes.
func socks5(c net.Conn, user, pass string, opened func()) error {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	read := func(n int) []byte {
		b := make([]byte, n)
		if _, err := io.ReadFull(c, b); err != nil {
			return nil
		}
		return b
	}
	hello := read(2)
	if hello == nil || hello[0] != 5 || read(int(hello[1])) == nil {
		return errors.New("bad greeting")
	}
	_, _ = c.Write([]byte{5, 2}) // username/password
	auth := read(2)
	if auth == nil {
		return errors.New("no credentials")
	}
	u := string(read(int(auth[1])))
	pl := read(1)
	if pl == nil || u != user || string(read(int(pl[0]))) != pass {
		_, _ = c.Write([]byte{1, 1})
		return errors.New("wrong credentials")
	}
	_, _ = c.Write([]byte{1, 0})
	req := read(4)
	if req == nil || req[1] != 1 {
		return errors.New("not a CONNECT")
	}
	var host string
	switch req[3] {
	case 1:
		host = net.IP(read(4)).String()
	case 3:
		host = string(read(int(read(1)[0])))
	default:
		return errors.New("unsupported address type")
	}
	port := binary.BigEndian.Uint16(read(2))
	up, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(int(port))))
	if err != nil {
		return err
	}
	defer up.Close()
	_, _ = c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
	_ = c.SetDeadline(time.Time{})
	opened()
	go func() { _, _ = io.Copy(up, c) }()
	_, _ = io.Copy(c, up)
	return nil
}
