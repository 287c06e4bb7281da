//go:build race

package cidr

// raceEnabled: the race detector slows the linear reference scans about
// tenfold, so the biggest tests probe a sample.
const raceEnabled = true
