package gen

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/indicator-matcher/matcher/engine/snapshot"
)

// StampField is the field every generated or replayed event carries for
// end-to-end latency: a 19-digit placeholder the publisher overwrites with
// the publication time (Unix nanoseconds) just before sending. JSON events
// carry it as the last member ("bench_sent_ns":"…"), text lines as a last
// token (bench_sent_ns=…). The placeholder is digits only, so it adds no
// observable to the event.
const StampField = "bench_sent_ns"

const stampZeros = "0000000000000000000"

// appendStamped encodes o with the stamp placeholder as its last member.
func appendStamped(o obj) []byte {
	return appendJSON(nil, append(o, kv{StampField, stampZeros}))
}

// StampOffset returns the offset of the stamp digits in an event, or -1.
func StampOffset(ev []byte) int {
	i := bytes.LastIndex(ev, []byte(StampField))
	if i < 0 {
		return -1
	}
	j := i + len(StampField)
	switch {
	case bytes.HasPrefix(ev[j:], []byte(`":"`)):
		j += 3
	case bytes.HasPrefix(ev[j:], []byte("=")):
		j++
	default:
		return -1
	}
	if j+len(stampZeros) > len(ev) {
		return -1
	}
	return j
}

// PutStamp writes ns as 19 digits at off (from StampOffset).
func PutStamp(ev []byte, off int, ns int64) {
	for i := off + len(stampZeros) - 1; i >= off; i-- {
		ev[i] = byte('0' + ns%10)
		ns /= 10
	}
}

// ReadStamp finds the stamp in b (an event, or an alert that quotes the
// event, where the quotes are escaped) and returns it; false when there is
// none or it is still the placeholder.
func ReadStamp(b []byte) (int64, bool) {
	i := bytes.Index(b, []byte(StampField))
	if i < 0 {
		return 0, false
	}
	b = b[i+len(StampField):]
	skip := 0
	for skip < len(b) && skip < 6 && (b[skip] < '0' || b[skip] > '9') {
		skip++
	}
	b = b[skip:]
	if len(b) < len(stampZeros) {
		return 0, false
	}
	var ns int64
	for _, c := range b[:len(stampZeros)] {
		if c < '0' || c > '9' {
			return 0, false
		}
		ns = ns*10 + int64(c-'0')
	}
	return ns, ns != 0
}

// EventOptions shape a generated event stream.
type EventOptions struct {
	// N is the number of events.
	N int
	// Seed varies the events.
	Seed uint64
	// HitRate is the share of events that carry the value of one
	// indicator of the set (0 to 1). Hits are spread evenly.
	HitRate float64
	// Schemas are the formats events are drawn from, uniformly; empty
	// means all.
	Schemas []Schema
	// Start is the time of the first event (2026-01-01 when zero); events
	// are 10 ms apart.
	Start time.Time
}

// Event is one generated or replayed log event.
type Event struct {
	// Subject is the NATS subject it is published on (logs.<source>.<type>).
	Subject string
	// Raw is the event, with the stamp placeholder (see StampField).
	Raw []byte
	// Schema is the format.
	Schema Schema
	// Planted is the indicator value the event carries; Kind 0 for a
	// background event.
	Planted Plant
}

// maxPool bounds the plants kept per schema.
const maxPool = 4096

