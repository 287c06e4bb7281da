package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/indicator-matcher/matcher/engine/alert"
	"github.com/indicator-matcher/matcher/engine/ops"
	"github.com/indicator-matcher/matcher/enrich"
)

// Mode is the delivery mode.
type Mode uint8

// Delivery modes.
const (
	// Core subscribes with core NATS in a queue group: fast, at most once.
	Core Mode = iota
	// JetStream consumes a durable pull consumer: at least once. An event
	// is acknowledged only once its alerts (or its dead letter) are
	// stored by JetStream.
	JetStream
)

// ParseMode reads "core" or "jetstream".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "core", "":
		return Core, nil
	case "jetstream", "js":
		return JetStream, nil
	}
	return 0, fmt.Errorf("pipeline: mode must be core or jetstream, got %q", s)
}

func (m Mode) String() string {
	if m == JetStream {
		return "jetstream"
	}
	return "core"
}

// Options configure a Runner.
type Options struct {
	Subjects   []string // default ["logs.>"]
	QueueGroup string   // default "matcher"
	Mode       Mode

	Stream        string // JetStream stream of events; default LOGS
	Durable       string // default "matcher"
	AlertsStream  string // default ALERTS
	DeadStream    string // default DEADLETTER
	AckWait       time.Duration
	MaxAckPending int
	FetchBatch    int

	AlertPrefix string // default "matcher.alerts"
	DeadLetter  string // default "matcher.deadletter"

	// Workers is the number of goroutines matching events; in core
	// mode each is a member of the queue group. Default GOMAXPROCS.
	Workers int
	// QueueSize bounds the queue of alerts to the publishers and, in
	// JetStream mode, of events to the workers. Default 4096.
	QueueSize  int
	Publishers int // concurrent alert publications (each may wait for context); default 64
	// PendingMsgs and PendingBytes bound the events taken from the server
	// and not yet handled (core mode: the slow-consumer limit, shared by
	// the workers' subscriptions). Defaults 65536 and 64 MiB.
	PendingMsgs  int
	PendingBytes int

	EnrichBudget  time.Duration // default 2s
	IncludeRaw    bool
	FlushInterval time.Duration // suppression summaries; default 1s
}

func (o *Options) defaults() {
	if len(o.Subjects) == 0 {
		o.Subjects = []string{"logs.>"}
	}
	setDefault(&o.QueueGroup, "matcher")
	setDefault(&o.Stream, "LOGS")
	setDefault(&o.Durable, "matcher")
	setDefault(&o.AlertsStream, "ALERTS")
	setDefault(&o.DeadStream, "DEADLETTER")
	setDefault(&o.AlertPrefix, "matcher.alerts")
	setDefault(&o.DeadLetter, "matcher.deadletter")
	if o.AckWait <= 0 {
		o.AckWait = 30 * time.Second
	}
	if o.MaxAckPending <= 0 {
		o.MaxAckPending = 1024
	}
	if o.FetchBatch <= 0 {
		o.FetchBatch = 256
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 4096
	}
	if o.Publishers <= 0 {
		o.Publishers = 64
	}
	if o.PendingMsgs <= 0 {
		o.PendingMsgs = 65536
	}
	if o.PendingBytes <= 0 {
		o.PendingBytes = 64 << 20
	}
	if o.EnrichBudget == 0 {
		o.EnrichBudget = 2 * time.Second
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = time.Second
	}
}

func setDefault(s *string, v string) {
	if *s == "" {
		*s = v
	}
}

// Runner runs the streaming pipeline over one NATS connection.
type Runner struct {
	nc       *nats.Conn
	js       jetstream.JetStream
	opts     Options
	procCfg  ProcessorConfig
	enricher *enrich.Enricher
	log      *slog.Logger
	stats    *Stats

	subs atomic.Pointer[[]*nats.Subscription] // core mode: the workers' subscriptions

	pendingMu sync.Mutex
	pending   map[string]alert.Alert // alerts published as pending, awaiting a follow-up
	ready     atomic.Bool
	throttle  *ops.Throttle // per-event problems are logged at a bounded rate
}

