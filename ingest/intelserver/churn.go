package intelserver

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// ChurnStep makes one round of feed activity, as the live API shows: one
// indicator modified (its confidence changes), one revoked, and one new
// domain indicator added, each at a new feed position. rng picks the
// indicators. It returns the ids touched.
func (s *Server) ChurnStep(rng *rand.Rand) (modified, revoked, added string, err error) {
	var live []string
	s.st.mu.RLock()
	for _, e := range s.st.list {
		if !e.dead && e.typ == "indicator" && !e.revoked {
			live = append(live, e.id)
		}
	}
	s.st.mu.RUnlock()
	if len(live) < 2 {
		return "", "", "", fmt.Errorf("intelserver: churn: fewer than 2 live indicators")
	}
	modified = live[rng.IntN(len(live))]
	if _, err = s.Modify(modified, func(o map[string]any) { o["confidence"] = json.Number(fmt.Sprint(30 + rng.IntN(70))) }); err != nil {
		return
	}
	for revoked = modified; revoked == modified; {
		revoked = live[rng.IntN(len(live))]
	}
	if _, err = s.Revoke(revoked); err != nil {
		return
	}
	name := fmt.Sprintf("c%08x.churn.example", rng.Uint32())
	added, err = s.AddIndicator("[domain-name:value = '"+name+"']", name, 30*24*time.Hour, "")
	return
}

// Churn calls ChurnStep every interval until ctx ends.
func (s *Server) Churn(ctx context.Context, every time.Duration, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, _, _, err := s.ChurnStep(rng); err != nil {
				return err
			}
		}
	}
}
