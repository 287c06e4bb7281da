// Package intel is the HTTP client of the SEKOIA.IO Intelligence Center API
// (v2/inthreat): the REST feed, single objects, relationships, indicator
// context bundles, and the TAXII 2.1 server.
//
// One Client carries everything the API asks of a well-behaved caller: the
// API key (sent in a header, never in a URL, redacted everywhere else), a
// client-side rate limit (5 requests/s by default), per-request timeouts,
// retries with exponential backoff and jitter on 429, 5xx, network errors,
// truncated and unparsable bodies (honouring Retry-After), and a bound on
// response sizes. 401 and 403 are never retried; they give ErrUnauthorized
// and ErrForbidden with a message naming the permission the key needs.
//
// A Client is safe for concurrent use by many goroutines; they share its
// rate limiter, so the feed sync and on-demand enrichment together stay
// within the API's request budget.
package intel
