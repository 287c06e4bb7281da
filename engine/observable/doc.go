// Package observable defines the kinds of values the matcher looks up in its
// indexes (IP addresses, domains, URLs, hashes, e-mail addresses, ...), the
// roles those values play in an event (source, destination, DNS query, ...),
// and one canonical form per kind.
//
// The same canonicalisation runs on both sides of a match: the compiler
// applies it to the literals of indicator patterns and the extractor applies
// it to the values it pulls out of events, so that both agree byte for byte
// and the evaluator can compare strictly.
//
// Every kind has two forms:
//
//   - the canonical text form (AppendCanonical), used for display, for the
//     STIX observation handed to the evaluator and for text-keyed indexes;
//   - the key form (AppendKey), used by exact indexes. For IP addresses,
//     address/port pairs and hex digests the key is binary (4 or 16 address
//     bytes, the raw digest); for every other kind it equals the text form.
//     AppendText renders the text form back from a key.
//
// All functions are pure, safe for concurrent use, and append into a caller
// buffer. On plain ASCII input they do not allocate; only internationalised
// domain names (which go through IDNA) may allocate.
package observable
