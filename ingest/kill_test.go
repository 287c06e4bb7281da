package ingest_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
)

// Environment of the child process of TestResumeAfterKill9.
const (
	envChild = "INGEST_KILL_CHILD"
	envURL   = "INGEST_KILL_URL"
	envDB    = "INGEST_KILL_DB"
)

// TestKillChild is the child: it syncs once from envURL into envDB and
// prints "page N" after each committed page. It is skipped in a normal run.
func TestKillChild(t *testing.T) {
	if os.Getenv(envChild) != "1" {
		t.Skip("helper process of TestResumeAfterKill9")
	}
	st := openStore(t, os.Getenv(envDB))
	src := restSource(t, client(t, os.Getenv(envURL), nil), 40)
	_, err := ingest.NewSyncer(st, src, ingest.Options{Once: true, Progress: func(p ingest.Progress) {
		fmt.Fprintf(os.Stdout, "page %d\n", p.Pages)
	}}).Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(os.Stdout, "done")
}

// TestResumeAfterKill9 runs the sync in a child process, SIGKILLs it at
// random points (after a random number of committed pages plus a random
// delay, so the kill lands in a fetch, an apply or a commit), changes the
// feed between runs, restarts it, and checks that the final store is the
// one a clean sync of the final feed gives.
func TestResumeAfterKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	s, hs := standIn(t, intelserver.FaultPlan{})
	db := filepath.Join(t.TempDir(), "killed.db")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	ids := s.IndicatorIDs()
	kills, finished := 0, false
	for run := 0; run < 30 && !finished; run++ {
		// Kill after 0 to 5 committed pages (0: during start-up or the
		// first page), eight times; then let the sync finish.
		killAfter := -1
		if kills < 8 {
			killAfter = rng.IntN(6)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), envChild+"=1", envURL+"="+hs.URL, envDB+"="+db)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		pages, killed := 0, false
		if killAfter == 0 {
			time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
		}
		for !killed && sc.Scan() {
			line := sc.Text()
			if line == "done" {
				finished = true
			}
			if strings.HasPrefix(line, "page ") {
				pages++
				if pages == killAfter {
					time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
					cmd.Process.Signal(syscall.SIGKILL)
					killed = true
					break
				}
			}
		}
		for sc.Scan() {
		}
		err = cmd.Wait()
		if killed {
			kills++
			finished = false
		} else if err != nil {
			t.Fatalf("child failed: %v", err)
		}
		// Change the feed between runs: what the killed run missed must
		// come in the next one.
		if run%2 == 1 {
			s.Modify(ids[rng.IntN(len(ids))], func(o map[string]any) { o["confidence"] = 1 + rng.IntN(99) })
			s.Revoke(ids[rng.IntN(len(ids))])
		}
	}
	if !finished || kills < 8 {
		t.Fatalf("finished %v after %d kills", finished, kills)
	}
	killed := openStore(t, db)
	clean := openStore(t, "")
	if _, _, err := syncOnce(t, clean, restSource(t, client(t, hs.URL, nil), 40)); err != nil {
		t.Fatal(err)
	}
	// The feed may have changed after the last child run: catch up first.
	if _, _, err := syncOnce(t, killed, restSource(t, client(t, hs.URL, nil), 40)); err != nil {
		t.Fatal(err)
	}
	if digest(t, killed) != digest(t, clean) {
		t.Fatal("store after kill -9 and restarts differs from a clean sync")
	}
	checkTruth(t, killed, s)
	t.Logf("%d kills", kills)
}
