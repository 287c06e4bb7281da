package intel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Documented defaults.
const (
	// DefaultBaseURL is the documented API host. Regional hosts take the
	// form https://<host>/api/; the client joins "v2/inthreat/" to either.
	DefaultBaseURL = "https://api.sekoia.io/"
	// DefaultFeedID is the feed every community has, with no filters.
	DefaultFeedID = "d6092c37-d8d7-45c3-8aff-c4dc26030608"
	// MaxFeedLimit is the largest documented page size of the feed.
	MaxFeedLimit = 2000
	// DefaultRateLimit is the request rate the API's WAF guidance asks for.
	DefaultRateLimit rate.Limit = 5
)

// Config configures a Client. The zero value of every field but Key selects
// the default given in its comment.
type Config struct {
	// BaseURL is the API host, e.g. https://api.sekoia.io/ or
	// https://<region>/api/. A URL already ending in v2/inthreat/ is used
	// as is. Default DefaultBaseURL.
	BaseURL string
	// Key is the API key. Required.
	Key Key
	// HTTPClient sends the requests. Default: a client with its own
	// transport and no overall timeout (RequestTimeout bounds each attempt).
	HTTPClient *http.Client
	// RequestTimeout bounds one attempt, body included. Default 60 s.
	RequestTimeout time.Duration
	// RateLimit is the client-side request rate; rate.Inf disables it.
	// Default DefaultRateLimit. Burst defaults to 1.
	RateLimit rate.Limit
	Burst     int
	// MaxAttempts is how many times one request is tried when it fails
	// with a transient error. Default 8.
	MaxAttempts int
	// Backoff is the first retry wait after a 5xx, network or body error;
	// it doubles per attempt up to MaxBackoff. Defaults 1 s and 2 min.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// ThrottleBackoff is the first wait after a 429 without Retry-After.
	// The API's WAF blocks for 30 s to 10 min, hence the default 30 s.
	ThrottleBackoff time.Duration
	// MaxRetryAfter caps a server's Retry-After. Default 10 min.
	MaxRetryAfter time.Duration
	// MaxBodyBytes bounds a response body. Default 128 MiB.
	MaxBodyBytes int64
	// UserAgent is sent with every request. Default "indicator-matcher".
	UserAgent string
	// TAXIIRoot is the TAXII API root URL. Default: BaseURL joined with
	// v2/inthreat/taxii-server/.
	TAXIIRoot string
	// Logger receives one line per retry. Default: discard.
	Logger *slog.Logger
}

// Client calls the Intelligence Center API. It is safe for concurrent use;
// all callers share one rate limiter.
type Client struct {
	base      *url.URL // ends in v2/inthreat/
	taxiiRoot *url.URL
	key       Key
	hc        *http.Client
	lim       *rate.Limiter
	cfg       Config
	log       *slog.Logger
	bufs      sync.Pool
	stats     counters
}

type counters struct {
	requests, retries, throttled, serverErrors, networkErrors, badBodies atomic.Int64
}

// Stats counts the client's requests since it was made.
type Stats struct {
	Requests      int64 // attempts sent
	Retries       int64 // attempts that were retries
	Throttled     int64 // 429 answers
	ServerErrors  int64 // 5xx answers
	NetworkErrors int64 // transport errors, timeouts, truncated bodies
	BadBodies     int64 // 2xx bodies that did not parse
}

// New checks cfg and makes a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Key.IsZero() {
		return nil, fmt.Errorf("%w: Config.Key is empty", ErrNoKey)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := apiBase(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 60 * time.Second
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 1
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 2 * time.Minute
	}
	if cfg.ThrottleBackoff <= 0 {
		cfg.ThrottleBackoff = 30 * time.Second
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = 10 * time.Minute
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 128 << 20
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "indicator-matcher"
	}
	root := base.ResolveReference(&url.URL{Path: "taxii-server/"})
	if cfg.TAXIIRoot != "" {
		if root, err = parseHTTPURL(cfg.TAXIIRoot); err != nil {
			return nil, fmt.Errorf("intel: TAXII root: %w", err)
		}
		if !strings.HasSuffix(root.Path, "/") {
			root.Path += "/"
		}
	}
	hc := cfg.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 4
		hc = &http.Client{Transport: tr}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{
		base:      base,
		taxiiRoot: root,
		key:       cfg.Key,
		hc:        hc,
		lim:       rate.NewLimiter(cfg.RateLimit, cfg.Burst),
		cfg:       cfg,
		log:       log,
		bufs:      sync.Pool{New: func() any { return new(bytes.Buffer) }},
	}, nil
}

