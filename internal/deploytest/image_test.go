package deploytest

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"github.com/heraldhq/herald/internal/testutil"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testutil/realdocker"
)

// finalStage is the Dockerfile's last stage with each `COPY --from=stage
// /src dst` turned into `COPY src dst` from the build context: the real
// Dockerfile's builder stages pull golang and debian images from a
// registry, which tests cannot reach, so the context brings what they
// would have made (the static binary, the CA bundle, the zone database).
func finalStage(t *testing.T) string {
	t.Helper()
	text := readRepo(t, "Dockerfile")
	i := strings.LastIndex(text, "\nFROM ")
	if i < 0 {
		t.Fatal("Dockerfile has no FROM")
	}
	var out []string
	for _, line := range strings.Split(text[i+1:], "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "COPY" {
			var kept []string
			for j, w := range f {
				switch {
				case strings.HasPrefix(w, "--from="):
					continue
				case j > 0 && j < len(f)-1 && !strings.HasPrefix(w, "--"):
					w = strings.TrimPrefix(w, "/") // a source: from the context
				}
				kept = append(kept, w)
			}
			line = strings.Join(kept, " ")
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// buildContext is the tar the test image is built from.
func buildContext(t *testing.T, dockerfile, herald string) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now()
	file := func(name string, mode int64, body []byte) {
		must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(body)), ModTime: now}))
		_, err := tw.Write(body)
		must(t, err)
	}
	dirEntry := func(name string, mode int64) {
		must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: now}))
	}
	file("Dockerfile", 0o644, []byte(dockerfile))
	bin, err := os.ReadFile(herald)
	must(t, err)
	for _, d := range []string{"out", "out/rootfs", "out/rootfs/etc", "out/rootfs/etc/herald", "etc", "etc/ssl", "etc/ssl/certs", "usr", "usr/share", "usr/share/zoneinfo"} {
		dirEntry(d, 0o755)
	}
	dirEntry("out/data", 0o750)
	file("out/rootfs/herald", 0o755, bin)
	must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "out/rootfs/herald.yml", Linkname: "etc/herald/herald.yml", ModTime: now}))
	// The host's CA bundle and zone database, where it has them (Go embeds
	// a zone database too: cmd/herald imports time/tzdata).
	ca, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		t.Logf("no CA bundle on this host (%v); the image gets an empty one", err)
	}
	file("etc/ssl/certs/ca-certificates.crt", 0o644, ca)
	_ = filepath.WalkDir("/usr/share/zoneinfo", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "/usr/share/zoneinfo" {
			return nil
		}
		name := strings.TrimPrefix(p, "/")
		switch {
		case d.IsDir():
			dirEntry(name, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			if target, err := os.Readlink(p); err == nil {
				must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, ModTime: now}))
			}
		case d.Type().IsRegular():
			if b, err := os.ReadFile(p); err == nil {
				file(name, 0o644, b)
			}
		}
		return nil
	})
	must(t, tw.Close())
	return &buf
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The image, built from the Dockerfile's final stage and a host-built
// static binary by a real dockerd, runs Herald as uid 65532 on its
// defaults (console channel), and `herald send-test` run inside it is
// delivered on the console.
func TestImageRunsAndDeliversSendTest(t *testing.T) {
	t.Parallel()
	socket := realdocker.StartDockerd(t)
	herald := heraldBinary(t)
	const ref = "herald-deploytest:test"
	start := time.Now()
	buildImage(t, socket, ref, buildContext(t, finalStage(t), herald))
	t.Logf("image built in %s", time.Since(start).Round(time.Millisecond))

	var img struct {
		Config struct {
			User         string
			WorkingDir   string
			Entrypoint   []string
			Cmd          []string
			ExposedPorts map[string]any
			Volumes      map[string]any
			Healthcheck  struct{ Test []string }
		}
	}
	must(t, realdocker.GetJSON(socket, "/images/"+ref+"/json", &img))
	c := img.Config
	if c.User != "65532:65532" || c.WorkingDir != "/" || !slices.Equal(c.Entrypoint, []string{"/herald"}) ||
		!slices.Equal(c.Cmd, []string{"serve"}) {
		t.Errorf("user %q workdir %q entrypoint %q cmd %q", c.User, c.WorkingDir, c.Entrypoint, c.Cmd)
	}
	if _, ok := c.ExposedPorts["9096/tcp"]; !ok {
		t.Errorf("exposed ports %v, want 9096/tcp", c.ExposedPorts)
	}
	if _, ok := c.Volumes["/data"]; !ok {
		t.Errorf("volumes %v, want /data", c.Volumes)
	}
	if !slices.Equal(c.Healthcheck.Test, []string{"CMD", "/herald", "healthcheck"}) {
		t.Errorf("healthcheck %q", c.Healthcheck.Test)
	}

	id := realdocker.Run(t, socket, realdocker.Spec{Name: "herald", Image: ref})
	if pid := realdocker.Inspect(t, socket, id).State.Pid; pid > 0 {
		status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
		must(t, err)
		if !regexpUID65532(string(status)) {
			t.Errorf("herald does not run as uid 65532:\n%s", status)
		}
	}
	testutil.Poll(t, 30*time.Second, "herald started in the container", func() bool {
		return strings.Contains(containerLogs(t, socket, id), `msg="Herald started"`)
	})
	if out, code := execIn(t, socket, id, "/herald", "version"); code != 0 || !strings.Contains(out, "version "+testVersion) || !strings.Contains(out, "revision: "+testRevision) {
		t.Errorf("herald version: exit %d:\n%s", code, out)
	}
	if out, code := execIn(t, socket, id, "/herald", "send-test", "--resolve-after=1s"); code != 0 {
		t.Fatalf("herald send-test: exit %d:\n%s", code, out)
	}
	testutil.Poll(t, 30*time.Second, "firing and resolved on the console", func() bool {
		l := containerLogs(t, socket, id)
		return strings.Contains(l, "----- #1 console firing") && strings.Contains(l, "----- #2 console resolved re #1") &&
			strings.Contains(l, "HeraldTestAlert")
	})
	// herald healthcheck is another change's; where the binary has it, the
	// image's HEALTHCHECK must turn the container healthy.
	if bin, err := exec.Command(herald, "help").Output(); err == nil && strings.Contains(string(bin), "healthcheck") {
		if out, code := execIn(t, socket, id, "/herald", "healthcheck"); code != 0 {
			t.Errorf("herald healthcheck in the container: exit %d:\n%s", code, out)
		}
	} else {
		t.Log("this herald has no healthcheck command yet; HEALTHCHECK not exercised")
	}
}

