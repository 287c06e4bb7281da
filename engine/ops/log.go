package ops

import (
	"fmt"
	"io"
	"log/slog"
)

// ParseLevel reads a log level: debug, info, warn or error.
func ParseLevel(s string) (slog.Level, error) {
	switch s {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("ops: log level must be debug, info, warn or error, got %q", s)
}

// NewLogger returns a structured logger writing to w: format "text"
// (key=value pairs) or "json" (one object per line), at level and above
// (see ParseLevel). The values of log.level and log.format in the
// configuration fit as they are.
func NewLogger(level, format string, w io.Writer) (*slog.Logger, error) {
	lv, err := ParseLevel(level)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("ops: log format must be text or json, got %q", format)
}