// apiBase turns a host URL into the v2/inthreat/ base.
func apiBase(s string) (*url.URL, error) {
	u, err := parseHTTPURL(s)
	if err != nil {
		return nil, fmt.Errorf("intel: base URL: %w", err)
	}
	p := strings.TrimSuffix(u.Path, "/")
	if !strings.HasSuffix(p, "/v2/inthreat") {
		p += "/v2/inthreat"
	}
	u.Path = p + "/"
	u.RawPath = ""
	return u, nil
}

func parseHTTPURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", s)
	}
	if u.User != nil {
		return nil, errors.New("credentials in the URL are not allowed; use the API key")
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// BaseURL returns the v2/inthreat/ base the client joins paths to.
func (c *Client) BaseURL() string { return c.base.String() }

// TAXIIRoot returns the TAXII API root URL.
func (c *Client) TAXIIRoot() string { return c.taxiiRoot.String() }

// Stats returns the request counters.
func (c *Client) Stats() Stats {
	return Stats{
		Requests:      c.stats.requests.Load(),
		Retries:       c.stats.retries.Load(),
		Throttled:     c.stats.throttled.Load(),
		ServerErrors:  c.stats.serverErrors.Load(),
		NetworkErrors: c.stats.networkErrors.Load(),
		BadBodies:     c.stats.badBodies.Load(),
	}
}

// GetJSON sends GET base+path?query and decodes the JSON answer into v.
// path is relative to v2/inthreat/ (e.g. "objects/indicator--…/context");
// its segments are used as given, so escape ids with url.PathEscape.
func (c *Client) GetJSON(ctx context.Context, path string, query url.Values, v any) error {
	u, err := c.resolve(path, query)
	if err != nil {
		return err
	}
	return c.get(ctx, u, request{accept: "application/json"}, jsonInto(v))
}

// getParsed sends GET base+path?query and returns what parse makes of the
// answer; a body parse rejects is retried like a transient error.
func getParsed[T any](ctx context.Context, c *Client, path string, query url.Values, parse func([]byte) (T, error)) (T, error) {
	var out T
	u, err := c.resolve(path, query)
	if err != nil {
		return out, err
	}
	err = c.get(ctx, u, request{accept: "application/json"}, func(body []byte, _ http.Header) error {
		v, err := parse(body)
		out = v
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

func (c *Client) resolve(path string, query url.Values) (*url.URL, error) {
	ref, err := url.Parse(strings.TrimPrefix(path, "/"))
	if err != nil || ref.IsAbs() || ref.Host != "" {
		return nil, fmt.Errorf("intel: bad API path %q", path)
	}
	u := c.base.ResolveReference(ref)
	if !strings.HasPrefix(u.Path, c.base.Path) {
		return nil, fmt.Errorf("intel: API path %q leaves the API base", path)
	}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	return u, nil
}

// request says how to send one GET.
type request struct {
	accept string
	basic  bool // HTTP Basic with the key as password (TAXII)
}

// get sends a GET with retries. decode is called with the body of a 2xx
// answer; the body is valid only during the call. A decode error counts as
// a transient failure (the page is fetched again); it is wrapped in
// ErrBadResponse.
func (c *Client) get(ctx context.Context, u *url.URL, rq request, decode func([]byte, http.Header) error) error {
	var last error
	for attempt := 0; attempt < c.cfg.MaxAttempts; attempt++ {
		if attempt > 0 {
			c.stats.retries.Add(1)
		}
		if err := c.lim.Wait(ctx); err != nil {
			return fmt.Errorf("intel: GET %s: %w", u.Path, err)
		}
		wait, err := c.attempt(ctx, u, rq, decode)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("intel: GET %s: %w", u.Path, ctx.Err())
		}
		if wait < 0 { // permanent
			return err
		}
		last = err
		if attempt == c.cfg.MaxAttempts-1 {
			break
		}
		if wait == 0 {
			wait = backoff(attempt, c.cfg.Backoff, c.cfg.MaxBackoff)
		}
		c.log.Warn("intel: retrying", "path", u.Path, "attempt", attempt+1, "wait", wait, "err", err.Error())
		if err := sleep(ctx, wait); err != nil {
			return fmt.Errorf("intel: GET %s: %w (after %w)", u.Path, err, last)
		}
	}
	return fmt.Errorf("%w after %d attempts: %w", ErrRetriesExhausted, c.cfg.MaxAttempts, last)
}

// attempt sends one request. wait < 0 means the error is permanent; wait > 0
// is the delay the server asked for (or the throttle backoff); 0 means
// "use the normal backoff".
func (c *Client) attempt(ctx context.Context, u *url.URL, rq request, decode func([]byte, http.Header) error) (wait time.Duration, err error) {
	c.stats.requests.Add(1)
	ctx, cancel := context.WithTimeout(ctx, c.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return -1, fmt.Errorf("intel: %w", err)
	}
	if rq.basic {
		req.Header.Set("Authorization", c.key.basic())
	} else {
		req.Header.Set("Authorization", c.key.bearer())
	}
	req.Header.Set("Accept", rq.accept)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	resp, err := c.hc.Do(req)
	if err != nil {
		c.stats.networkErrors.Add(1)
		return 0, fmt.Errorf("intel: GET %s: %s", u.Path, c.key.scrub(netErrText(err)))
	}
	defer resp.Body.Close()

	buf := c.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 16<<20 {
			c.bufs.Put(buf)
		}
	}()
	if resp.ContentLength > c.cfg.MaxBodyBytes {
		return -1, fmt.Errorf("%w: GET %s: Content-Length %d exceeds %d bytes", ErrTooLarge, u.Path, resp.ContentLength, c.cfg.MaxBodyBytes)
	}
	n, rerr := buf.ReadFrom(io.LimitReader(resp.Body, c.cfg.MaxBodyBytes+1))
	if n > c.cfg.MaxBodyBytes {
		return -1, fmt.Errorf("%w: GET %s: more than %d bytes", ErrTooLarge, u.Path, c.cfg.MaxBodyBytes)
	}

	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		if rerr != nil {
			c.stats.networkErrors.Add(1)
			return 0, fmt.Errorf("intel: GET %s: reading body: %s", u.Path, c.key.scrub(netErrText(rerr)))
		}
		if err := decode(buf.Bytes(), resp.Header); err != nil {
			c.stats.badBodies.Add(1)
			return 0, fmt.Errorf("%w: GET %s: %s", ErrBadResponse, u.Path, c.key.scrub(err.Error()))
		}
		return 0, nil
	case s == http.StatusUnauthorized:
		return -1, fmt.Errorf("%w (GET %s)", ErrUnauthorized, u.Path)
	case s == http.StatusForbidden:
		return -1, fmt.Errorf("%w (GET %s%s)", ErrForbidden, u.Path, c.apiMessage(buf.Bytes(), "; server says: "))
	case s == http.StatusNotFound:
		return -1, fmt.Errorf("%w: GET %s", ErrNotFound, u.Path)
	case s == http.StatusTooManyRequests:
		c.stats.throttled.Add(1)
		d, ok := retryAfter(resp.Header, time.Now())
		if !ok {
			d = backoff(0, c.cfg.ThrottleBackoff, c.cfg.MaxRetryAfter)
		}
		if d > c.cfg.MaxRetryAfter {
			d = c.cfg.MaxRetryAfter
		}
		if d == 0 {
			d = time.Millisecond
		}
		return d, c.statusError(s, buf.Bytes())
	case s >= 500 || s == http.StatusRequestTimeout:
		c.stats.serverErrors.Add(1)
		if d, ok := retryAfter(resp.Header, time.Now()); ok && d > 0 {
			return min(d, c.cfg.MaxRetryAfter), c.statusError(s, buf.Bytes())
		}
		return 0, c.statusError(s, buf.Bytes())
	default:
		return -1, c.statusError(s, buf.Bytes())
	}
}

func (c *Client) statusError(status int, body []byte) *StatusError {
	var e struct {
		Message string `json:"message"`
		Code    any    `json:"code"`
	}
	se := &StatusError{Status: status}
	if json.Unmarshal(body, &e) == nil {
		se.Message = clip(c.key.scrub(e.Message), 300)
		if e.Code != nil {
			se.Code = clip(c.key.scrub(fmt.Sprint(e.Code)), 40)
		}
	}
	return se
}

func (c *Client) apiMessage(body []byte, prefix string) string {
	if se := c.statusError(0, body); se.Message != "" {
		return prefix + se.Message
	}
	return ""
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// netErrText describes a transport error without the request URL that
// *url.Error would print (the URL never holds the key, but the text is
// shorter and the path is already in the message).
func netErrText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout: " + err.Error()
	}
	return err.Error()
}
