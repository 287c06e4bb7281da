package pipeline

import (
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbeddedOptions configure an embedded NATS server.
type EmbeddedOptions struct {
	Host string // default 127.0.0.1
	Port int    // 0: 4222; -1: a random free port
	// JetStream enables JetStream, storing under StoreDir (a new
	// temporary directory when empty, removed by Shutdown).
	JetStream bool
	StoreDir  string
}

// Embedded is a NATS server running in this process.
type Embedded struct {
	srv     *server.Server
	tempDir string
}

// StartEmbedded starts a NATS server in this process and waits until it
// accepts connections.
func StartEmbedded(o EmbeddedOptions) (*Embedded, error) {
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.Port == 0 {
		o.Port = 4222
	}
	e := &Embedded{}
	sopts := &server.Options{Host: o.Host, Port: o.Port, NoSigs: true, MaxPayload: 8 << 20}
	if o.JetStream {
		dir := o.StoreDir
		if dir == "" {
			d, err := os.MkdirTemp("", "matcher-nats-")
			if err != nil {
				return nil, fmt.Errorf("pipeline: embedded NATS store: %w", err)
			}
			dir, e.tempDir = d, d
		}
		sopts.JetStream = true
		sopts.StoreDir = dir
	}
	srv, err := server.NewServer(sopts)
	if err != nil {
		e.cleanup()
		return nil, fmt.Errorf("pipeline: embedded NATS: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(15 * time.Second) {
		srv.Shutdown()
		e.cleanup()
		return nil, fmt.Errorf("pipeline: embedded NATS did not start on %s:%d", o.Host, o.Port)
	}
	e.srv = srv
	return e, nil
}

// URL is the client URL of the server.
func (e *Embedded) URL() string { return e.srv.ClientURL() }

// Server returns the running server.
func (e *Embedded) Server() *server.Server { return e.srv }

// Shutdown stops the server and removes its temporary store.
func (e *Embedded) Shutdown() {
	e.srv.Shutdown()
	e.srv.WaitForShutdown()
	e.cleanup()
}

func (e *Embedded) cleanup() {
	if e.tempDir != "" {
		_ = os.RemoveAll(e.tempDir)
	}
}
