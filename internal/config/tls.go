package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ClientConfig builds the crypto/tls client configuration. It reads the
// files every time it is called, so a reload picks up renewed
// certificates. Loading a config calls it too, so that a bad CA or key pair
// stops Herald at start-up with a field name rather than at the first alert.
// Errors name the file, never its content.
func (t *TLSConfig) ClientConfig() (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         t.ServerName,
		InsecureSkipVerify: t.InsecureSkipVerify, //nolint:gosec // the user asked for it, for self-signed test servers
	}
	if t.CAFile != "" {
		pool, err := loadCA(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file %q: %w", t.CAFile, err)
		}
		cfg.RootCAs = pool
	}
	switch {
	case t.CertFile != "" && t.KeyFile != "":
		pair, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("cert_file and key_file: %w", stripPathError(err))
		}
		cfg.Certificates = []tls.Certificate{pair}
	case t.CertFile != "":
		return nil, errors.New("cert_file needs key_file")
	case t.KeyFile != "":
		return nil, errors.New("key_file needs cert_file")
	}
	return cfg, nil
}

// errNoPEM reports a CA file without a certificate in it.
var errNoPEM = errors.New("holds no PEM certificate")

// loadCA reads a PEM bundle of CA certificates. The error leaves the file
// name to the caller, which knows how the user wrote it.
func loadCA(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, stripPathError(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errNoPEM
	}
	return pool, nil
}

// stripPathError drops the *fs.PathError wrapper, keeping its cause.
func stripPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// checkTLS makes the TLS file paths of the section at prefix absolute
// (relative to the config file, like secrets and templates) and loads them
// once, reporting each problem under the key that causes it.
func (l *loader) checkTLS(prefix string, t *TLSConfig) {
	p := prefix + ".tls_config"
	if l.hasFailed(p) {
		return
	}
	ok := true
	writtenCA := t.CAFile
	for _, f := range []struct {
		key  string
		path *string
	}{{"ca_file", &t.CAFile}, {"cert_file", &t.CertFile}, {"key_file", &t.KeyFile}} {
		if *f.path == "" || l.hasFailed(p+"."+f.key) {
			continue
		}
		written := *f.path
		if !filepath.IsAbs(*f.path) {
			*f.path = filepath.Join(l.dir, *f.path)
		}
		if _, err := os.Stat(*f.path); err != nil {
			l.fieldErrorf(p+"."+f.key, "cannot read %q: %v", written, stripPathError(err))
			ok = false
		}
	}
	switch {
	case t.CertFile != "" && t.KeyFile == "":
		l.fieldErrorf(p+".key_file", "required when cert_file is set")
		ok = false
	case t.KeyFile != "" && t.CertFile == "":
		l.fieldErrorf(p+".cert_file", "required when key_file is set")
		ok = false
	}
	if !ok {
		return
	}
	// The files exist: now check that they hold what they should.
	if t.CAFile != "" {
		switch _, err := loadCA(t.CAFile); {
		case errors.Is(err, errNoPEM):
			l.fieldErrorf(p+".ca_file", "%q %v", writtenCA, err)
		case err != nil:
			l.fieldErrorf(p+".ca_file", "cannot read %q: %v", writtenCA, err)
		}
	}
	if t.CertFile != "" {
		if _, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile); err != nil {
			l.fieldErrorf(p, "cert_file and key_file: %v", stripPathError(err))
		}
	}
}
