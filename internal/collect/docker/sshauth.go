package docker

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/heraldhq/herald/internal/config"
)

// clientConfig builds the SSH login of a host: its key file, its agent,
// its password, and the host key check against known_hosts, which cannot
// be turned off. Files are read at every dial, so that a rotated key or a
// host added to known_hosts is taken up without a restart. done releases
// the agent connection once the handshake is over.
func (t *sshTransport) clientConfig() (cc *ssh.ClientConfig, done func(), err error) {
	done = func() {}
	hostKey, algos, err := hostKeyCheck(t.cfg.KnownHosts, t.addr)
	if err != nil {
		return nil, done, err
	}
	var signers []ssh.Signer
	if t.cfg.KeyFile != "" {
		s, err := t.key()
		if err != nil {
			return nil, done, err
		}
		signers = append(signers, s)
	}
	var ag agent.ExtendedAgent
	if t.cfg.Agent {
		sock := t.o.getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return nil, done, errors.New("agent: SSH_AUTH_SOCK is not set")
		}
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return nil, done, fmt.Errorf("agent: %w", stripPathError(err))
		}
		done = func() { conn.Close() }
		ag = agent.NewClient(conn)
	}
	var auth []ssh.AuthMethod
	if len(signers) > 0 || ag != nil {
		auth = append(auth, ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
			if ag == nil {
				return signers, nil
			}
			more, err := ag.Signers()
			if err != nil {
				return signers, nil //nolint:nilerr // the key file may still do
			}
			return append(slices.Clip(signers), more...), nil
		}))
	}
	pw, err := secretValue(t.cfg.Password, t.cfg.PasswordFile, "password_file")
	if err != nil {
		done()
		return nil, func() {}, err
	}
	if pw != "" {
		auth = append(auth, ssh.Password(pw), ssh.KeyboardInteractive(
			func(_, _ string, questions []string, echos []bool) ([]string, error) {
				// Only the password prompt is answered with the
				// password: never an echoed question (a user name, a
				// code), which would show it.
				answers := make([]string, len(questions))
				for i := range questions {
					if echos[i] {
						return nil, errors.New("keyboard-interactive: unexpected question")
					}
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	if len(auth) == 0 {
		done()
		return nil, func() {}, errors.New("no way to log in: set key_file, password or agent")
	}
	return &ssh.ClientConfig{User: t.user, Auth: auth, HostKeyCallback: hostKey, HostKeyAlgorithms: algos,
		ClientVersion: "SSH-2.0-Herald"}, done, nil
}

// keyCache is the last key read from key_file, kept while the file and
// the passphrase stay the same: decrypting an OpenSSH key takes a good
// part of a second (bcrypt), too long to spend at every reconnection.
type keyCache struct {
	pem    []byte
	pass   string
	signer ssh.Signer
}

// key reads the private key of key_file, decrypting it with the
// passphrase if it is encrypted; the caller holds t.mu.
func (t *sshTransport) key() (ssh.Signer, error) {
	c := t.cfg
	pem, err := os.ReadFile(c.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("key_file %q: %w", c.KeyFile, stripPathError(err))
	}
	pass, err := secretValue(c.KeyPassphrase, c.KeyPassphraseFile, "key_passphrase_file")
	if err != nil {
		return nil, err
	}
	if k := t.keyCache; k != nil && bytes.Equal(k.pem, pem) && k.pass == pass {
		return k.signer, nil
	}
	s, err := parseKey(c.KeyFile, pem, pass)
	if err != nil {
		return nil, err
	}
	t.keyCache = &keyCache{pem: pem, pass: pass, signer: s}
	return s, nil
}

// parseKey parses a private key, with the passphrase if it is encrypted.
func parseKey(file string, pem []byte, pass string) (ssh.Signer, error) {
	s, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if !errors.As(err, &missing) {
		if err != nil {
			return nil, fmt.Errorf("key_file %q: %w", file, err)
		}
		return s, nil
	}
	if pass == "" {
		return nil, fmt.Errorf("key_file %q is encrypted: set key_passphrase", file)
	}
	s, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(pass))
	if errors.Is(err, x509.IncorrectPasswordError) {
		return nil, fmt.Errorf("key_file %q: wrong key_passphrase", file)
	}
	if err != nil {
		// Legacy PEM encryption misses a wrong passphrase now and then
		// and yields garbage instead.
		return nil, fmt.Errorf("key_file %q: wrong key_passphrase or damaged key: %w", file, err)
	}
	return s, nil
}

// secretValue is a secret, or the content of its file when only that is
// set (the config loader fills the secret from the file; a config built in
// code may not have been loaded). Errors never hold the content.
func secretValue(v config.Secret, file, key string) (string, error) {
	if v != "" || file == "" {
		return string(v), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w", key, file, stripPathError(err))
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// hostKeyCheck reads known_hosts and returns the check of addr's host key
// and the key algorithms known for it, so that the server offers the key
// known_hosts has (an ed25519 key when known_hosts has one) rather than
// its preferred one.
func hostKeyCheck(file, addr string) (ssh.HostKeyCallback, []string, error) {
	if file == "" {
		home, _ := os.UserHomeDir()
		file = home + "/.ssh/known_hosts"
	}
	cb, err := knownhosts.New(file)
	if err != nil {
		return nil, nil, fmt.Errorf("known_hosts %q: %w", file, stripPathError(err))
	}
	check := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := cb(hostname, remote, key)
		var ke *knownhosts.KeyError
		var re *knownhosts.RevokedError
		switch {
		case errors.As(err, &ke) && len(ke.Want) == 0:
			return fmt.Errorf("host key of %s (%s %s) is not in %s: check it and add it",
				hostname, key.Type(), ssh.FingerprintSHA256(key), file)
		case errors.As(err, &ke):
			return fmt.Errorf("host key of %s (%s %s) does not match %s: the host changed its key or someone is in between",
				hostname, key.Type(), ssh.FingerprintSHA256(key), file)
		case errors.As(err, &re):
			return fmt.Errorf("host key of %s is revoked in %s", hostname, file)
		}
		return err
	}
	// Asking the check about a key no host has lists the known ones.
	pub, _, _ := ed25519.GenerateKey(nil)
	probe, _ := ssh.NewPublicKey(pub)
	var algos []string
	var ke *knownhosts.KeyError
	if err := cb(addr, &net.TCPAddr{}, probe); errors.As(err, &ke) {
		for _, k := range ke.Want {
			for _, a := range keyAlgorithms(k.Key.Type()) {
				if !slices.Contains(algos, a) {
					algos = append(algos, a)
				}
			}
		}
	}
	return check, algos, nil
}

// keyAlgorithms are the signature algorithms of a host key type.
func keyAlgorithms(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// stripPathError drops the *fs.PathError wrapper, whose text repeats the
// path that the caller names already.
func stripPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
