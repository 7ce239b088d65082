package realdocker

import (
	"archive/tar"
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// apiVersion is what these helpers speak: Docker 20.10's, which newer
// engines still take.
const apiVersion = "/v1.41"

// Do calls the engine at socket: method path (without the version) with
// a body of contentType, decoding a JSON answer into out (nil: none).
func Do(socket, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequest(method, "http://docker"+apiVersion+path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := Client(socket).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// GetJSON decodes the answer of GET path.
func GetJSON(socket, path string, out any) error {
	return Do(socket, http.MethodGet, path, "", nil, out)
}

// busyboxApplets are the commands the image has, as links to busybox.
var busyboxApplets = []string{"sh", "sleep", "yes", "dd", "cat", "head", "tail", "true", "false", "echo", "ls"}

// BusyboxImage imports an image holding only a static busybox (Debian's
// busybox-static) and its applets' links, through the Engine API, and
// returns its reference. No registry is needed.
func BusyboxImage(t testing.TB, socket string) string {
	t.Helper()
	need(t, Busybox, "busybox-static")
	bin, err := os.ReadFile(Busybox)
	if err != nil {
		t.Fatal(err)
	}
	if f, err := elf.NewFile(bytes.NewReader(bin)); err == nil {
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Fatalf("%s is dynamically linked; install busybox-static", Busybox)
			}
		}
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now()
	for _, d := range []string{"bin/", "tmp/", "proc/", "sys/", "dev/", "etc/"} {
		mode := int64(0o755)
		if d == "tmp/" {
			mode = 0o1777
		}
		must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: mode, ModTime: now}))
	}
	must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: int64(len(bin)), ModTime: now}))
	_, err = tw.Write(bin)
	must(t, err)
	for _, a := range busyboxApplets {
		must(t, tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + a, Linkname: "busybox", ModTime: now}))
	}
	must(t, tw.Close())
	const repo, tag = "herald-busybox", "test"
	q := url.Values{"fromSrc": {"-"}, "repo": {repo}, "tag": {tag}}
	var progress bytes.Buffer
	req, err := http.NewRequest(http.MethodPost, "http://docker"+apiVersion+"/images/create?"+q.Encode(), &buf)
	must(t, err)
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := Client(socket).Do(req)
	if err != nil {
		t.Fatalf("import busybox: %v", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(&progress, resp.Body)
	if resp.StatusCode != http.StatusOK || strings.Contains(progress.String(), `"error"`) {
		t.Fatalf("import busybox: %s: %s", resp.Status, progress.String())
	}
	return repo + ":" + tag
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Spec is a container to run.
type Spec struct {
	Name  string
	Image string
	// Cmd is the command; with busybox, {"sh", "-c", "..."}.
	Cmd []string
	// Restart is a restart policy: "", "always", "on-failure".
	Restart string
	// CPUs limits the container to that many cores (0: no limit).
	CPUs float64
}

// Run creates and starts a container without a network and returns its ID.
func Run(t testing.TB, socket string, s Spec) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"Image": s.Image, "Cmd": s.Cmd,
		"HostConfig": map[string]any{"NetworkMode": "none", "RestartPolicy": map[string]any{"Name": s.Restart},
			"NanoCpus": int64(s.CPUs * 1e9)},
	})
	must(t, err)
	var created struct {
		ID string `json:"Id"`
	}
	if err := Do(socket, http.MethodPost, "/containers/create?name="+url.QueryEscape(s.Name), "application/json",
		bytes.NewReader(body), &created); err != nil {
		t.Fatal(err)
	}
	if err := Do(socket, http.MethodPost, "/containers/"+created.ID+"/start", "", nil, nil); err != nil {
		t.Fatal(err)
	}
	return created.ID
}

// Inspected is what the tests read of a container's inspect answer.
type Inspected struct {
	ID           string `json:"Id"`
	RestartCount int
	State        struct {
		Status  string
		Pid     int
		Running bool
	}
}

// Inspect reads a container's inspect answer.
func Inspect(t testing.TB, socket, id string) Inspected {
	t.Helper()
	var in Inspected
	if err := GetJSON(socket, "/containers/"+id+"/json", &in); err != nil {
		t.Fatal(err)
	}
	return in
}

// cgroupDir is the directory of a running container's cgroup for a
// controller (cgroup v1), or of its unified cgroup (v2: v1 false).
func cgroupDir(t testing.TB, socket, id, controller string) (dir string, v1 bool) {
	t.Helper()
	pid := Inspect(t, socket, id).State.Pid
	if pid == 0 {
		t.Fatalf("container %s is not running", id[:12])
	}
	cg, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	must(t, err)
	var unified string
	for _, line := range strings.Split(string(cg), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == controller {
				return filepath.Join("/sys/fs/cgroup", parts[1], parts[2]), true
			}
		}
		if parts[0] == "0" && parts[1] == "" {
			unified = parts[2]
		}
	}
	return filepath.Join("/sys/fs/cgroup", unified), false
}

// MemoryUsed reads a running container's memory from its cgroup on the
// host, as docker stats counts it: usage less the inactive page cache
// (cgroup v1 memory.usage_in_bytes − total_inactive_file; v2
// memory.current − inactive_file).
func MemoryUsed(t testing.TB, socket, id string) uint64 {
	t.Helper()
	dir, v1 := cgroupDir(t, socket, id, "memory")
	usageFile, inactiveKey := "memory.current", "inactive_file"
	if v1 {
		usageFile, inactiveKey = "memory.usage_in_bytes", "total_inactive_file"
	}
	usage := readUint(t, filepath.Join(dir, usageFile))
	inactive, ok := statValue(t, filepath.Join(dir, "memory.stat"), inactiveKey)
	if ok && inactive < usage {
		return usage - inactive
	}
	return usage
}

// CPUUsage reads a running container's CPU time from its cgroup on the
// host (cgroup v1 cpuacct.usage; v2 cpu.stat usage_usec).
func CPUUsage(t testing.TB, socket, id string) time.Duration {
	t.Helper()
	dir, v1 := cgroupDir(t, socket, id, "cpuacct")
	if v1 {
		return time.Duration(readUint(t, filepath.Join(dir, "cpuacct.usage")))
	}
	us, ok := statValue(t, filepath.Join(dir, "cpu.stat"), "usage_usec")
	if !ok {
		t.Fatalf("no usage_usec in %s/cpu.stat", dir)
	}
	return time.Duration(us) * time.Microsecond
}

// statValue reads one key of a "key value" per line file.
func statValue(t testing.TB, path, key string) (uint64, bool) {
	t.Helper()
	f, err := os.Open(path)
	must(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		if k == key {
			n, err := strconv.ParseUint(v, 10, 64)
			must(t, err)
			return n, true
		}
	}
	return 0, false
}

func readUint(t testing.TB, path string) uint64 {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	n, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	must(t, err)
	return n
}
