// Package plan turns an indicator's STIX pattern into a matching plan: the
// index entries that produce candidate events cheaply, and the whole
// pattern that candidates are verified against.
//
// Compile parses the pattern, rewrites the literals of known observable
// paths to their canonical form (the form the event side produces, see
// engine/observable), and analyses which comparisons can feed an index:
//
//   - `=` and IN on a known observable path feed the exact set of that
//     observable kind; an IP compared with `=` to a CIDR literal is read as
//     ISSUBSET, as the STIX ipv4-addr/ipv6-addr value may be a CIDR;
//   - ISSUBSET on an address path feeds the CIDR set;
//   - LIKE feeds the substring index with its longest literal run, MATCHES
//     with the literals every match must contain.
//
// Inside brackets, AND needs one indexed operand (the most selective is
// chosen; an address and a port compared in one network-traffic object make
// one address-plus-port key) and OR needs every operand indexed. A pattern
// that one event can satisfy through several simple observation
// expressions needs all of them indexed. A plan with no usable entry is
// verified on every event (VerifyAlways), which the snapshot counts.
//
// A pattern the engine cannot use at all (a syntax error, a pattern type
// other than STIX, a pattern no single event can satisfy) is rejected with
// an error that wraps ErrUnusable and says why, so every indicator gets a
// diagnostic and none is dropped silently.
//
// Plans are immutable once returned and safe for concurrent use.
package plan
