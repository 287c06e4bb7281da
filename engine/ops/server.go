package ops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"github.com/indicator-matcher/matcher/engine/metrics"
)

// Timeouts of the operations endpoint. Scrapes and probes are small; the
// limits keep a slow or stuck client from holding connections.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 16 << 10
)

// Server is the operations HTTP endpoint. Start it once and Shutdown it
// once; its methods are safe for concurrent use.
type Server struct {
	listen string
	reg    *metrics.Registry
	ready  func() error
	log    *slog.Logger
	scrape *Throttle // logs scrape problems at most once a minute
	pprof  bool      // serve /debug/pprof/ (EnableProfiling)

	mu   sync.Mutex
	srv  *http.Server
	done chan struct{} // closed when Serve returns
}

// New returns a server for listen (host:port; ":0" picks a free port; ""
// disables the server: Start then does nothing). reg may be nil (an empty
// /metrics); ready may be nil (always ready) and must return quickly, as
// it runs on every probe; logger may be nil (no logs).
func New(listen string, reg *metrics.Registry, ready func() error, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	return &Server{
		listen: listen, reg: reg, ready: ready, log: logger,
		scrape: NewThrottle(logger, 1, time.Minute),
	}
}

// EnableProfiling adds the Go runtime's profiles (net/http/pprof) under
// /debug/pprof/ and lengthens the write timeout so that a CPU profile
// or an execution trace of up to two minutes can be taken. Call it before
// Start; it is not safe for concurrent use with Start or Handler.
func (s *Server) EnableProfiling() { s.pprof = true }

// profileWriteTimeout bounds the longest profile a client can ask for.
const profileWriteTimeout = 2*time.Minute + 10*time.Second

// Handler returns the endpoint's routes: GET (and HEAD) /metrics,
// /healthz and /readyz, and /debug/pprof/ when profiling is enabled;
// other methods get 405, other paths 404.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", s.metrics)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { text(w, http.StatusOK, "ok") })
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.pprof {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index) // also the named profiles: heap, goroutine, mutex, block, allocs…
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	return mux
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := s.reg.WriteText(&buf); err != nil {
		// Only samples that could not be written are missing; serve the
		// rest and say what was skipped in the log.
		s.scrape.Log(r.Context(), slog.LevelWarn, "scrape", "ops: metrics scrape incomplete", "err", err)
	}
	w.Header().Set("Content-Type", metrics.ContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if s.ready != nil {
		if err := s.ready(); err != nil {
			text(w, http.StatusServiceUnavailable, "not ready: "+err.Error())
			return
		}
	}
	text(w, http.StatusOK, "ok")
}

func (s *Server) writeTimeout() time.Duration {
	if s.pprof {
		return profileWriteTimeout
	}
	return writeTimeout
}

func text(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(body + "\n"))
}

// Start listens on the address and serves in the background. It returns
// the bound address (useful with ":0"), or "" and no error when the
// server is disabled. A second Start is an error.
func (s *Server) Start() (string, error) {
	if s.listen == "" {
		return "", nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return "", errors.New("ops: server already started")
	}
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		return "", fmt.Errorf("ops: listen %s: %w", s.listen, err)
	}
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      s.writeTimeout(),
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.done = make(chan struct{})
	srv, done := s.srv, s.done
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("ops: endpoint stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	addr := ln.Addr().String()
	s.log.Info("ops: endpoint listening", "addr", addr)
	return addr, nil
}

// Shutdown stops accepting connections and waits for the requests in
// flight until ctx ends, then closes what remains. It is a no-op on a
// server that was never started, and safe to call more than once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(fmt.Errorf("ops: shutdown: %w", err), srv.Close())
	}
	<-done
	return err
}