// NewRunner prepares a Runner. procCfg.Stats, when set, receives the
// counters. enricher may be nil (enrichment disabled).
func NewRunner(nc *nats.Conn, procCfg ProcessorConfig, enricher *enrich.Enricher, opts Options, log *slog.Logger) (*Runner, error) {
	opts.defaults()
	if procCfg.Stats == nil {
		procCfg.Stats = NewStats()
	}
	if procCfg.Suppressor == nil {
		procCfg.Suppressor = alert.NewSuppressor(alert.SuppressOptions{})
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Runner{nc: nc, opts: opts, procCfg: procCfg, enricher: enricher, log: log, stats: procCfg.Stats, pending: map[string]alert.Alert{},
		throttle: ops.NewThrottle(log, 10, time.Minute)}
	if opts.Mode == JetStream {
		js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(4096))
		if err != nil {
			return nil, fmt.Errorf("pipeline: jetstream: %w", err)
		}
		r.js = js
	}
	return r, nil
}

// Stats returns the runner's counters.
func (r *Runner) Stats() *Stats { return r.stats }

// Backlog is what the workers' subscriptions hold, taken from the server
// and not yet handled (core mode; zero otherwise). Safe for concurrent
// use.
func (r *Runner) Backlog() (msgs, bytes int) {
	subs := r.subs.Load()
	if subs == nil {
		return 0, 0
	}
	for _, s := range *subs {
		if m, b, err := s.Pending(); err == nil {
			msgs, bytes = msgs+m, bytes+b
		}
	}
	return msgs, bytes
}

// Ready reports whether the runner is consuming.
func (r *Runner) Ready() bool { return r.ready.Load() }

// work is one event on its way to a worker.
type work struct {
	data    []byte
	subject string
	seq     uint64
	arrival time.Time
	js      jetstream.Msg // nil in core mode
}

// tracker acknowledges a JetStream event once everything it produced is
// stored. It is shared by the alerts of one event.
type tracker struct {
	remaining atomic.Int32
	failed    atomic.Bool
	msg       jetstream.Msg
}

func (t *tracker) done(err error) {
	if t == nil {
		return
	}
	if err != nil {
		t.failed.Store(true)
	}
	if t.remaining.Add(-1) == 0 {
		if t.failed.Load() {
			_ = t.msg.Nak() // redelivered: nothing is lost
		} else {
			_ = t.msg.Ack()
		}
	}
}

// outgoing is an alert on its way to publication.
type outgoing struct {
	a    alert.Alert
	t    *tracker
	wait bool // wait for the indicator's context
}

// Run consumes events until ctx is done, then drains: it stops taking
// events, finishes the queued ones, publishes their alerts and the
// pending suppression summaries, and returns.
//
// In core mode each worker is a subscription of the queue group and
// handles its events in the subscription's own goroutine: an event goes
// from the connection's reader to the goroutine that matches it and, when
// enrichment is off, publishes its alerts, with no other hand-off. In
// JetStream mode one puller feeds the workers through a queue.
func (r *Runner) Run(ctx context.Context) error {
	outs := make(chan outgoing, r.opts.QueueSize)
	workers := r.opts.Workers
	if workers <= 0 {
		workers = maxProcs()
	}
	var stopIntake func()
	var err error
	if r.opts.Mode == JetStream {
		stopIntake, err = r.startJetStream(ctx, workers, outs)
	} else {
		stopIntake, err = r.startCore(workers, outs)
	}
	if err != nil {
		return err
	}
	r.ready.Store(true)

	var pubWG, auxWG sync.WaitGroup
	for i := 0; i < r.opts.Publishers; i++ {
		pubWG.Add(1)
		go func() {
			defer pubWG.Done()
			for o := range outs {
				r.publishAlert(o)
			}
		}()
	}
	auxCtx, auxCancel := context.WithCancel(context.Background())
	auxWG.Add(1)
	go func() {
		defer auxWG.Done()
		r.background(auxCtx, outs)
	}()

	<-ctx.Done()
	r.ready.Store(false)
	stopIntake() // no new events; the taken ones are finished
	auxCancel()
	auxWG.Wait()
	for _, s := range r.procCfg.Suppressor.Flush(time.Now().Add(1000 * time.Hour)) {
		outs <- outgoing{a: s}
	}
	close(outs)
	pubWG.Wait()
	if err := r.nc.Flush(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		return fmt.Errorf("pipeline: flush: %w", err)
	}
	return nil
}

