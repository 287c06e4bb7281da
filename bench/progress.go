package bench

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress prints what a long run is doing, one line per step, with the
// time since the start; ticks report running counts every few seconds.
// It is safe for concurrent use; a nil *progress prints nothing.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	every time.Duration
}

func newProgress(w io.Writer) *progress {
	if w == nil {
		return nil
	}
	return &progress{w: w, start: time.Now(), every: 2 * time.Second}
}

func (p *progress) printf(format string, args ...any) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "[%7.1fs] %s\n", time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
}

// tick calls status every few seconds and prints its line until the
// returned function is called.
func (p *progress) tick(label string, status func() string) (stop func()) {
	if p == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(p.every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.printf("  %s: %s", label, status())
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}
