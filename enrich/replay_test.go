package enrich

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
)

// perIDClient counts context calls per indicator id.
type perIDClient struct {
	Client
	mu    sync.Mutex
	calls map[string]int
}

func (c *perIDClient) Context(ctx context.Context, id string) (*intel.Bundle, error) {
	c.mu.Lock()
	c.calls[id]++
	c.mu.Unlock()
	return c.Client.Context(ctx, id)
}

func (c *perIDClient) maxCalls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := 0
	for _, n := range c.calls {
		m = max(m, n)
	}
	return m
}

// replayResult is what a replay measured.
type replayResult struct {
	hits, maxPerID int
	elapsed        time.Duration
	byStatus       map[Status]int
	stats          Stats
}

// replay hits every id rounds times, in a random order, from goroutines
// goroutines, through Await with the default budget (the pipeline's call),
// and reads the follow-ups as the pipeline would.
func replay(tb testing.TB, c Client, opts Options, ids []string, rounds, goroutines int) replayResult {
	tb.Helper()
	pc := &perIDClient{Client: c, calls: map[string]int{}}
	opts.FollowUp = true
	e, err := New(pc, opts)
	if err != nil {
		tb.Fatal(err)
	}
	var followUps atomic.Int64
	fuDone := make(chan struct{})
	go func() {
		for range e.FollowUps() {
			followUps.Add(1)
		}
		close(fuDone)
	}()
	hits := make([]string, 0, len(ids)*rounds)
	for r := 0; r < rounds; r++ {
		hits = append(hits, ids...)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	rnd.Shuffle(len(hits), func(i, j int) { hits[i], hits[j] = hits[j], hits[i] })

	var next atomic.Int64
	var mu sync.Mutex
	byStatus := map[Status]int{}
	var wg sync.WaitGroup
	start := time.Now()
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := map[Status]int{}
			for {
				i := int(next.Add(1)) - 1
				if i >= len(hits) {
					break
				}
				r := e.Await(context.Background(), hits[i], fmt.Sprint("alert-", i), 0)
				local[r.Status]++
			}
			mu.Lock()
			for k, v := range local {
				byStatus[k] += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	waitFor(tb, "the queue to drain", func() bool { return e.Stats().QueueLen == 0 })
	e.Close()
	<-fuDone
	st := e.Stats()
	if st.FollowUps != followUps.Load() {
		tb.Fatalf("%d follow-ups counted, %d read", st.FollowUps, followUps.Load())
	}
	return replayResult{hits: len(hits), maxPerID: pc.maxCalls(), elapsed: elapsed, byStatus: byStatus, stats: st}
}

// Every indicator of a real sample hit three times, concurrently, in a
// random order: one context call per distinct indicator.
func TestReplayRealIndicators(t *testing.T) {
	s := newStandIn(t, nil, intelserver.Options{}, nil, intel.Config{})
	ids := s.srv.IndicatorIDs()
	res := replay(t, s.client, Options{}, ids, 3, 8)
	st := res.stats
	if st.Hits != int64(len(ids)*3) || st.Distinct != int64(len(ids)) || st.ContextCalls != int64(len(ids)) ||
		res.maxPerID != 1 || st.ContextCallsPerDistinct() != 1 || s.srv.Counts()["object-context"] != int64(len(ids)) {
		t.Fatalf("%d ids: stats %+v, max calls per id %d, server %v", len(ids), st, res.maxPerID, s.srv.Counts())
	}
	if st.QueueDrops != 0 || len(st.Failures) != 0 || res.byStatus[StatusFailed] != 0 {
		t.Fatalf("drops/failures: %+v %v", st, res.byStatus)
	}
	t.Logf("%d hits on %d indicators in %v: %.3f context calls per distinct indicator, %.3f API calls per hit, %v",
		res.hits, len(ids), res.elapsed.Round(time.Millisecond), st.ContextCallsPerDistinct(), st.APICallsPerHit(), res.byStatus)
}

var (
	fullOnce sync.Once
	fullDS   *intelserver.Dataset
	fullErr  error
)

// BenchmarkReplayRealIndicators replays three hits on every indicator of
// testdata/real/indicators.jsonl.gz (83k) against the stand-in, from 16
// goroutines, in a random order, through Await. One iteration is a whole
// replay: run it with -benchtime 1x. It reports context calls per distinct
// indicator (the target: ≤ 1 per TTL), API calls per hit and the
// largest number of context calls any one indicator got, with the digest
// cache holding the working set and with the default 10000 entries.
func BenchmarkReplayRealIndicators(b *testing.B) {
	fullOnce.Do(func() { fullDS, fullErr = intelserver.LoadDataset(realData, intelserver.DatasetOptions{}) })
	if fullErr != nil {
		b.Fatal(fullErr)
	}
	for _, bc := range []struct {
		name       string
		maxEntries int
	}{{"cache=working-set", fullDS.Indicators() + 1}, {"cache=default-10000", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			s := newStandIn(b, fullDS, intelserver.Options{}, nil, intel.Config{})
			ids := s.srv.IndicatorIDs()
			var res replayResult
			for i := 0; i < b.N; i++ {
				res = replay(b, s.client, Options{MaxEntries: bc.maxEntries, QueueSize: 4096, Workers: 8}, ids, 3, 16)
			}
			st := res.stats
			b.ReportMetric(st.ContextCallsPerDistinct(), "ctxcalls/distinct")
			b.ReportMetric(st.APICallsPerHit(), "apicalls/hit")
			b.ReportMetric(float64(res.maxPerID), "max-ctxcalls/id")
			b.ReportMetric(float64(res.hits)/res.elapsed.Seconds(), "hits/s")
			b.ReportMetric(float64(st.Distinct), "distinct")
			b.ReportMetric(float64(st.QueueDrops), "drops")
			b.Logf("%s: %d hits, %d distinct, %d context calls, %d object calls, %d shares, %d cache hits, statuses %v, failures %v, %v",
				bc.name, st.Hits, st.Distinct, st.ContextCalls, st.ObjectCalls, st.Shares, st.CacheHits, res.byStatus, st.Failures, res.elapsed.Round(time.Millisecond))
		})
	}
}
