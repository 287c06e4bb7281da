package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"time"
)

// startProfile starts a CPU profile into path; "" profiles nothing. The
// returned function stops it and closes the file.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bench: profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("bench: profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// ProfileTop is the head of `go tool pprof -top -cum` for one stage's
// profile: the functions with the most time in them and their callees,
// which names the components.
type ProfileTop struct {
	Stage string // e.g. "match path, 1M, generated"
	File  string // the profile, relative to the output directory
	Top   string // the command's output, or why it is missing
}

// pprofTop runs `go tool pprof -top -cum` on a profile and keeps its
// first lines. The go command must be on PATH; without it the profile is still
// written and Top says so.
func pprofTop(ctx context.Context, path string, lines int) string {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "(go command not found; run: go tool pprof -top -cum " + path + ")"
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, goCmd, "tool", "pprof", "-top", "-cum", fmt.Sprintf("-nodecount=%d", lines), path)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return fmt.Sprintf("(go tool pprof failed: %v: %s)", err, strings.TrimSpace(errOut.String()))
	}
	return strings.TrimRight(out.String(), "\n")
}
