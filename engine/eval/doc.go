// Package eval decides whether STIX 2.1 observations satisfy a STIX pattern.
// It follows the reference semantics of the OASIS pattern matcher
// (cti-pattern-matcher, STIX 2.1 mode) and the STIX 2.1 specification,
// section 9:
//
//   - An observation is one observed-data object plus the objects its
//     object_refs name; number_observed counts how many observation
//     instances it stands for, and first_observed/last_observed bound when.
//   - A comparison expression `[...]` is evaluated per root object: the
//     object whose type the object path names. AND requires the same root
//     object to satisfy both sides; OR takes either. A path that selects
//     several values (through [*] or _refs) is existential: one value that
//     passes is enough. A path that selects nothing makes every operator
//     false, `!=` and the NOT forms included.
//   - Observation expressions bind distinct observation instances: AND and
//     FOLLOWEDBY need disjoint bindings, REPEATS n needs n pairwise-disjoint
//     bindings, FOLLOWEDBY needs max(first_observed of the left side) <=
//     min(last_observed of the right side), WITHIN d needs
//     max(first_observed) - min(last_observed) <= d over the binding, and
//     START a STOP b needs every bound interval to overlap [a, b).
//   - Type rules: ints and floats compare numerically (exactly, without
//     rounding); bool never equals a number; bytes (h”, b” literals and
//     *_hex/*_bin properties) compare with strings through Latin-1 when every
//     code point is below 256; a t” literal makes a JSON string be read as
//     a timestamp, and a malformed one is an error. Incomparable types are
//     unequal (so != is true) and unordered (so <, >, <=, >= are false).
//   - LIKE and MATCHES normalise both sides to Unicode NFC. MATCHES is an
//     unanchored search. Binary values are matched byte by byte as Latin-1.
//
// # Deviations from the reference implementation
//
// Each follows the specification where the reference is known to differ:
//
//   - NOT EXISTS is implemented (reference issue cti-pattern-matcher#78
//     ignores the NOT): `[NOT EXISTS x:p]` holds for a root object of type x
//     that lacks p.
//   - IN tests membership with the semantics of `=`, so a boolean is never in
//     a set of numbers (the reference's Python set makes `true IN (1, 2)`
//     true).
//   - LIKE's `%` and `_` match any character, newlines included (the
//     reference translates them to a regex `.` that stops at newlines).
//   - ISSUBSET and ISSUPERSET accept IPv6 as well as IPv4 (the specification's
//     own example is IPv6), accept a /0 prefix, and read a bare address as a
//     host prefix (/32 or /128) where the reference raises an error.
//   - NOT applied to an order comparison of incomparable types is true, as
//     the specification's definition of NOT gives.
//   - MATCHES uses Go's RE2 syntax instead of Python's re: look-around and
//     back-references are rejected when the pattern is compiled, `\Z` is read
//     as end of text, and `$` matches only at the end of the text.
//
// # Bounded work
//
// Finding a binding for several observations is a search; enumerated
// naively it grows with the factorial of the number of observations (the
// reference warns of N! bindings). Match does a depth-first search that
// binds one simple observation expression at a time and checks every
// temporal constraint as soon as a binding is extended, so a dead branch is
// cut at its first bad observation. REPEATS and AND chains of identical
// operands consider each set of bindings once, not once per ordering. The
// search counts every attempt to bind an observation and gives up with
// ErrWorkLimit after Options.MaxSteps attempts (DefaultMaxSteps by default),
// so a Match call never does more than MaxSteps binding attempts, whatever
// the input. The evaluation of comparisons is linear in the size of the
// observations.
//
// A compiled Matcher is immutable and safe for concurrent use.
package eval
