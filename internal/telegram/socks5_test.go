package telegram

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"
)

// socks5Server is a SOCKS5 proxy with username/password authentication
// (RFC 1928, RFC 1929) on a loopback port that records the targets it
// connected to.
type socks5Server struct {
	addr       string
	user, pass string
	mu         sync.Mutex
	reached    []string
}

func newSOCKS5(t *testing.T, user, pass string) *socks5Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &socks5Server{addr: ln.Addr().String(), user: user, pass: pass}
	var wg sync.WaitGroup
	var conns sync.Map
	t.Cleanup(func() {
		ln.Close()
		conns.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Store(c, true)
			wg.Go(func() {
				defer c.Close()
				_ = s.serve(c, &conns)
			})
		}
	})
	return s
}

func (s *socks5Server) targets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reached...)
}

// serve answers one CONNECT and relays until either side closes.
func (s *socks5Server) serve(c net.Conn, conns *sync.Map) error {
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	read := func(n int) ([]byte, error) {
		b := make([]byte, n)
		_, err := io.ReadFull(c, b)
		return b, err
	}
	hello, err := read(2)
	if err != nil || hello[0] != 5 {
		return errors.New("bad greeting")
	}
	if _, err := read(int(hello[1])); err != nil {
		return err
	}
	_, _ = c.Write([]byte{5, 2}) // username/password
	ver, err := read(2)
	if err != nil {
		return err
	}
	user, _ := read(int(ver[1]))
	plen, _ := read(1)
	pass, _ := read(int(plen[0]))
	if string(user) != s.user || string(pass) != s.pass {
		_, _ = c.Write([]byte{1, 1})
		return errors.New("wrong credentials")
	}
	_, _ = c.Write([]byte{1, 0})
	req, err := read(4)
	if err != nil || req[1] != 1 {
		return errors.New("not a CONNECT")
	}
	var host string
	switch req[3] {
	case 1:
		ip, _ := read(4)
		host = net.IP(ip).String()
	case 3:
		n, _ := read(1)
		name, _ := read(int(n[0]))
		host = string(name)
	default:
		return errors.New("unsupported address type")
	}
	pb, err := read(2)
	if err != nil {
		return err
	}
	target := net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(pb))))
	up, err := (&net.Dialer{}).DialContext(context.Background(), "tcp", target)
	if err != nil {
		_, _ = c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return err
	}
	conns.Store(up, true)
	defer up.Close()
	s.mu.Lock()
	s.reached = append(s.reached, target)
	s.mu.Unlock()
	_, _ = c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
	_ = c.SetDeadline(time.Time{})
	go func() { _, _ = io.Copy(up, c) }()
	_, _ = io.Copy(c, up)
	return nil
}
