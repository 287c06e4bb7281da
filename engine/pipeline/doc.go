// Package pipeline runs the matcher over a stream of log events: it takes
// events from NATS (core subscriptions in a queue group, or a JetStream
// durable consumer), extracts their observables, matches them against the
// current snapshot, and publishes alerts on the match subjects, with
// enrichment, suppression and dead-lettering of bad events. The offline
// mode (matcher match) uses the same Processor over files.
//
// Concurrency: Run owns its goroutines. Each worker owns a Processor and
// its buffers; the snapshot is loaded once per event without locking.
// Queues between NATS, the workers and the publisher are bounded, and the
// NATS subscriptions have slow-consumer limits, so memory stays bounded
// whatever the input rate.
package pipeline
