// Package stixfile reads STIX objects from files and streams: a STIX bundle,
// a JSON array of objects, or JSON Lines with one object per line, each
// optionally gzip-compressed. It is the file source of the feed ingest and
// the loader tests and benchmarks use for bundled data.
//
// The functions here hold no state and are safe for concurrent use.
package stixfile

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxObjectSize bounds one JSON object (one line of JSON Lines).
const MaxObjectSize = 16 << 20

// ErrFormat is wrapped by errors about input that is none of the accepted
// shapes.
var ErrFormat = errors.New("stixfile: unrecognised input")

// ReadFile calls fn for every STIX object in the named file. The bytes given
// to fn are valid only during the call; fn must copy what it keeps.
func ReadFile(path string, fn func(obj []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("stixfile: %w", err)
	}
	defer f.Close()
	if err := Read(f, fn); err != nil {
		return fmt.Errorf("stixfile: %s: %w", path, err)
	}
	return nil
}

// Read calls fn for every STIX object in r, which may be gzip-compressed.
// It detects the shape from the first non-space byte: '[' is a JSON array,
// '{' followed by more objects on later lines is JSON Lines, and a single
// object of type "bundle" is unpacked. Errors from fn stop the read and are
// returned unchanged.
func Read(r io.Reader, fn func(obj []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("stixfile: gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64<<10)
	}
	first, err := firstByte(br)
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return fmt.Errorf("stixfile: %w", err)
	}
	switch first {
	case '[':
		return readArray(br, fn)
	case '{':
		return readLines(br, fn)
	}
	return fmt.Errorf("%w: starts with %q", ErrFormat, first)
}

func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if b == ' ' || b == '\t' || b == '\r' || b == '\n' {
			continue
		}
		return b, br.UnreadByte()
	}
}

func readArray(r io.Reader, fn func([]byte) error) error {
	dec := json.NewDecoder(r)
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("stixfile: %w", err)
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("stixfile: %w", err)
		}
		if err := fn(raw); err != nil {
			return err
		}
	}
	return nil
}

// readLines handles JSON Lines, and a single document spread over many lines
// (a pretty-printed bundle, say). The first non-empty line decides: when it
// is a complete JSON value the input is JSON Lines and every later line must
// be one too; otherwise the whole input is one document.
func readLines(br *bufio.Reader, fn func([]byte) error) error {
	var doc bytes.Buffer // the document, in document mode
	mode := 0            // 0 undecided, 1 JSON Lines, 2 document
	line := 0
	for {
		chunk, err := readLine(br)
		if len(chunk) > 0 {
			line++
			trimmed := bytes.TrimSpace(chunk)
			if mode == 0 && len(trimmed) > 0 {
				mode = 2
				if json.Valid(trimmed) {
					mode = 1
				}
			}
			switch {
			case mode == 2:
				doc.Write(chunk)
				if doc.Len() > 64*MaxObjectSize {
					return fmt.Errorf("%w: document larger than %d bytes", ErrFormat, 64*MaxObjectSize)
				}
			case len(trimmed) == 0:
			case !json.Valid(trimmed):
				return fmt.Errorf("%w: line %d: invalid JSON", ErrFormat, line)
			default:
				if handled, berr := maybeBundle(trimmed, fn); handled {
					if berr != nil {
						return berr
					}
				} else if ferr := fn(trimmed); ferr != nil {
					return ferr
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("stixfile: line %d: %w", line+1, err)
		}
	}
	if mode != 2 {
		return nil
	}
	body := bytes.TrimSpace(doc.Bytes())
	if !json.Valid(body) {
		return fmt.Errorf("%w: invalid JSON document", ErrFormat)
	}
	if handled, err := maybeBundle(body, fn); handled {
		return err
	}
	return fn(body)
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		part, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			buf = append(buf, part...)
			if len(buf) > 64*MaxObjectSize {
				return nil, fmt.Errorf("%w: line longer than %d bytes", ErrFormat, 64*MaxObjectSize)
			}
			continue
		}
		if buf != nil {
			return append(buf, part...), err
		}
		return part, err
	}
}

func maybeBundle(doc []byte, fn func([]byte) error) (bool, error) {
	var head struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	if !bytes.Contains(doc, []byte(`"bundle"`)) {
		return false, nil
	}
	if err := json.Unmarshal(doc, &head); err != nil || head.Type != "bundle" {
		return false, nil
	}
	for _, o := range head.Objects {
		if err := fn(o); err != nil {
			return true, err
		}
	}
	return true, nil
}
