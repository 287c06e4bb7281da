package snapshot

// RealEvents gives the external test package the bundled Zeek log lines.
var RealEvents = realEvents
