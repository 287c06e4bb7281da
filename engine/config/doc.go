// Package config holds the matcher's run-time configuration: the Config
// struct, its defaults, and the layers that override them.
//
// Precedence, lowest first: Default, the YAML file (Load), the environment
// (ApplyEnv: MATCHER_<SECTION>_<KEY> for every leaf key), then the flags
// set on the command line (BindFlags, ApplyFlags). Resolve runs the whole
// chain and Validate. docs/config.md documents every key; a test keeps that
// table and the struct in step.
//
// A YAML file with an unknown key is an error naming the key with its full
// path and line, so a typo never silently leaves a default in place.
//
// The Intelligence Center API key is never part of the configuration: it
// comes from $SEKOIA_API_KEY or the file named by intel.api_key_file.
// Passwords and tokens that are in it (NATS credentials) are blanked by
// Redacted before a configuration is printed.
//
// A Config is a plain value: copy it freely; it is not safe to modify one
// while another goroutine reads it.
package config