// startCore subscribes workers members of the queue group to every
// subject; each handles its events in its callback. The pending limits
// are shared among them. The returned function stops the intake and
// waits until every taken event is handled.
func (r *Runner) startCore(workers int, outs chan<- outgoing) (func(), error) {
	var subs []*nats.Subscription
	var inflight sync.WaitGroup
	var stopped atomic.Bool
	n := workers * len(r.opts.Subjects)
	pendMsgs, pendBytes := max(r.opts.PendingMsgs/n, 1), max(r.opts.PendingBytes/n, 1)
	unsubscribe := func() {
		for _, s := range subs {
			_ = s.Unsubscribe()
		}
	}
	for _, subj := range r.opts.Subjects {
		for range workers {
			p := NewProcessor(r.procCfg) // used by this subscription's goroutine only
			sub, err := r.nc.QueueSubscribe(subj, r.opts.QueueGroup, func(m *nats.Msg) {
				if stopped.Load() {
					return
				}
				inflight.Add(1)
				defer inflight.Done()
				// A slow callback leaves the messages in the
				// subscription's pending buffer, whose limits are the
				// slow-consumer bound.
				r.handle(p, work{data: m.Data, subject: m.Subject, arrival: time.Now()}, outs)
			})
			if err != nil {
				unsubscribe()
				return nil, fmt.Errorf("pipeline: subscribe %s: %w", subj, err)
			}
			subs = append(subs, sub)
			if err := sub.SetPendingLimits(pendMsgs, pendBytes); err != nil {
				unsubscribe()
				return nil, fmt.Errorf("pipeline: pending limits: %w", err)
			}
		}
	}
	if err := r.nc.Flush(); err != nil {
		unsubscribe()
		return nil, fmt.Errorf("pipeline: subscribe: %w", err)
	}
	r.subs.Store(&subs)
	return func() {
		for _, s := range subs {
			_ = s.Drain()
		}
		// Wait for the drains to deliver what the server had sent.
		deadline := time.Now().Add(5 * time.Second)
		for _, s := range subs {
			for s.IsValid() && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
		}
		stopped.Store(true)
		inflight.Wait()
	}, nil
}

