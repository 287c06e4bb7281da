//go:build !race

package cidr

const raceEnabled = false
