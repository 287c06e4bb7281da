package intel_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/indicator-matcher/matcher/ingest/intel"
	"github.com/indicator-matcher/matcher/ingest/intelserver"
)

func TestKeyLoading(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "key")
	os.WriteFile(f, []byte("  file-key\n"), 0o600)
	t.Setenv("TEST_INTEL_KEY", " env-key ")
	k, err := intel.LoadKey("TEST_INTEL_KEY", "")
	if err != nil || k.IsZero() {
		t.Fatal(err)
	}
	if _, err := intel.LoadKey("TEST_INTEL_KEY_UNSET", ""); err == nil {
		t.Fatal("unset env accepted")
	}
	if _, err := intel.LoadKey("TEST_INTEL_KEY", f); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(f, []byte("two words"), 0o600)
	if _, err := intel.KeyFromFile(f); err == nil || strings.Contains(err.Error(), "two") {
		t.Fatalf("bad key file: %v", err)
	}
	if _, err := intel.KeyFromFile(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("missing file accepted")
	}
	if _, err := intel.NewKey(" \n"); err == nil {
		t.Fatal("empty key accepted")
	}
}

// TestKeyNeverLeaks makes every kind of error, log line and print of a
// client and checks that neither the key nor its Basic encoding appears.
func TestKeyNeverLeaks(t *testing.T) {
	const secret = "SECRET-KEY-f00dcafe"
	basic := base64.StdEncoding.EncodeToString([]byte("api:" + secret))
	var logs bytes.Buffer
	var texts []string

	// A server that echoes the Authorization header in its error bodies.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msg, _ := json.Marshal(map[string]string{"message": "bad header " + r.Header.Get("Authorization"), "code": r.Header.Get("Authorization")})
		switch {
		case strings.Contains(r.URL.Path, "forbidden"):
			w.WriteHeader(403)
		case strings.Contains(r.URL.Path, "teapot"):
			w.WriteHeader(418)
		default:
			w.WriteHeader(500)
		}
		w.Write(msg)
	}))
	defer echo.Close()
	s := intelserver.New(dataset(t), intelserver.Options{Keys: []string{"another-key"}})
	hs := httptest.NewServer(s)
	defer hs.Close()

	for _, base := range []string{echo.URL, hs.URL, "http://127.0.0.1:1/"} {
		cfg := fastConfig(t, base)
		cfg.Key = mustKey(t, secret)
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		cfg.RequestTimeout = 300 * time.Millisecond
		c := newClient(t, cfg)
		ctx := context.Background()
		_, err := c.FeedPage(ctx, "", intel.FeedQuery{})
		texts = append(texts, fmt.Sprint(err))
		_, err = c.Object(ctx, "forbidden")
		texts = append(texts, fmt.Sprint(err))
		_, err = c.Object(ctx, "teapot")
		texts = append(texts, fmt.Sprint(err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
		_, err = c.TAXIIObjects(ctx, "", intel.DefaultFeedID, intel.TAXIIQuery{})
		texts = append(texts, fmt.Sprint(err))
		texts = append(texts, fmt.Sprintf("%v %+v %#v", c, c, c))
		texts = append(texts, fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg))
		b, _ := json.Marshal(cfg.Key)
		texts = append(texts, string(b))
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "key", cfg.Key, "cfg", cfg)
	}
	texts = append(texts, logs.String())
	all := strings.Join(texts, "\n")
	if strings.Contains(all, secret) || strings.Contains(all, basic) {
		t.Fatalf("the key leaked:\n%s", all)
	}
	if !strings.Contains(all, "[REDACTED]") {
		t.Fatalf("expected redaction markers in:\n%s", all)
	}
}
