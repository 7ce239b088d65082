// Package test renders the Herald chart with Helm and checks the manifests.
//
// It is a module of its own so that the Kubernetes API types it decodes into
// never enter Herald's module.
package test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// helmVersion is the Helm the chart is tested with, built from the Go
// module proxy (the only registry the test machines reach).
const helmVersion = "v4.3.2"

// chartDir is the chart under test, relative to this package.
const chartDir = "../herald"

var (
	helmBin    string // the built helm binary
	skipReason string // set when Helm cannot be had here and CI is not set
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "herald-helm-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	if out, err := buildHelm(dir); err != nil {
		msg := fmt.Sprintf("building helm %s: %v\n%s", helmVersion, err, out)
		if os.Getenv("CI") != "" || !proxyUnreachable(out) {
			fmt.Fprintln(os.Stderr, msg)
			return 1
		}
		skipReason = "the Go module proxy is unreachable, so Helm cannot be built: " + msg
	} else {
		helmBin = filepath.Join(dir, "helm")
		fmt.Fprintf(os.Stderr, "helm %s built in %s\n", helmVersion, time.Since(start).Round(time.Millisecond))
	}
	return m.Run()
}

// buildHelm installs Helm into dir. `go install pkg@version` ignores this
// module's go.mod, so Helm's own dependency versions are used, and the build
// cache makes every run after the first take a second.
func buildHelm(dir string) ([]byte, error) {
	cmd := exec.Command("go", "install", "helm.sh/helm/v4/cmd/helm@"+helmVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOWORK=off", "GOFLAGS=-buildvcs=false")
	return cmd.CombinedOutput()
}

// proxyUnreachable tells a failed download from a failed build.
func proxyUnreachable(out []byte) bool {
	for _, s := range []string{"dial tcp", "no such host", "connection refused", "i/o timeout",
		"network is unreachable", "proxyconnect", "TLS handshake timeout"} {
		if bytes.Contains(out, []byte(s)) {
			return true
		}
	}
	return false
}

func needHelm(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
}

// valuesFile writes a values file (given as YAML) for one test.
func valuesFile(t *testing.T, values string) string {
	t.Helper()
	// Catch a typo in the test's own YAML before Helm reports it obscurely.
	var v map[string]any
	if err := yaml.UnmarshalStrict([]byte(values), &v); err != nil {
		t.Fatalf("test values are not YAML: %v\n%s", err, values)
	}
	p := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(p, []byte(values), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// helm runs the built Helm with its state in a temporary HOME.
func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	needHelm(t)
	home := t.TempDir()
	cmd := exec.Command(helmBin, args...)
	cmd.Env = append(os.Environ(), "HOME="+home,
		"HELM_CACHE_HOME="+filepath.Join(home, "cache"),
		"HELM_CONFIG_HOME="+filepath.Join(home, "config"),
		"HELM_DATA_HOME="+filepath.Join(home, "data"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), fmt.Errorf("helm %s: %w\n%s%s",
			strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// lint runs `helm lint --strict` with the values.
func lint(t *testing.T, values string) (string, error) {
	t.Helper()
	return helm(t, "lint", "--strict", chartDir, "-f", valuesFile(t, values))
}

// template renders the chart as release "herald" in namespace "monitoring".
func template(t *testing.T, values string) (string, error) {
	t.Helper()
	return helm(t, "template", "herald", chartDir, "--namespace", "monitoring", "-f", valuesFile(t, values))
}

// installDryRun runs `helm install --dry-run=client`: what a user's install
// renders, without a cluster.
func installDryRun(t *testing.T, values string) (string, error) {
	t.Helper()
	return helm(t, "install", "herald", chartDir, "--dry-run=client", "--namespace", "monitoring", "-f", valuesFile(t, values))
}
