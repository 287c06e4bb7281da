package ops

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/engine/metrics"
)

func get(t *testing.T, method, url string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(body)
}

func startServer(t *testing.T, listen string, reg *metrics.Registry, ready func() error, log *slog.Logger) (*Server, string) {
	t.Helper()
	s := New(listen, reg, ready, log)
	addr, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return s, "http://" + addr
}

func TestServerEndpoints(t *testing.T) {
	reg := metrics.NewRegistry()
	events := metrics.NewCounter("matcher_events_in_total", "Events read.")
	if err := reg.Register(events); err != nil {
		t.Fatal(err)
	}
	events.Add(3)
	var notReady atomic.Pointer[error]
	ready := func() error {
		if p := notReady.Load(); p != nil {
			return *p
		}
		return nil
	}
	_, base := startServer(t, "127.0.0.1:0", reg, ready, nil)

	code, h, body := get(t, "GET", base+"/metrics")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics: %d %q", code, h.Get("Content-Type"))
	}
	if body != "# HELP matcher_events_in_total Events read.\n# TYPE matcher_events_in_total counter\nmatcher_events_in_total 3\n" {
		t.Fatalf("/metrics body %q", body)
	}
	if code, _, body := get(t, "GET", base+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz: %d %q", code, body)
	}
	if code, _, body := get(t, "GET", base+"/readyz"); code != 200 || body != "ok\n" {
		t.Fatalf("/readyz: %d %q", code, body)
	}
	e := errors.New("snapshot not loaded")
	notReady.Store(&e)
	if code, _, body := get(t, "GET", base+"/readyz"); code != 503 || body != "not ready: snapshot not loaded\n" {
		t.Fatalf("/readyz not ready: %d %q", code, body)
	}
	if code, _, body := get(t, "GET", base+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz while not ready: %d %q", code, body)
	}
	notReady.Store(nil)
	if code, _, _ := get(t, "GET", base+"/readyz"); code != 200 {
		t.Fatalf("/readyz after recovery: %d", code)
	}
	if code, _, body := get(t, "HEAD", base+"/healthz"); code != 200 || body != "" {
		t.Fatalf("HEAD: %d %q", code, body)
	}
	if code, h, _ := get(t, "POST", base+"/metrics"); code != 405 || !strings.Contains(h.Get("Allow"), "GET") {
		t.Fatalf("POST: %d %q", code, h.Get("Allow"))
	}
	if code, _, _ := get(t, "GET", base+"/nope"); code != 404 {
		t.Fatalf("unknown path: %d", code)
	}
}

func TestServerAnyAddressAndDefaults(t *testing.T) {
	s, base := startServer(t, ":0", nil, nil, nil) // nil registry and ready: empty metrics, always ready
	if !strings.Contains(base, ":") {
		t.Fatal(base)
	}
	port := base[strings.LastIndexByte(base, ':'):]
	if code, _, body := get(t, "GET", "http://127.0.0.1"+port+"/metrics"); code != 200 || body != "" {
		t.Fatalf("%d %q", code, body)
	}
	if code, _, _ := get(t, "GET", "http://127.0.0.1"+port+"/readyz"); code != 200 {
		t.Fatal(code)
	}
	if _, err := s.Start(); err == nil {
		t.Fatal("second Start succeeded")
	}
}

func TestServerDisabled(t *testing.T) {
	s := New("", nil, nil, nil)
	addr, err := s.Start()
	if addr != "" || err != nil {
		t.Fatalf("%q %v", addr, err)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestServerListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = New(ln.Addr().String(), nil, nil, nil).Start()
	if err == nil || !strings.HasPrefix(err.Error(), "ops: listen "+ln.Addr().String()) {
		t.Fatalf("err = %v", err)
	}
}

func TestServerShutdown(t *testing.T) {
	s := New("127.0.0.1:0", nil, nil, nil)
	addr, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("server still answers after Shutdown")
	}
}

// A request still running when the Shutdown budget ends is cut off, and
// Shutdown returns instead of waiting for it.
func TestServerShutdownBudget(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	slowReady := func() error {
		close(entered)
		<-release
		return nil
	}
	s := New("127.0.0.1:0", nil, slowReady, nil)
	addr, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

// A scrape with skipped samples still serves the rest, and the problem is
// logged once per minute, not on every scrape.
func TestServerScrapeProblemLogged(t *testing.T) {
	reg := metrics.NewRegistry()
	if err := reg.Register(metrics.NewCollectorFunc("ext_", "", func() map[string]float64 {
		return map[string]float64{"ext_ok": 1, "ext_bad{": 2}
	})); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))
	_, base := startServer(t, "127.0.0.1:0", reg, nil, log)
	for range 3 {
		code, _, body := get(t, "GET", base+"/metrics")
		if code != 200 || !strings.Contains(body, "ext_ok 1\n") {
			t.Fatalf("%d %q", code, body)
		}
	}
	if n := strings.Count(logs.String(), "metrics scrape incomplete"); n != 1 {
		t.Fatalf("logged %d times:\n%s", n, logs.String())
	}
}

func TestServerProfiling(t *testing.T) {
	_, offURL := startServer(t, "127.0.0.1:0", nil, nil, nil)
	if code, _, _ := get(t, http.MethodGet, offURL+"/debug/pprof/"); code != http.StatusNotFound {
		t.Fatalf("profiles served without EnableProfiling: %d", code)
	}

	s := New("127.0.0.1:0", nil, nil, nil)
	s.EnableProfiling()
	addr, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	base := "http://" + addr
	code, _, body := get(t, http.MethodGet, base+"/debug/pprof/")
	if code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Fatalf("index: %d %.200q", code, body)
	}
	code, _, body = get(t, http.MethodGet, base+"/debug/pprof/goroutine?debug=1")
	if code != http.StatusOK || !strings.Contains(body, "goroutine profile:") {
		t.Fatalf("goroutine profile: %d %.200q", code, body)
	}
	code, hdr, body := get(t, http.MethodGet, base+"/debug/pprof/profile?seconds=1")
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/octet-stream" || len(body) == 0 {
		t.Fatalf("cpu profile: %d %s, %d bytes", code, hdr.Get("Content-Type"), len(body))
	}
	if code, _, _ := get(t, http.MethodGet, base+"/metrics"); code != http.StatusOK {
		t.Fatalf("metrics with profiling: %d", code)
	}
}
