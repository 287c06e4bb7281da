// Package ingest pulls STIX indicators from the SEKOIA.IO Intelligence
// Center (or a TAXII 2.1 server, or a file) into the durable store and tells
// the engine what changed.
//
// A Source pages through a feed from a saved cursor (RESTSource,
// TAXIISource, FileSource). A Syncer drives one Source: it loads the cursor
// from the store, fetches a page, applies it together with the next cursor
// in one store transaction, calls the caller back with the page's Changes
// after the commit, and polls for incremental updates once caught up.
//
// Subpackages: intel (the API client), store (the bbolt store), intelserver
// (a local stand-in of the API for tests and demos), stixfile (file reader).
package ingest
