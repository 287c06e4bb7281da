package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/indicator-matcher/matcher/engine/alert"
	"github.com/indicator-matcher/matcher/engine/extract"
	"github.com/indicator-matcher/matcher/engine/indicator"
	"github.com/indicator-matcher/matcher/engine/snapshot"
)

// fixture is an embedded NATS server and a small indicator set.
type fixture struct {
	srv    *Embedded
	engine *snapshot.Engine
	x      *extract.Extractor
	inds   map[string]indicator.Indicator
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv, err := StartEmbedded(EmbeddedOptions{Port: -1, JetStream: true, StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	f := &fixture{srv: srv, inds: map[string]indicator.Indicator{}}
	var list []snapshot.Indicator
	for i := 0; i < 50; i++ {
		id := fmt.Sprintf("indicator--00000000-0000-4000-8000-%012d", i)
		p := fmt.Sprintf("[domain-name:value = 'evil%d.example']", i)
		f.inds[id] = indicator.Indicator{ID: id, Name: fmt.Sprintf("evil%d", i), Pattern: p, PatternType: "stix"}
		list = append(list, snapshot.Indicator{ID: id, Pattern: p})
	}
	eng, _, err := snapshot.NewEngine(snapshot.Options{}, func(yield func(snapshot.Indicator) error) error {
		for _, ind := range list {
			if err := yield(ind); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.engine = eng
	if f.x, err = extract.New(extract.Config{}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) conn(t *testing.T) *nats.Conn {
	nc, err := nats.Connect(f.srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func (f *fixture) runner(t *testing.T, nc *nats.Conn, opts Options) *Runner {
	cfg := ProcessorConfig{
		Extractor: f.x, Loader: f.engine, Validity: ValidityOff,
		Builder: &alert.Builder{Validity: "off", Catalog: alert.CatalogFunc(func(id string) (indicator.Indicator, error) { return f.inds[id], nil })},
	}
	r, err := NewRunner(nc, cfg, nil, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// event returns a Zeek DNS event asking for evil<i>.example (a hit) or
// benign<i>.example.
func event(i int, hit bool) []byte {
	name := fmt.Sprintf("benign%d.example", i)
	if hit {
		name = fmt.Sprintf("evil%d.example", i%50)
	}
	return []byte(fmt.Sprintf(`{"_path":"dns","ts":"2018-03-24T17:15:%02d.%06dZ","uid":"C%d","id.orig_h":"10.0.0.1","id.orig_p":%d,"id.resp_h":"10.0.0.53","id.resp_p":53,"proto":"udp","query":"%s"}`, i%60, i, i, 1024+i, name))
}

// collect gathers alerts published on the alert subjects.
func collect(t *testing.T, nc *nats.Conn) (func() []alert.Alert, func(n int, d time.Duration) bool) {
	var mu sync.Mutex
	var got []alert.Alert
	sub, err := nc.Subscribe("matcher.alerts.>", func(m *nats.Msg) {
		var a alert.Alert
		if err := json.Unmarshal(m.Data, &a); err != nil {
			t.Errorf("alert is not JSON: %v", err)
			return
		}
		mu.Lock()
		got = append(got, a)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	list := func() []alert.Alert {
		mu.Lock()
		defer mu.Unlock()
		return append([]alert.Alert(nil), got...)
	}
	wait := func(n int, d time.Duration) bool {
		deadline := time.Now().Add(d)
		for time.Now().Before(deadline) {
			if len(list()) >= n {
				return true
			}
			time.Sleep(10 * time.Millisecond)
		}
		return false
	}
	return list, wait
}

func TestCoreEventsInAlertsOut(t *testing.T) {
	f := newFixture(t)
	nc := f.conn(t)
	alerts, wait := collect(t, f.conn(t))
	dead := make(chan *nats.Msg, 10)
	if _, err := f.conn(t).ChanSubscribe("matcher.deadletter.>", dead); err != nil {
		t.Fatal(err)
	}
	r := f.runner(t, nc, Options{Workers: 2})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	waitReady(t, r)

	pub := f.conn(t)
	for i := 0; i < 200; i++ {
		if err := pub.Publish("logs.zeek.dns", event(i, i%4 == 0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Publish("logs.zeek.dns", []byte(`{"_path":"dns", broken`)); err != nil {
		t.Fatal(err)
	}
	_ = pub.Flush()
	if !wait(50, 10*time.Second) {
		t.Fatalf("got %d alerts, want 50", len(alerts()))
	}
	select {
	case m := <-dead:
		if m.Subject != "matcher.deadletter.invalid_json" || m.Header.Get("Matcher-Subject") != "logs.zeek.dns" || string(m.Data) != `{"_path":"dns", broken` {
			t.Errorf("dead letter: %s %v %q", m.Subject, m.Header, m.Data)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no dead letter")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := alerts()
	ids := map[string]bool{}
	for _, a := range got {
		ids[a.Alert.ID] = true
		if a.Threat.Enrichments[0].Matched.Field != "query" || a.Alert.Kind != alert.KindMatch || a.Threat.Context.Status != "disabled" {
			t.Errorf("alert: %+v", a.Threat)
		}
	}
	if len(ids) != 50 || len(got) != 50 {
		t.Errorf("%d alerts with %d distinct ids, want 50", len(got), len(ids))
	}
	st := r.Stats()
	if st.EventsIn.Load() != 201 || st.DeadLetters()["invalid_json"] != 1 || st.AlertsOut.Load() != 50 {
		t.Errorf("stats: in %d, dead %v, alerts %d", st.EventsIn.Load(), st.DeadLetters(), st.AlertsOut.Load())
	}
}

func waitReady(t *testing.T, r *Runner) {
	deadline := time.Now().Add(10 * time.Second)
	for !r.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("runner not ready")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestQueueGroupSharesLoad runs two runners in one queue group: every
// event is handled exactly once.
func TestQueueGroupSharesLoad(t *testing.T) {
	f := newFixture(t)
	alerts, wait := collect(t, f.conn(t))
	ctx, cancel := context.WithCancel(context.Background())
	var runners []*Runner
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		r := f.runner(t, f.conn(t), Options{Workers: 1})
		runners = append(runners, r)
		wg.Add(1)
		go func() { defer wg.Done(); _ = r.Run(ctx) }()
		waitReady(t, r)
	}
	pub := f.conn(t)
	const n = 1000
	for i := 0; i < n; i++ {
		_ = pub.Publish("logs.zeek.dns", event(i, true))
	}
	_ = pub.Flush()
	ok := wait(n, 20*time.Second)
	time.Sleep(200 * time.Millisecond) // let any duplicate arrive
	cancel()
	wg.Wait()
	if !ok {
		t.Fatalf("got %d alerts, want %d", len(alerts()), n)
	}
	ids := map[string]int{}
	for _, a := range alerts() {
		ids[a.Alert.ID]++
	}
	if len(ids) != n || len(alerts()) != n {
		t.Fatalf("%d alerts, %d distinct, want %d each", len(alerts()), len(ids), n)
	}
	a, b := runners[0].Stats().EventsIn.Load(), runners[1].Stats().EventsIn.Load()
	if a+b != n || a == 0 || b == 0 {
		t.Fatalf("events per runner: %d and %d; want both non-zero, summing to %d", a, b, n)
	}
}

// TestJetStreamRestartLosesNothing cuts a JetStream runner's connection in
// the middle of the stream, as a crash would, and starts another runner on
// the same durable consumer: every event ends up with exactly one stored
// alert.
func TestJetStreamRestartLosesNothing(t *testing.T) {
	f := newFixture(t)
	nc := f.conn(t)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "LOGS", Subjects: []string{"logs.>"}}); err != nil {
		t.Fatal(err)
	}
	const n = 3000
	for i := 0; i < n; i++ {
		if _, err := js.Publish(ctx, "logs.zeek.dns", event(i, true)); err != nil {
			t.Fatal(err)
		}
	}
	opts := Options{Mode: JetStream, Workers: 2, FetchBatch: 64, AckWait: time.Second}
	nc1 := f.conn(t)
	r1 := f.runner(t, nc1, opts)
	ctx1, cancel1 := context.WithCancel(ctx)
	done1 := make(chan error, 1)
	go func() { done1 <- r1.Run(ctx1) }()
	waitReady(t, r1)
	for r1.Stats().EventsIn.Load() < n/10 {
		time.Sleep(time.Millisecond)
	}
	nc1.Close() // the crash: no more acks, no more publications
	cancel1()
	<-done1
	if got := r1.Stats().AlertsOut.Load(); got >= n {
		t.Fatalf("the first runner finished the stream (%d alerts) before the crash; the test proves nothing", got)
	}
	r2 := f.runner(t, f.conn(t), opts)
	ctx2, cancel2 := context.WithCancel(ctx)
	done2 := make(chan error, 1)
	go func() { done2 <- r2.Run(ctx2) }()
	waitReady(t, r2)
	stream, err := js.Stream(ctx, "ALERTS")
	if err != nil {
		t.Fatal(err)
	}
	cons, err := js.Consumer(ctx, "LOGS", "matcher")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ci, err := cons.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ci.NumPending == 0 && ci.NumAckPending == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel2()
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
	info, _ := stream.Info(ctx)
	if info.State.Msgs != n {
		t.Fatalf("ALERTS holds %d alerts, want %d (one per event, redeliveries de-duplicated by id)", info.State.Msgs, n)
	}
	t.Logf("before the crash %d alerts were published; the second runner handled %d events", r1.Stats().AlertsOut.Load(), r2.Stats().EventsIn.Load())
}

// TestProcessorSurvivesPanics checks that a panic while handling an event
// (here from a catalog that panics) dead-letters the event instead of
// crashing the worker.
func TestProcessorSurvivesPanics(t *testing.T) {
	f := newFixture(t)
	p := NewProcessor(ProcessorConfig{
		Extractor: f.x, Loader: f.engine, Validity: ValidityOff,
		Builder: &alert.Builder{Catalog: alert.CatalogFunc(func(string) (indicator.Indicator, error) { panic("boom") })},
	})
	_, err := p.Process(event(1, true), alert.Origin{Subject: "logs.zeek.dns"})
	be, ok := IsBadEvent(err)
	if !ok || be.Reason != "internal_error" {
		t.Fatalf("got %v, want an internal_error bad event", err)
	}
	if _, err := p.Process(event(2, false), alert.Origin{Subject: "logs.zeek.dns"}); err != nil {
		t.Fatalf("the next event failed: %v", err)
	}
}
