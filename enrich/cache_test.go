package enrich

import (
	"fmt"
	"testing"
	"time"
)

func TestTTLCache(t *testing.T) {
	clk := newClock()
	c := newTTLCache[int](3, clk.Now)
	c.add("a", 1, time.Minute)
	c.add("b", 2, time.Hour)
	if v, ok := c.get("a"); !ok || v != 1 {
		t.Fatal("a")
	}
	clk.Advance(time.Minute)
	if _, ok := c.get("a"); ok {
		t.Fatal("a outlived its TTL")
	}
	if c.len() != 1 {
		t.Fatalf("expired entry kept: %d", c.len())
	}
	// LRU bound: the least recently used goes.
	c.add("c", 3, time.Hour)
	c.add("d", 4, time.Hour)
	c.get("b")
	c.add("e", 5, time.Hour)
	if _, ok := c.get("c"); ok || c.len() != 3 {
		t.Fatalf("c kept, %d entries", c.len())
	}
	// Expired entries at the cold end go on the next add.
	clk.Advance(2 * time.Hour)
	c.add("f", 6, time.Hour)
	if c.len() > 2 {
		t.Fatalf("%d entries after the others expired", c.len())
	}
	c.remove("f")
	if _, ok := c.get("f"); ok {
		t.Fatal("removed entry returned")
	}
}

func TestDistinctSet(t *testing.T) {
	s := newDistinctSet(5)
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			s.add(fmt.Sprint("indicator--", j))
		}
	}
	if n, sat := s.count(); n != 4 || sat {
		t.Fatalf("%d %v", n, sat)
	}
	for j := 0; j < 10; j++ {
		s.add(fmt.Sprint("x--", j))
	}
	if n, sat := s.count(); n != 5 || !sat {
		t.Fatalf("bound: %d %v", n, sat)
	}
}

func TestReasons(t *testing.T) {
	for _, r := range reasons {
		if _, ok := reasonIndex[r]; !ok {
			t.Fatal(r)
		}
	}
	if Reason(nil) != "" || Reason(fmt.Errorf("x")) != ReasonOther {
		t.Fatal("nil / other")
	}
	if Reason(fmt.Errorf("intel: GET /x: rate: Wait(n=1) would exceed context deadline")) != ReasonRateLimited {
		t.Fatal("limiter refusal")
	}
}
