//go:build !race

package substr

const raceEnabled = false
