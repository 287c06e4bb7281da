// Package extract turns raw log events (JSON lines or plain text) into the
// observables the matcher looks up — IP addresses, ports, domains, URLs,
// hashes, e-mail addresses, file names, user agents, registry keys, command
// lines and the rest, each with its role — and, on demand, into the STIX
// observation the pattern evaluator reads.
//
// Field mappings are data: profiles (embedded YAML under profiles/, plus
// profiles from the configuration file) map key paths to actions. An
// Extractor compiles them once at start-up into lookup tables and is then
// immutable and shared by all workers. Each worker owns one reusable Event;
// in steady state Extract does not allocate.
//
// JSON is read by jsonscan, a byte-level validating scanner; nothing goes
// through map[string]any. Values are canonicalised by package observable,
// the same code the indicator compiler uses, so that both sides agree byte
// for byte.
package extract
