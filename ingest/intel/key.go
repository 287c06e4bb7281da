package intel

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"unicode"
)

// DefaultKeyEnv is the environment variable the API key is read from.
const DefaultKeyEnv = "SEKOIA_API_KEY"

// maxKeyFile bounds the size of a key file.
const maxKeyFile = 64 << 10

const redacted = "[REDACTED]"

// ErrNoKey is returned when no API key was configured.
var ErrNoKey = errors.New("intel: no API key")

// Key is an API key. Its value cannot be read outside this package: every
// way of printing, logging or marshalling it gives "[REDACTED]". The value
// sits behind a pointer so that even fmt's reflection-based printing of a
// struct holding a Key shows an address, not the secret.
//
// The zero Key is "no key". Keys are immutable and safe to share.
type Key struct {
	p *keyValue
}

type keyValue struct {
	s string
}

// NewKey makes a Key from s with surrounding white space removed. It
// rejects an empty key and one holding control characters (which could not
// travel in an HTTP header). Errors never quote the key.
func NewKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Key{}, fmt.Errorf("%w: the key is empty", ErrNoKey)
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == ' ' {
			return Key{}, errors.New("intel: the API key contains white space or a control character")
		}
	}
	return Key{p: &keyValue{s: s}}, nil
}

// KeyFromFile reads a key from the named file (its only content, white
// space trimmed).
func KeyFromFile(path string) (Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return Key{}, fmt.Errorf("intel: API key file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return Key{}, fmt.Errorf("intel: API key file %s: %w", path, err)
	}
	if len(b) > maxKeyFile {
		return Key{}, fmt.Errorf("intel: API key file %s is larger than %d bytes", path, maxKeyFile)
	}
	k, err := NewKey(string(b))
	if err != nil {
		return Key{}, fmt.Errorf("intel: API key file %s: %w", path, err)
	}
	return k, nil
}

// LoadKey reads the key from file when file is not empty, else from the
// environment variable env (DefaultKeyEnv when env is empty).
func LoadKey(env, file string) (Key, error) {
	if file != "" {
		return KeyFromFile(file)
	}
	if env == "" {
		env = DefaultKeyEnv
	}
	v, ok := os.LookupEnv(env)
	if !ok || strings.TrimSpace(v) == "" {
		return Key{}, fmt.Errorf("%w: set %s or give a key file", ErrNoKey, env)
	}
	k, err := NewKey(v)
	if err != nil {
		return Key{}, fmt.Errorf("intel: %s: %w", env, err)
	}
	return k, nil
}

// IsZero reports whether k holds no key.
func (k Key) IsZero() bool { return k.p == nil }

// String returns "[REDACTED]", or "[none]" for the zero Key.
func (k Key) String() string {
	if k.p == nil {
		return "[none]"
	}
	return redacted
}

// GoString is String, so %#v does not reveal the key either.
func (k Key) GoString() string { return k.String() }

// Format prints String for every verb.
func (k Key) Format(f fmt.State, _ rune) { io.WriteString(f, k.String()) }

// MarshalText gives String, so JSON, YAML and text encoders redact the key.
func (k Key) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// LogValue redacts the key in log/slog output.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

// scrub replaces every occurrence of the key in s. It is applied to text
// that came from a server before it goes into an error.
func (k Key) scrub(s string) string {
	if k.p == nil || k.p.s == "" {
		return s
	}
	s = strings.ReplaceAll(s, k.p.s, redacted)
	return strings.ReplaceAll(s, k.basicCredentials(), redacted)
}

func (k Key) bearer() string { return "Bearer " + k.p.s }

func (k Key) basicCredentials() string {
	return base64.StdEncoding.EncodeToString([]byte("api:" + k.p.s))
}

func (k Key) basic() string { return "Basic " + k.basicCredentials() }