func regexpUID65532(status string) bool {
	sc := bufio.NewScanner(strings.NewReader(status))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 1 && f[0] == "Uid:" {
			return f[1] == "65532"
		}
	}
	return false
}

// buildImage posts a context to the engine's /build and fails on an error
// in its progress stream.
func buildImage(t *testing.T, socket, ref string, ctx io.Reader) {
	t.Helper()
	q := url.Values{"t": {ref}, "rm": {"1"}, "forcerm": {"1"},
		"buildargs": {`{"VERSION":"` + testVersion + `","REVISION":"deploytest"}`}}
	req, err := http.NewRequest(http.MethodPost, "http://docker/v1.41/build?"+q.Encode(), ctx)
	must(t, err)
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := realdocker.Client(socket).Do(req)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	defer resp.Body.Close()
	progress, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || strings.Contains(string(progress), `"error"`) {
		t.Fatalf("build: %s:\n%s", resp.Status, progress)
	}
}

// demux joins a multiplexed stdout/stderr stream's payloads.
func demux(b []byte) string {
	var out strings.Builder
	for len(b) >= 8 {
		n := int(binary.BigEndian.Uint32(b[4:8]))
		b = b[8:]
		n = min(n, len(b))
		out.Write(b[:n])
		b = b[n:]
	}
	return out.String()
}

func containerLogs(t *testing.T, socket, id string) string {
	t.Helper()
	resp, err := realdocker.Client(socket).Get("http://docker/v1.41/containers/" + id + "/logs?stdout=1&stderr=1")
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return demux(b)
}

// execIn runs a command in the container and returns its output and exit
// code.
func execIn(t *testing.T, socket, id string, cmd ...string) (string, int) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"AttachStdout": true, "AttachStderr": true, "Cmd": cmd})
	var created struct {
		ID string `json:"Id"`
	}
	must(t, realdocker.Do(socket, http.MethodPost, "/containers/"+id+"/exec", "application/json", bytes.NewReader(body), &created))
	resp, err := realdocker.Client(socket).Post("http://docker/v1.41/exec/"+created.ID+"/start", "application/json",
		strings.NewReader(`{"Detach":false,"Tty":false}`))
	must(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var inspected struct{ ExitCode int }
	must(t, realdocker.GetJSON(socket, "/exec/"+created.ID+"/json", &inspected))
	return demux(raw), inspected.ExitCode
}
