package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"strings"
	"unicode"

	"github.com/indicator-matcher/matcher/enrich"
	"github.com/indicator-matcher/matcher/ingest/intel"
)

// lookupTypes are the observable types indicators/context accepts.
var lookupTypes = []string{"ipv4-addr", "ipv6-addr", "domain-name", "url", "file", "filename", "email-addr"}

// runLookup looks an IOC up with indicators/context?type=&value= and
// prints the digest of every matching indicator.
func runLookup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("lookup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: matcher lookup [flags] TYPE VALUE\n\nLooks an IOC up in the Intelligence Center (indicators/context) and prints the context\ndigest of every matching indicator. TYPE is one of "+strings.Join(lookupTypes, ", ")+"\n(file: VALUE is an MD5, SHA-1, SHA-256 or SHA-512 hash). Exit status 1 when nothing matches.\nThe API key is read from $"+intel.DefaultKeyEnv+" or --api-key-file, never from the command line.\n\nflags:")
		fs.PrintDefaults()
	}
	af := addAPIFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	if len(pos) != 2 {
		return fmt.Errorf("%w: lookup takes TYPE and VALUE (got %d arguments)", errUsage, len(pos))
	}
	typ, value := pos[0], strings.TrimSpace(pos[1])
	if err := checkLookup(typ, value); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	client, e, err := af.enricher(stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	bundles, err := client.IndicatorContext(ctx, typ, value)
	if err != nil {
		return fmt.Errorf("lookup %s %q: %w", typ, value, err)
	}
	digests := make([]enrich.Digest, 0, len(bundles))
	for i := range bundles {
		d, err := e.FromBundle(ctx, &bundles[i], "")
		if err != nil {
			fmt.Fprintf(stderr, "matcher: lookup: bundle %d: %v\n", i+1, err)
			continue
		}
		digests = append(digests, d)
	}
	if *af.asJSON {
		if err := writeJSON(stdout, digests); err != nil {
			return err
		}
	} else if len(digests) == 0 {
		fmt.Fprintf(stdout, "no indicator matches %s %s\n", typ, value)
	}
	for i, d := range digests {
		if *af.asJSON {
			break
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := d.WriteText(stdout); err != nil {
			return err
		}
	}
	if len(digests) == 0 {
		return errFailed
	}
	return nil
}

// checkLookup rejects a type the API does not take and values that cannot
// be of that type.
func checkLookup(typ, value string) error {
	known := false
	for _, t := range lookupTypes {
		known = known || t == typ
	}
	if !known {
		return fmt.Errorf("unknown type %q; one of %s", typ, strings.Join(lookupTypes, ", "))
	}
	if value == "" || len(value) > 8192 || strings.IndexFunc(value, unicode.IsControl) >= 0 {
		return fmt.Errorf("%s value is empty, too long or holds control characters", typ)
	}
	switch typ {
	case "ipv4-addr", "ipv6-addr":
		a, err := netip.ParseAddr(value)
		if err != nil || a.Is4() != (typ == "ipv4-addr") {
			return fmt.Errorf("%q is not an %s address", value, strings.TrimSuffix(typ, "-addr"))
		}
	case "file":
		if n := len(value); n%2 != 0 || n < 32 || n > 128 || strings.Trim(strings.ToLower(value), "0123456789abcdef") != "" {
			return fmt.Errorf("%q is not a hash (file values are MD5, SHA-1, SHA-256 or SHA-512 hex digests)", value)
		}
	case "email-addr":
		local, domain, ok := strings.Cut(value, "@")
		if !ok || local == "" || domain == "" || strings.ContainsAny(value, " <>") {
			return fmt.Errorf("%q is not an e-mail address", value)
		}
	case "domain-name":
		if strings.ContainsAny(value, " /:@") {
			return fmt.Errorf("%q is not a domain name", value)
		}
	case "url":
		if u, err := url.Parse(value); err != nil || u.Scheme == "" {
			return fmt.Errorf("%q is not a URL with a scheme", value)
		}
	}
	return nil
}
