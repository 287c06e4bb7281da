package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/indicator-matcher/matcher/ingest/intelserver"
)

// TestRunWithFeed runs the product the way it runs against the real
// Intelligence Center, against the stand-in: with an API key set, matcher
// run syncs the feed into the store, compiles it, matches events from NATS
// and enriches the alerts with the indicators' context; a revocation
// pulled by the next sync stops the matches.
func TestRunWithFeed(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline")
	}
	noSuppression(t)
	ds, err := intelserver.LoadDataset(demoIndicators, intelserver.DatasetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	api := intelserver.New(ds, intelserver.Options{Keys: []string{"test-key"}})
	web := httptest.NewServer(api)
	defer web.Close()
	t.Setenv("SEKOIA_API_KEY", "test-key")
	srv := startNATS(t)
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	alerts := collectAlerts(t, nc)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"run", "--nats-url", srv.URL(), "--base-url", web.URL + "/", "--store", filepath.Join(t.TempDir(), "feed.db"),
			"--validity", "off", "--http", "", "--poll", "200ms"}, &out, &errOut)
	}()
	waitOutput(t, &out, "matcher: consuming")
	count := func() int { return len(alerts()) }
	for i := 0; i < 20; i++ {
		_ = nc.Publish("logs.zeek.dns", dnsEvent(i))
	}
	_ = nc.Flush()
	deadline := time.Now().Add(30 * time.Second)
	for count() < 20 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if count() < 20 {
		t.Fatalf("got %d alerts, want 20\n%s", count(), errOut.String())
	}
	first := alerts()[0]
	if first.Threat.Indicator.Name != "Demo: DNS query for ise.wrccdc.org" {
		t.Fatalf("unexpected indicator %+v", first.Threat.Indicator)
	}
	if first.Threat.Context.Status != "enriched" || first.Threat.Context.Digest == nil || len(first.Threat.Context.Digest.Sources) == 0 {
		t.Fatalf("alert not enriched: %+v", first.Threat.Context)
	}

	// Revoke the indicator in the feed: the next poll removes it.
	if _, err := api.Revoke(first.Threat.Indicator.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // a few polls
	before := count()
	for i := 100; i < 120; i++ {
		_ = nc.Publish("logs.zeek.dns", dnsEvent(i))
	}
	_ = nc.Flush()
	time.Sleep(500 * time.Millisecond)
	if after := count(); after != before {
		t.Fatalf("%d alerts after the revocation", after-before)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
}
