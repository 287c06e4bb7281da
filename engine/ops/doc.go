// Package ops holds the operational plumbing of the long-running matcher:
// the HTTP endpoint for Prometheus metrics and health probes (Server),
// structured logging (NewLogger) with a throttle for per-event problems
// (Throttle), and the ordered graceful stop (RunShutdown).
//
// Endpoints, on the address of the http.listen setting:
//
//	GET /metrics   the registry in the Prometheus text format 0.0.4
//	GET /healthz   200 "ok" while the process runs
//	GET /readyz    200 "ok" when the ready callback returns nil, else 503
//	               with the callback's error
//
// Per-event problems (a malformed event, a failed publish) must never
// flood the log: log them through a Throttle, which lets a few messages
// per key and interval through and counts the rest.
package ops
