// Package jsonscan is a byte-level JSON scanner that walks a document once,
// validates it, and reports every scalar value together with its dotted key
// path, without building a tree and without allocating in steady state.
//
// Paths join object keys with '.': {"id":{"orig_h":"1.2.3.4"}} and
// {"id.orig_h":"1.2.3.4"} both report path "id.orig_h". Array elements keep
// the path of their array: {"answers":["a","b"]} reports "answers" twice,
// and {"dns":{"answers":[{"data":"x"}]}} reports "dns.answers.data".
//
// Strings are reported unescaped. A string without a backslash is a
// sub-slice of the input; a string with escapes is decoded into the
// Scanner's arena, which the caller resets between documents. Either way the
// slice stays valid until the caller resets the arena or changes the input.
//
// Validation follows RFC 8259: one value (an object for Scan), strict
// number grammar, no control characters in strings, valid UTF-8, valid
// escapes (unpaired surrogate escapes decode to U+FFFD, as encoding/json
// does), and a configurable nesting limit.
package jsonscan
