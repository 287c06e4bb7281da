package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"os"
	"strconv"
	"strings"

	"github.com/indicator-matcher/matcher/ingest/stixfile"
	"github.com/indicator-matcher/matcher/ingest/store"
)

// FileSource reads a STIX bundle, JSON array or JSON Lines file (gzipped or
// not) in pages, for air-gapped use and tests. Its cursor is
// "<size>.<mtime>:<objects read>": a restart resumes after the last stored
// page, and a changed file is read again from the start (re-applying the
// same objects changes nothing, since the newest modified wins).
//
// Close releases the open file.
type FileSource struct {
	path  string
	limit int

	fp   string // fingerprint of the open iterator's file
	pos  int    // objects the iterator has produced
	next func() (json.RawMessage, bool)
	stop func()
	err  error // error of the iterator's read
}

// NewFileSource makes a file source reading limit objects per page (2000
// when 0).
func NewFileSource(path string, limit int) (*FileSource, error) {
	if limit == 0 {
		limit = 2000
	}
	if limit < 1 {
		return nil, fmt.Errorf("ingest: bad limit %d", limit)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("ingest: file source: %w", err)
	}
	return &FileSource{path: path, limit: limit}, nil
}

// Key implements Source.
func (s *FileSource) Key() (string, string) { return "file", s.path }

func fingerprint(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("ingest: file source: %w", err)
	}
	return strconv.FormatInt(fi.Size(), 10) + "." + strconv.FormatInt(fi.ModTime().UnixNano(), 10), nil
}

func parseFileCursor(v string) (fp string, n int, ok bool) {
	fp, ns, found := strings.Cut(v, ":")
	if !found {
		return "", 0, false
	}
	n, err := strconv.Atoi(ns)
	return fp, n, err == nil && n >= 0
}

// Fetch implements Source.
func (s *FileSource) Fetch(ctx context.Context, cur store.Cursor) (Page, error) {
	fp, err := fingerprint(s.path)
	if err != nil {
		return Page{}, err
	}
	start := 0
	if cfp, n, ok := parseFileCursor(cur.Value); ok && cfp == fp {
		start = n
	}
	if s.next == nil || s.fp != fp || s.pos != start {
		s.Close()
		if err := s.open(fp, start); err != nil {
			return Page{}, err
		}
	}
	var objs []json.RawMessage
	for len(objs) < s.limit {
		if err := ctx.Err(); err != nil {
			return Page{}, err
		}
		o, ok := s.next()
		if !ok {
			break
		}
		objs = append(objs, o)
		s.pos++
	}
	if s.err != nil {
		err := s.err
		s.Close()
		return Page{}, fmt.Errorf("ingest: file source: %w", err)
	}
	return Page{
		Objects:  objs,
		Cursor:   fp + ":" + strconv.Itoa(s.pos),
		CaughtUp: len(objs) < s.limit,
	}, nil
}

var errStop = errors.New("stop")

// open starts reading at object number start.
func (s *FileSource) open(fp string, start int) error {
	seq := func(yield func(json.RawMessage) bool) {
		err := stixfile.ReadFile(s.path, func(obj []byte) error {
			if !yield(append(json.RawMessage(nil), obj...)) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			s.err = err
		}
	}
	s.next, s.stop = iter.Pull(iter.Seq[json.RawMessage](seq))
	s.fp, s.pos, s.err = fp, 0, nil
	for s.pos < start {
		if _, ok := s.next(); !ok {
			break
		}
		s.pos++
	}
	if s.err != nil {
		err := s.err
		s.Close()
		return fmt.Errorf("ingest: file source: %w", err)
	}
	return nil
}

// Close stops the reader, if one is open.
func (s *FileSource) Close() error {
	if s.stop != nil {
		s.stop()
	}
	s.next, s.stop = nil, nil
	return nil
}
