package docker_test

import (
	"context"
	"github.com/heraldhq/herald/internal/testutil"
	"math"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/collect/docker"
	"github.com/heraldhq/herald/internal/config"
	"github.com/heraldhq/herald/internal/testutil/realdocker"
)

// TestRealDockerd collects a real dockerd directly and through a real
// sshd, next to a dead host: a container burning a core, one burning at
// most 0.3 of one (a CPU quota, so that its figure is known whatever the
// machine's load), one holding 64 MiB, one that exited and one that keeps
// restarting. Not parallel: the burners must get their CPU.
func TestRealDockerd(t *testing.T) {
	socket := realdocker.StartDockerd(t)
	sshd := realdocker.StartSSHD(t)
	img := realdocker.BusyboxImage(t, socket)
	run := func(name, restart, script string, cpus float64) string {
		return realdocker.Run(t, socket, realdocker.Spec{Name: name, Image: img, Cmd: []string{"sh", "-c", script},
			Restart: restart, CPUs: cpus})
	}
	burn := run("burn", "", "yes > /dev/null", 0)
	run("burn30", "", "yes > /dev/null", 0.3)
	// dd holds its 64 MiB block while sleep, which never reads, blocks it.
	mem := run("mem", "", "dd if=/dev/zero bs=64M count=1 | sleep 3600", 0)
	gone := run("gone", "", "exit 3", 0)
	flap := run("flap", "on-failure", "sleep 0.2; exit 1", 0)

	testutil.Poll(t, 30*time.Second, "the exited and the restarted container", func() bool {
		return realdocker.Inspect(t, socket, gone).State.Status == "exited" &&
			realdocker.Inspect(t, socket, flap).RestartCount > 0
	})
	testutil.Poll(t, 30*time.Second, "64 MiB held", func() bool { return realdocker.MemoryUsed(t, socket, mem) > 60<<20 })

	c, _ := newCollector(t, 10*time.Second, []config.DockerHost{
		{Name: "local", URL: "unix://" + socket},
		{Name: "tunnel", URL: "ssh://" + sshd.User + "@" + sshd.Addr,
			SSH: config.SSHConfig{KeyFile: sshd.KeyFile, KnownHosts: sshd.KnownHosts, Socket: socket}},
		{Name: "dead", URL: "unix://" + t.TempDir() + "/docker.sock"},
	})
	// The engine reads the burner's counters somewhere within each
	// collection; the cgroup read around them bounds what it can find.
	type reading struct {
		at  time.Time
		cpu time.Duration
	}
	read := func() reading { return reading{time.Now(), realdocker.CPUUsage(t, socket, burn)} }
	before1 := read()
	first := c.Collect(context.Background())
	after1 := read()
	for _, h := range first[:2] {
		if !h.Up || h.APIVersion != "1.41" {
			t.Fatalf("%s: %+v", h.Name, h)
		}
	}
	// CPU is measured between two collections: wait until the burner has
	// used a third of a second of CPU since the first, however long that
	// takes on a loaded machine.
	testutil.Poll(t, 30*time.Second, "the burner to use CPU", func() bool { return read().cpu-after1.cpu >= 300*time.Millisecond })
	before2 := read()
	hs := c.Collect(context.Background())
	after2 := read()
	took := after2.at.Sub(before2.at)
	cgroupMem := realdocker.MemoryUsed(t, socket, mem)
	low := 100 * float64(before2.cpu-after1.cpu) / float64(after2.at.Sub(before1.at))
	high := 100 * float64(after2.cpu-before1.cpu) / float64(before2.at.Sub(after1.at))

	if hs[2].Up || hs[2].Err == "" {
		t.Errorf("dead host %+v", hs[2])
	}
	if took > 5*time.Second {
		t.Errorf("collection took %v", took)
	}
	for _, h := range hs[:2] {
		if !h.Up || len(h.Containers) != 5 {
			t.Fatalf("%s: %+v", h.Name, h)
		}
		burn := find(t, h, "burn")
		if burn.State != "running" || !burn.HasStats || burn.CPUPercent < 5 || burn.CPUPercent < low-2 || burn.CPUPercent > high+2 {
			t.Errorf("%s: burner at %.1f %% CPU; its cgroup allows %.1f to %.1f", h.Name, burn.CPUPercent, low, high)
		}
		// A quota of 0.3 CPU: 30 % of one core (not of all), if the
		// machine lets it have that much.
		if b30 := find(t, h, "burn30"); b30.CPUPercent < 10 || b30.CPUPercent > 33 {
			t.Errorf("%s: burner limited to 0.3 CPU at %.1f %%", h.Name, b30.CPUPercent)
		}
		if burn.Uptime <= 0 || burn.Uptime > 5*time.Minute || burn.MemLimit == 0 {
			t.Errorf("%s: burner %+v", h.Name, burn)
		}
		m := find(t, h, "mem")
		// The collection and the cgroup were read a moment apart.
		if diff := math.Abs(float64(m.MemUsed) - float64(cgroupMem)); m.MemUsed < 60<<20 || diff > 4<<20 {
			t.Errorf("%s: memory used %d, the cgroup shows %d", h.Name, m.MemUsed, cgroupMem)
		}
		if g := find(t, h, "gone"); g.State != "exited" || g.HasStats || g.Uptime != 0 {
			t.Errorf("%s: exited container %+v", h.Name, g)
		}
		if f := find(t, h, "flap"); f.Restarts < 1 {
			t.Errorf("%s: restarting container %+v", h.Name, f)
		}
		t.Logf("%s: took %v; burn %.1f %% CPU (cgroup: %.1f to %.1f), burn30 %.1f %%; mem %d MiB", h.Name, h.Took,
			burn.CPUPercent, low, high, find(t, h, "burn30").CPUPercent, m.MemUsed>>20)
	}
	if n := len(docker.Samples(hs[0])); n < 20 {
		t.Errorf("%d samples", n)
	}
}
