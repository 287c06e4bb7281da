package ops

import (
	"io"
	"sync"
)

// syncWriter serialises writes to w, which tests read after the fact.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
