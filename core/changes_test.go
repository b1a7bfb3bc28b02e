package core

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestChangeSetReplaysWhatTheRequestSees holds the session's methods and
// the change set to one definition: for any payload and any sequence of
// changes, applying the recorded change set to the payload as it was
// loaded gives exactly what the request sees. A commit with no concurrent
// change writes what the request sees; one that meets a concurrent change
// applies the change set instead, so the two must agree.
func TestChangeSetReplaysWhatTheRequestSees(t *testing.T) {
	m := &Manager{now: time.Now}
	for seed := range 5000 {
		rng := rand.New(rand.NewPCG(uint64(seed), 0))
		base := randomPayload(rng)
		loaded := base.appendJSON(nil, nil)
		s := &Session{m: m}
		var err error
		if s.payload, err = decodePayload(loaded, nil); err != nil {
			t.Fatal(err)
		}
		var did []string
		for range 1 + rng.IntN(8) {
			did = append(did, randomChange(rng, s))
		}
		p, err := decodePayload(loaded, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.ch.apply(&p)
		if got, want := p.appendJSON(nil, nil), s.appendJSON(nil, nil); !bytes.Equal(got, want) {
			t.Fatalf("seed %d: from %s, after %q:\napplying the change set gives %s\nthe request sees           %s", seed, loaded, did, got, want)
		}
	}
}

func randomPayload(rng *rand.Rand) payload {
	p := payload{created: 1_800_000_000, issued: 1_800_000_000}
	for i := range rng.IntN(4) {
		p.set(fmt.Sprint("k", i), fmt.Appendf(nil, "%d", rng.IntN(3)))
	}
	for q := range rng.IntN(3) {
		name := fmt.Sprint("q", q)
		for range rng.IntN(3) {
			p.push(name, fmt.Sprint("m", rng.IntN(3)), false)
		}
		p.setHead(name, int64(rng.IntN(3)))
	}
	if rng.IntN(2) == 0 {
		p.csrf = "token"
	}
	return p
}

// randomChange makes one change to s through its methods, and says which.
func randomChange(rng *rand.Rand, s *Session) string {
	k, q, msg := fmt.Sprint("k", rng.IntN(5)), fmt.Sprint("q", rng.IntN(4)), fmt.Sprint("m", rng.IntN(3))
	switch rng.IntN(11) {
	case 9:
		on := rng.IntN(2) == 0
		s.RememberMe(on)
		return fmt.Sprintf("RememberMe(%v)", on)
	case 10:
		owner := fmt.Sprint("u", rng.IntN(2))
		_ = s.SetOwner(owner, Device{UserAgent: fmt.Sprint("a", rng.IntN(2))}) // a valid owner
		return "SetOwner(" + owner + ")"
	case 0:
		v := rng.IntN(3)
		_ = s.Set(k, v)
		return fmt.Sprintf("Set(%s, %d)", k, v)
	case 1:
		s.Delete(k)
		return "Delete(" + k + ")"
	case 2:
		s.Flash(msg, q)
		return "Flash(" + msg + ", " + q + ")"
	case 3:
		s.FlashUnique(msg, q)
		return "FlashUnique(" + msg + ", " + q + ")"
	case 4, 5:
		s.PopFlash(q)
		return "PopFlash(" + q + ")"
	case 6:
		if rng.IntN(4) == 0 {
			s.Clear()
			return "Clear()"
		}
		s.CSRFToken()
		return "CSRFToken()"
	case 7:
		s.NewCSRFToken()
		return "NewCSRFToken()"
	default:
		s.Renew()
		return "Renew()"
	}
}
