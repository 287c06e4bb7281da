package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Step is one stage of a graceful stop, such as "drain" (stop reading
// events and finish those in flight), "flush" (publish pending alerts and
// summaries) or "close store".
type Step struct {
	Name string
	// Run must return soon after ctx is done, doing the quick, lossy
	// version of its work (e.g. closing without waiting) once it is.
	Run func(ctx context.Context) error
}

// RunShutdown runs steps in order under one budget of timeout, whatever
// the state of ctx (it is usually already cancelled by the signal that
// started the stop; only its values are kept). Every step runs even when
// an earlier one failed or the budget ran out, so the last steps (closing
// the store) always happen; a step that starts after the budget ran out
// gets a context that is already done. Each step is logged with its
// duration. The error joins the steps' errors, each prefixed by the
// step's name.
func RunShutdown(ctx context.Context, timeout time.Duration, logger *slog.Logger, steps ...Step) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	began := time.Now()
	var errs []error
	for _, st := range steps {
		t0 := time.Now()
		err := errors.New("no Run function")
		if st.Run != nil {
			err = st.Run(ctx)
		}
		attrs := []any{"step", st.Name, "took", time.Since(t0).Round(time.Microsecond)}
		if ctx.Err() != nil {
			attrs = append(attrs, "budget_exceeded", true)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", st.Name, err))
			logger.Error("shutdown step failed", append(attrs, "err", err)...)
		} else {
			logger.Info("shutdown step done", attrs...)
		}
	}
	err := errors.Join(errs...)
	logger.Info("shutdown complete", "took", time.Since(began).Round(time.Microsecond), "failed_steps", len(errs))
	return err
}
