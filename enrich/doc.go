// Package enrich adds Intelligence Center context to indicator hits.
//
// On the first hit of an indicator an Enricher fetches
// objects/{id}/context (a STIX bundle: the indicator, its first-level
// relationships and related objects, courses of action, sources and
// markings) and reduces it to a Digest: threat actors, intrusion sets,
// malware, tools, campaigns and attack patterns with their MITRE ATT&CK ids,
// courses of action, the sources named by x_inthreat_sources_refs, the TLP
// marking and the relationships used. Objects the bundle references but
// does not include are fetched with objects/{id} or relationships/{id}.
//
// Keeping the API load low:
//   - digests are cached in a size-bounded LRU with a TTL, failures in a
//     smaller one with a short TTL, referenced objects in a third;
//   - concurrent hits on one indicator share one request (singleflight);
//   - every call goes through the *intel.Client the feed sync uses, so its
//     rate limiter, retries and timeouts are shared;
//   - a circuit breaker fails fast while the API is failing.
//
// Never on the hot path: Request and Await start a fetch on a bounded worker
// pool (a full queue drops the request and counts it) and wait at most a
// budget; past it the caller publishes with StatusPending and, with
// Options.FollowUp, receives the digest later on FollowUps.
//
// Everything is counted (Stats), including the figure the issue asks for:
// context calls per distinct indicator.
package enrich