// startJetStream makes sure the streams and the durable consumer exist and
// pulls events from it.
func (r *Runner) startJetStream(ctx context.Context, workers int, outs chan<- outgoing) (func(), error) {
	setup, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := r.js.CreateOrUpdateStream(setup, jetstream.StreamConfig{Name: r.opts.Stream, Subjects: r.opts.Subjects, Storage: jetstream.FileStorage}); err != nil {
		return nil, fmt.Errorf("pipeline: stream %s: %w", r.opts.Stream, err)
	}
	if _, err := r.js.CreateOrUpdateStream(setup, jetstream.StreamConfig{Name: r.opts.AlertsStream, Subjects: []string{r.opts.AlertPrefix + ".>"}, Storage: jetstream.FileStorage, Duplicates: 10 * time.Minute}); err != nil {
		return nil, fmt.Errorf("pipeline: stream %s: %w", r.opts.AlertsStream, err)
	}
	if _, err := r.js.CreateOrUpdateStream(setup, jetstream.StreamConfig{Name: r.opts.DeadStream, Subjects: []string{r.opts.DeadLetter + ".>"}, Storage: jetstream.FileStorage, Duplicates: 10 * time.Minute}); err != nil {
		return nil, fmt.Errorf("pipeline: stream %s: %w", r.opts.DeadStream, err)
	}
	cons, err := r.js.CreateOrUpdateConsumer(setup, r.opts.Stream, jetstream.ConsumerConfig{
		Durable:       r.opts.Durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       r.opts.AckWait,
		MaxAckPending: r.opts.MaxAckPending,
	})
	if err != nil {
		return nil, fmt.Errorf("pipeline: consumer %s: %w", r.opts.Durable, err)
	}
	iter, err := cons.Messages(jetstream.PullMaxMessages(r.opts.FetchBatch))
	if err != nil {
		return nil, fmt.Errorf("pipeline: consume: %w", err)
	}
	works := make(chan work, r.opts.QueueSize)
	var workersWG sync.WaitGroup
	for range workers {
		workersWG.Add(1)
		go func() {
			defer workersWG.Done()
			p := NewProcessor(r.procCfg)
			for w := range works {
				r.handle(p, w, outs)
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			m, err := iter.Next()
			if err != nil {
				if errors.Is(err, jetstream.ErrMsgIteratorClosed) {
					return
				}
				r.throttle.Log(context.Background(), slog.LevelWarn, "consume", "jetstream consume", "err", err)
				continue
			}
			var seq uint64
			if md, err := m.Metadata(); err == nil {
				seq = md.Sequence.Stream
			}
			works <- work{data: m.Data(), subject: m.Subject(), seq: seq, arrival: time.Now(), js: m}
		}
	}()
	return func() {
		iter.Drain()
		<-done
		close(works)
		workersWG.Wait()
	}, nil
}

// handle processes one event with p and sends its alerts on: published
// here when nothing can make the publication wait (core mode without
// enrichment), else through outs to the publishers, which wait for the
// indicator's context or JetStream's acknowledgement.
func (r *Runner) handle(p *Processor, w work, outs chan<- outgoing) {
	origin := alert.Origin{Subject: w.subject, Seq: w.seq, Arrival: w.arrival}
	alerts, err := p.Process(w.data, origin)
	if err != nil {
		r.deadLetter(w, err)
		return
	}
	var t *tracker
	if w.js != nil {
		if len(alerts) == 0 {
			_ = w.js.Ack()
			return
		}
		t = &tracker{msg: w.js}
		t.remaining.Store(int32(len(alerts)))
	}
	inline := w.js == nil && r.enricher == nil
	for _, a := range alerts {
		if !r.opts.IncludeRaw {
			a.Event.Original, a.Event.OriginalBase64 = "", ""
		}
		o := outgoing{a: a, t: t, wait: true}
		if inline {
			r.publishAlert(o)
		} else {
			outs <- o
		}
	}
	if inline && len(alerts) > 0 {
		// The connection's flusher goroutine writes the alerts out; it
		// was made runnable on this P and would wait behind this worker,
		// busy with the next events, until the scheduler preempts it
		// (up to 10 ms when every P is busy). Yield so that it runs now.
		runtime.Gosched()
	}
}

// deadLetter republishes a bad event on <dead>.<reason> with the reason in
// headers; in JetStream mode the event is acknowledged once the dead
// letter is stored.
func (r *Runner) deadLetter(w work, err error) {
	reason := "other"
	if be, ok := IsBadEvent(err); ok {
		reason = be.Reason
	}
	m := nats.NewMsg(r.opts.DeadLetter + "." + reason)
	m.Data = w.data
	m.Header.Set("Matcher-Reason", reason)
	m.Header.Set("Matcher-Error", err.Error())
	m.Header.Set("Matcher-Subject", w.subject)
	if w.seq != 0 {
		m.Header.Set("Matcher-Stream-Seq", strconv.FormatUint(w.seq, 10))
	}
	if w.js == nil {
		if perr := r.nc.PublishMsg(m); perr != nil {
			r.stats.PublishErrors.Add(1)
		}
		return
	}
	id := r.opts.DeadLetter + ":" + strconv.FormatUint(w.seq, 10)
	fut, perr := r.js.PublishMsgAsync(m, jetstream.WithMsgID(id))
	if perr != nil {
		r.stats.PublishErrors.Add(1)
		_ = w.js.Nak()
		return
	}
	go func() {
		if err := r.awaitPubAck(fut); err != nil {
			r.stats.PublishErrors.Add(1)
			_ = w.js.Nak()
			return
		}
		_ = w.js.Ack()
	}()
}

// publishAlert waits for the indicator's context within the budget, then
// publishes.
func (r *Runner) publishAlert(o outgoing) {
	a := o.a
	if o.wait && a.Alert.Kind == alert.KindMatch {
		res := r.enricher.Await(context.Background(), a.Threat.Indicator.ID, a.Alert.ID, r.opts.EnrichBudget)
		setContext(&a, res)
		if res.Status == enrich.StatusPending {
			r.rememberPending(a)
		}
	}
	err := r.publish(&a)
	if err == nil {
		switch a.Alert.Kind {
		case alert.KindSummary:
			r.stats.Summaries.Add(1)
		case alert.KindFollowUp:
			r.stats.FollowUps.Add(1)
		default:
			r.stats.AlertsOut.Add(1)
			if r.stats.Latency != nil {
				r.stats.Latency.Observe(time.Since(a.Event.Arrival).Seconds())
			}
		}
	} else {
		r.stats.PublishErrors.Add(1)
		r.throttle.Log(context.Background(), slog.LevelWarn, "publish", "alert publication failed", "alert", a.Alert.ID, "err", err)
	}
	o.t.done(err)
}

func setContext(a *alert.Alert, res enrich.Result) {
	a.Threat.Context = alert.Context{Status: string(res.Status)}
	switch res.Status {
	case enrich.StatusEnriched:
		d := res.Digest
		a.Threat.Context.Digest = &d
	case enrich.StatusFailed:
		if res.Err != nil {
			a.Threat.Context.Error = enrich.Reason(res.Err)
		}
	}
}

// subjectKind is the last token of an alert subject: the matched
// observable kind, or "pattern" when no single observable matched.
func subjectKind(a *alert.Alert) string {
	if a.Threat.Match.Kind != "" {
		return a.Threat.Match.Kind
	}
	return "pattern"
}

// publish sends one alert; in JetStream mode it waits for the store's
// acknowledgement.
func (r *Runner) publish(a *alert.Alert) error {
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("pipeline: encode alert: %w", err)
	}
	m := nats.NewMsg(r.opts.AlertPrefix + "." + subjectKind(a))
	m.Data = data
	m.Header.Set(nats.MsgIdHdr, a.Alert.ID)
	m.Header.Set("Matcher-Indicator", a.Threat.Indicator.ID)
	m.Header.Set("Matcher-Kind", a.Alert.Kind)
	if r.js == nil {
		return r.nc.PublishMsg(m)
	}
	fut, err := r.js.PublishMsgAsync(m, jetstream.WithMsgID(a.Alert.ID))
	if err != nil {
		return err
	}
	return r.awaitPubAck(fut)
}

