package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Machine describes where a benchmark ran.
type Machine struct {
	CPUs      int    // logical CPUs (nproc)
	CPUModel  string // "model name" of /proc/cpuinfo
	MemBytes  uint64 // MemTotal of /proc/meminfo
	GoVersion string
	OS, Arch  string
	Kernel    string
	// LoadStart and LoadEnd are /proc/loadavg at the start and the end:
	// other work on the machine shows there.
	LoadStart, LoadEnd string
}

// ReadMachine describes this machine. Fields it cannot read stay empty.
func ReadMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if kb, ok := procField("/proc/meminfo", "MemTotal"); ok {
		m.MemBytes = kb << 10
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	m.LoadStart = loadAvg()
	return m
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// procField reads a "Name: value kB" line of a /proc file, in kB.
func procField(path, name string) (uint64, bool) {
	v, ok := procFields(path, name)[name]
	return v, ok
}

// procFields reads "Name: value kB" lines of a /proc file in one pass,
// in kB.
func procFields(path string, names ...string) map[string]uint64 {
	out := map[string]uint64{}
	b, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || !slices.Contains(names, k) {
			continue
		}
		if fields := strings.Fields(v); len(fields) > 0 {
			if n, err := strconv.ParseUint(fields[0], 10, 64); err == nil {
				out[k] = n
			}
		}
	}
	return out
}

// Memory is a process's resident memory.
type Memory struct {
	HWM, RSS uint64 // peak and current resident set, bytes
}

// readMemory reads VmHWM and VmRSS of a process ("self" for this one).
func readMemory(pid string) Memory {
	f := procFields("/proc/"+pid+"/status", "VmHWM", "VmRSS")
	return Memory{HWM: f["VmHWM"] << 10, RSS: f["VmRSS"] << 10}
}

// cpuTime returns the user+system CPU time a process has used so far,
// from /proc/<pid>/stat ("self" for this one).
func cpuTime(pid string) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields start after its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("bench: malformed /proc/%s/stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// utime and stime are fields 14 and 15 of stat, 12 and 13 after ')'.
	if len(f) < 13 {
		return 0, fmt.Errorf("bench: short /proc/%s/stat", pid)
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("bench: malformed /proc/%s/stat", pid)
	}
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / ticks, nil
}

// machineCPU is the machine-wide CPU time by state, from the first line
// of /proc/stat: time other processes (and, in a virtual machine, the
// host: steal) took shows there.
type machineCPU struct {
	Busy, Idle, Steal time.Duration
}

func readMachineCPU() machineCPU {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return machineCPU{}
	}
	var v [8]uint64
	for i := range v {
		v[i], _ = strconv.ParseUint(f[i+1], 10, 64)
	}
	// user nice system idle iowait irq softirq steal
	tick := func(n uint64) time.Duration { return time.Duration(n) * time.Second / 100 }
	return machineCPU{Busy: tick(v[0] + v[1] + v[2] + v[5] + v[6]), Idle: tick(v[3] + v[4]), Steal: tick(v[7])}
}

func (a machineCPU) sub(b machineCPU) machineCPU {
	return machineCPU{Busy: a.Busy - b.Busy, Idle: a.Idle - b.Idle, Steal: a.Steal - b.Steal}
}