// Events generates opts.N events over the schemas, a share opts.HitRate
// of which carry a value of an indicator of inds (see PlantFor): a real
// hit, found by the matcher. Background events carry values that match no
// malicious indicator (see background). It fails when hits are asked for
// and no indicator of inds can be planted.
func Events(inds []snapshot.Indicator, opts EventOptions) ([]Event, error) {
	if opts.HitRate < 0 || opts.HitRate > 1 || math.IsNaN(opts.HitRate) {
		return nil, fmt.Errorf("gen: hit rate %v is not between 0 and 1", opts.HitRate)
	}
	schemas := opts.Schemas
	if len(schemas) == 0 {
		schemas = AllSchemas()
	}
	start := opts.Start
	if start.IsZero() {
		start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var pools [numSchemas][]Plant
	if opts.HitRate > 0 {
		pools = plantPools(inds, schemas, opts.Seed)
		empty := true
		for _, s := range schemas {
			empty = empty && len(pools[s]) == 0
		}
		if empty {
			return nil, errors.New("gen: no indicator of the set can be planted in the chosen schemas")
		}
	}
	r := rand.New(rand.NewPCG(opts.Seed, 0x5ca1ab1e))
	bg := newBackground(opts.Seed + 1)
	phase := r.Float64()
	out := make([]Event, 0, opts.N)
	for i := 0; i < opts.N; i++ {
		s := schemas[r.IntN(len(schemas))]
		hit := math.Floor(float64(i+1)*opts.HitRate+phase) > math.Floor(float64(i)*opts.HitRate+phase)
		var pl *Plant
		if hit {
			for _, alt := range schemas {
				if len(pools[s]) > 0 {
					break
				}
				s = alt
			}
			p := pools[s][r.IntN(len(pools[s]))]
			pl = &p
		}
		subj, raw := s.event(bg, start.Add(time.Duration(i)*10*time.Millisecond), pl)
		ev := Event{Subject: subj, Raw: raw, Schema: s}
		if pl != nil {
			ev.Planted = *pl
		}
		out = append(out, ev)
	}
	return out, nil
}

// plantPools collects up to maxPool plants per schema, visiting the
// indicators in a seeded pseudo-random order so that each pool follows the
// set's mix of kinds.
func plantPools(inds []snapshot.Indicator, schemas []Schema, seed uint64) [numSchemas][]Plant {
	var pools [numSchemas][]Plant
	n := len(inds)
	if n == 0 {
		return pools
	}
	stride := 1_000_003 % n
	for stride == 0 || gcd(stride, n) != 1 {
		stride++
	}
	pos := int(seed % uint64(n))
	for visited := 0; visited < n; visited++ {
		pos = (pos + stride) % n
		full := true
		for _, s := range schemas {
			full = full && len(pools[s]) >= maxPool
		}
		if full {
			break
		}
		pl, ok := PlantFor(inds[pos], seed+uint64(pos))
		if !ok {
			continue
		}
		for _, s := range schemas {
			if s.Supports(pl.Kind) && len(pools[s]) < maxPool {
				pools[s] = append(pools[s], pl)
			}
		}
	}
	return pools
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// LoadLines reads the non-empty lines of a JSON Lines or text file,
// gzipped when its name ends in .gz.
func LoadLines(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("gen: %s: %w", path, err)
		}
		r = zr
	}
	var out [][]byte
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 8<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			out = append(out, bytes.Clone(line))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("gen: %s: %w", path, err)
	}
	return out, nil
}

// Replay returns n events that repeat lines in order (the real Zeek logs,
// replayed as often as needed), each with the stamp placeholder added as
// the last member (or last token of a non-JSON line), on subject
// logs.zeek.<log type>.
func Replay(lines [][]byte, n int) []Event {
	out := make([]Event, 0, n)
	for i := 0; i < n && len(lines) > 0; i++ {
		line := lines[i%len(lines)]
		ev := Event{Subject: "logs.zeek." + ZeekLogType(line), Schema: ZeekDotted}
		if bytes.Contains(line, []byte(`"@stream"`)) {
			ev.Schema = ZeekUnderscored
		}
		if j := bytes.LastIndexByte(line, '}'); j > 0 && line[0] == '{' {
			raw := make([]byte, 0, len(line)+40)
			raw = append(raw, line[:j]...)
			if len(bytes.TrimSpace(line[1:j])) > 0 {
				raw = append(raw, ',')
			}
			raw = append(raw, `"`+StampField+`":"`+stampZeros+`"`...)
			ev.Raw = append(raw, line[j:]...)
		} else {
			ev.Raw = append(bytes.Clone(line), " "+StampField+"="+stampZeros...)
		}
		out = append(out, ev)
	}
	return out
}

// ZeekLogType reads the log type (_path or @stream) of a Zeek JSON line
// cheaply, for the subject it is published on; "unknown" when it has none.
func ZeekLogType(line []byte) string {
	for _, key := range []string{`"_path":"`, `"@stream":"`} {
		if i := bytes.Index(line, []byte(key)); i >= 0 {
			rest := line[i+len(key):]
			if j := bytes.IndexByte(rest, '"'); j > 0 && j < 40 {
				return string(rest[:j])
			}
		}
	}
	return "unknown"
}
