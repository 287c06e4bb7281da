package ops

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestThrottle(limit int, every time.Duration) (*Throttle, *fakeClock, *bytes.Buffer) {
	var b bytes.Buffer
	log := slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	th := NewThrottle(log, limit, every)
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	th.now = clk.now
	return th, clk, &b
}

func TestThrottleLimitsPerKey(t *testing.T) {
	th, clk, out := newTestThrottle(2, time.Minute)
	ctx := context.Background()
	logged := 0
	for i := range 100 {
		if th.Log(ctx, slog.LevelWarn, "bad_json", "event dropped", "i", i) {
			logged++
		}
	}
	if logged != 2 || th.Dropped() != 98 {
		t.Fatalf("logged %d, dropped %d", logged, th.Dropped())
	}
	// Another key has its own budget.
	if !th.Log(ctx, slog.LevelWarn, "too_large", "event dropped") {
		t.Fatal("other key throttled")
	}
	// Next interval: the first message carries the count.
	clk.advance(time.Minute)
	th.Log(ctx, slog.LevelWarn, "bad_json", "event dropped", "i", 100)
	th.Log(ctx, slog.LevelWarn, "bad_json", "event dropped", "i", 101)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		`level=WARN msg="event dropped" i=0`,
		`level=WARN msg="event dropped" i=1`,
		`level=WARN msg="event dropped"`,
		`level=WARN msg="event dropped" i=100 suppressed=98`,
		`level=WARN msg="event dropped" i=101`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestThrottleDisabledLevelCostsNothing(t *testing.T) {
	th, _, out := newTestThrottle(1, time.Minute) // the handler logs Info and above
	for range 10 {
		th.Log(context.Background(), slog.LevelDebug, "k", "debug detail")
	}
	if th.Dropped() != 0 || out.Len() != 0 {
		t.Fatalf("dropped %d, out %q", th.Dropped(), out.String())
	}
	if !th.Log(context.Background(), slog.LevelInfo, "k", "first info") {
		t.Fatal("debug messages used the budget")
	}
}

func TestThrottleAllowAndFlush(t *testing.T) {
	th, clk, out := newTestThrottle(1, time.Second)
	if ok, n := th.Allow("a"); !ok || n != 0 {
		t.Fatal(ok, n)
	}
	for range 5 {
		if ok, _ := th.Allow("a"); ok {
			t.Fatal("allowed past the limit")
		}
	}
	th.Allow("b")
	th.Allow("b")
	th.Flush(context.Background(), slog.LevelInfo)
	got := out.String()
	if !strings.Contains(got, `key=a suppressed=5`) || !strings.Contains(got, `key=b suppressed=1`) || strings.Index(got, "key=a") > strings.Index(got, "key=b") {
		t.Fatalf("flush: %q", got)
	}
	// Flushed counts are not reported again.
	clk.advance(time.Second)
	if ok, n := th.Allow("a"); !ok || n != 0 {
		t.Fatalf("after flush: %v %d", ok, n)
	}
}

func TestThrottleKeyBound(t *testing.T) {
	th, clk, _ := newTestThrottle(1, time.Second)
	for i := range maxThrottleKeys {
		th.Allow(fmt.Sprint("k", i))
	}
	// The table is full of keys in their interval: new keys share one.
	if ok, _ := th.Allow("new1"); !ok {
		t.Fatal("first overflow message refused")
	}
	if ok, _ := th.Allow("new2"); ok {
		t.Fatal("overflow key has its own budget per new key")
	}
	if len(th.keys) != maxThrottleKeys+1 {
		t.Fatalf("%d keys", len(th.keys))
	}
	// Once their interval is over, idle keys are forgotten.
	clk.advance(2 * time.Second)
	if ok, _ := th.Allow("new3"); !ok {
		t.Fatal("refused after pruning")
	}
	if len(th.keys) > 3 {
		t.Fatalf("%d keys after pruning", len(th.keys))
	}
}

func TestThrottleConcurrent(t *testing.T) {
	th := NewThrottle(nil, 3, time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := map[string]int{}
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				key := fmt.Sprint("k", (w+i)%4)
				if ok, _ := th.Allow(key); ok {
					mu.Lock()
					allowed[key]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	for k, n := range allowed {
		if n != 3 {
			t.Errorf("%s allowed %d times", k, n)
		}
	}
	if len(allowed) != 4 || th.Dropped() != 8000-12 {
		t.Fatalf("keys %d, dropped %d", len(allowed), th.Dropped())
	}
}