// awaitPubAck waits for JetStream to store a message, for at most the ack
// wait: past it the event is redelivered anyway.
func (r *Runner) awaitPubAck(fut jetstream.PubAckFuture) error {
	timer := time.NewTimer(r.opts.AckWait)
	defer timer.Stop()
	select {
	case <-fut.Ok():
		return nil
	case err := <-fut.Err():
		return err
	case <-timer.C:
		return errors.New("pipeline: no acknowledgement from JetStream")
	}
}

func (r *Runner) rememberPending(a alert.Alert) {
	r.pendingMu.Lock()
	defer r.pendingMu.Unlock()
	if len(r.pending) >= 10_000 {
		for k := range r.pending { // bound memory: drop an arbitrary old entry
			delete(r.pending, k)
			break
		}
	}
	a.Event.Original, a.Event.OriginalBase64 = "", ""
	r.pending[a.Alert.ID] = a
}

// background publishes suppression summaries and enrichment follow-ups.
func (r *Runner) background(ctx context.Context, outs chan<- outgoing) {
	tick := time.NewTicker(r.opts.FlushInterval)
	defer tick.Stop()
	var follow <-chan enrich.FollowUp
	if r.enricher != nil {
		follow = r.enricher.FollowUps()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			for _, s := range r.procCfg.Suppressor.Flush(now) {
				outs <- outgoing{a: s}
			}
		case fu, ok := <-follow:
			if !ok {
				follow = nil
				continue
			}
			r.pendingMu.Lock()
			orig, found := r.pending[fu.AlertID]
			delete(r.pending, fu.AlertID)
			r.pendingMu.Unlock()
			if !found {
				continue
			}
			orig.Alert.RelatesTo = orig.Alert.ID
			orig.Alert.ID += "-f"
			orig.Alert.Kind = alert.KindFollowUp
			orig.Alert.Created = time.Now().UTC()
			setContext(&orig, fu.Result)
			outs <- outgoing{a: orig}
		}
	}
}
