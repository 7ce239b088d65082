package deploytest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil"
)

// repoRoot is the repository's top directory (this package is two below).
func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("no caller")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// readRepo reads a file of the repository.
func readRepo(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// testVersion is stamped into the binary the tests build, as `make build`
// and the Dockerfile stamp theirs.
const (
	testVersion  = "v0.0.0-deploytest"
	testRevision = "0123456789abcdef"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildPath string
	buildErr  error
)

// heraldBinary builds a static herald (CGO_ENABLED=0, version stamped with
// -ldflags as the Dockerfile does) once per test binary and returns its
// path. The directory is removed by TestMain.
func heraldBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goBin); err != nil {
			if goBin, err = exec.LookPath("go"); err != nil {
				buildErr = fmt.Errorf("no go command to build herald: %w", err)
				return
			}
		}
		if buildDir, buildErr = os.MkdirTemp("", "herald-deploytest"); buildErr != nil {
			return
		}
		buildPath = filepath.Join(buildDir, "herald")
		cmd := exec.Command(goBin, "build", "-trimpath", "-ldflags",
			"-s -w -X github.com/heraldhq/herald/internal/buildinfo.Version="+testVersion+
				" -X github.com/heraldhq/herald/internal/buildinfo.Revision="+testRevision, "-o", buildPath, "./cmd/herald")
		cmd.Dir = repoRoot(t)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/herald: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// proc is a program started by startProc, with its output.
type proc struct {
	Out *testutil.Buffer
}

// startProc runs bin until the test ends, its output collected.
func startProc(t testing.TB, bin string, args ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	p := &proc{Out: &testutil.Buffer{}}
	cmd.Stdout, cmd.Stderr = p.Out, p.Out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start %s: %v", bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(bin), p.Out.String())
		}
	})
	return p
}

// replaceAll applies old→new pairs to s, failing when an old string is not
// there: a rewrite that misses means the stack's file changed shape.
func replaceAll(t testing.TB, name, s string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("%s: no %q to rewrite", name, pairs[i])
		}
		s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
	}
	return s
}
