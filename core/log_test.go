package core_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/transient-go/transient/core"
)

// TestLogsHoldNoToken logs at debug level, where the Manager says why it
// rejected a cookie, and checks that no session token ever reaches the log:
// not a valid one, not one that was rejected.
func TestLogsHoldNoToken(t *testing.T) {
	var log bytes.Buffer
	store := mustMemstore()
	m := newManager(t, store, &core.Options{Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	first := begin(m)
	first.session(t).Set("user", "alice")
	valid := cookieValue(t, first.commit(t))
	renewed := begin(m, "session="+valid)
	renewed.session(t).Renew()
	replaced := cookieValue(t, renewed.commit(t))
	unknown := core.NewID()
	for _, cookie := range []string{
		"session=" + valid,    // deleted by the renewal: not found
		"session=" + replaced, // valid
		"session=" + unknown,
		"session=" + valid + "; session=" + replaced,
		"session=" + strings.Repeat("x", 5000),
	} {
		r := begin(m, cookie)
		r.session(t).Keys()
		r.commit(t)
	}
	if !strings.Contains(log.String(), "session cookie rejected") {
		t.Fatalf("the debug log says nothing of rejected cookies:\n%s", log.String())
	}
	for _, tok := range []string{valid, replaced, unknown} {
		if strings.Contains(log.String(), tok) {
			t.Fatalf("the log holds the token %q:\n%s", tok, log.String())
		}
	}
}

func cookieValue(t *testing.T, h map[string][]string) string {
	t.Helper()
	for _, line := range h["Set-Cookie"] {
		if v, ok := strings.CutPrefix(line, "session="); ok {
			return v[:strings.IndexByte(v, ';')]
		}
	}
	t.Fatalf("no session cookie in %q", h["Set-Cookie"])
	return ""
}
