package ops

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestRunShutdown(t *testing.T) {
	var order []string
	step := func(name string, err error) Step {
		return Step{name, func(ctx context.Context) error {
			order = append(order, name)
			return err
		}}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the signal already cancelled the run context
	var logs bytes.Buffer
	err := RunShutdown(ctx, time.Second, slog.New(slog.NewTextHandler(&logs, nil)),
		step("drain", nil), step("flush", errors.New("nats closed")), step("close store", nil))
	if strings.Join(order, ",") != "drain,flush,close store" {
		t.Fatalf("order %v", order)
	}
	if err == nil || err.Error() != "flush: nats closed" {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{`step=drain`, `msg="shutdown step failed" step=flush`, `step="close store"`, `failed_steps=1`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestRunShutdownBudget(t *testing.T) {
	var lastErr error
	closed := false
	err := RunShutdown(context.Background(), 20*time.Millisecond, nil,
		Step{"drain", func(ctx context.Context) error {
			select {
			case <-ctx.Done(): // honours the budget
				return ctx.Err()
			case <-time.After(10 * time.Second):
				return nil
			}
		}},
		Step{"close store", func(ctx context.Context) error {
			lastErr = ctx.Err()
			closed = true
			return nil
		}},
	)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "drain: ") {
		t.Fatalf("err = %v", err)
	}
	if !closed || !errors.Is(lastErr, context.DeadlineExceeded) {
		t.Fatalf("last step: ran %v, ctx %v", closed, lastErr)
	}
}
