package dbsctest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// This file is what the test browser does with the server's answers: it
// registers the sessions responses offer, applies the session
// instructions of a registration or a refresh, and keeps the challenges
// responses hand it.

// instructions applies the session instructions of body, the response to a
// registration or refresh of e sent to endpoint.
func (b *Browser) instructions(e *entry, endpoint *url.URL, res *http.Response, body []byte) error {
	var in struct {
		SessionIdentifier string `json:"session_identifier"`
		RefreshURL        string `json:"refresh_url"`
		Continue          *bool  `json:"continue"`
		Scope             struct {
			Origin      string `json:"origin"`
			IncludeSite *bool  `json:"include_site"`
		} `json:"scope"`
		Credentials []struct {
			Type, Name, Attributes string
		} `json:"credentials"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		b.remove(e)
		return fmt.Errorf("dbsctest: session instructions: %w", err)
	}
	if in.Continue != nil && !*in.Continue {
		b.remove(e)
		return ErrEnded
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case in.SessionIdentifier == "" || e.ID != "" && in.SessionIdentifier != e.ID:
		delete(b.sessions, e.Origin+" "+e.ID)
		return fmt.Errorf("dbsctest: session instructions: identifier %q", in.SessionIdentifier)
	case in.Scope.IncludeSite == nil || len(in.Credentials) != 1 || in.Credentials[0].Type != "cookie" || in.Credentials[0].Name == "":
		delete(b.sessions, e.Origin+" "+e.ID)
		return fmt.Errorf("dbsctest: session instructions the test browser does not handle: %s", body)
	}
	refresh := endpoint
	if in.RefreshURL != "" {
		u, err := endpoint.Parse(in.RefreshURL)
		if err != nil {
			return err
		}
		refresh = u
	}
	e.ID, e.RefreshURL = in.SessionIdentifier, refresh
	e.Origin = endpoint.Scheme + "://" + endpoint.Host
	e.CookieName, e.Attributes = in.Credentials[0].Name, in.Credentials[0].Attributes
	b.sessions[e.Origin+" "+e.ID] = e
	for _, c := range res.Cookies() {
		if c.Name == e.CookieName && c.MaxAge > 0 {
			e.Expires = b.Clock().Add(time.Duration(c.MaxAge) * time.Second)
		}
	}
	b.cacheLocked(res)
	return nil
}

// ErrEnded is what Refresh returns when the server ended the session.
var ErrEnded = errors.New("dbsctest: the server ended the session")

// registerPending registers the sessions that responses asked for.
func (b *Browser) registerPending() error {
	b.mu.Lock()
	pending := b.pending
	b.pending = nil
	b.mu.Unlock()
	for _, r := range pending {
		if err := b.register(r); err != nil && !errors.Is(err, ErrEnded) {
			return err
		}
	}
	return nil
}

// register makes a key and registers a session at r's endpoint.
func (b *Browser) register(r registration) error {
	if !slices.Contains(r.algorithms, b.Algorithm) {
		return nil // no algorithm in common: no session
	}
	key, err := NewKey(b.Algorithm)
	if err != nil {
		return err
	}
	proof, err := Proof(key, r.challenge, true, func(_, claims map[string]any) {
		if r.authorization != "" {
			claims["authorization"] = r.authorization
		}
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, r.endpoint.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set(HeaderResponse, proof)
	if r.authorization != "" {
		req.Header.Set("Authorization", r.authorization)
	}
	res, err := b.Client.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		return err // a failed registration is no session, and no error
	}
	if err := b.instructions(&entry{Session: Session{Key: key}}, r.endpoint, res, body); err != nil {
		return err
	}
	b.mu.Lock()
	b.stats.Registrations++
	b.mu.Unlock()
	return nil
}

// transport reports every response to its Browser.
type transport struct {
	b    *Browser
	base http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	t.b.observe(req.URL, res)
	return res, nil
}

// observe notes the registrations a response to u asks for and caches its
// challenges.
func (b *Browser) observe(u *url.URL, res *http.Response) {
	for _, item := range structuredList(res.Header.Values(HeaderRegistration)) {
		algs, params, ok := parseRegistration(item)
		if !ok || params["path"] == "" {
			continue
		}
		endpoint, err := u.Parse(params["path"])
		if err != nil {
			continue
		}
		b.mu.Lock()
		b.pending = append(b.pending, registration{endpoint, algs, params["challenge"], params["authorization"]})
		b.mu.Unlock()
	}
	b.cacheChallenges(res)
}

// challengeOf returns the challenge res brings for the session id of its
// origin, or "".
func challengeOf(res *http.Response, id string) string {
	for _, item := range structuredList(res.Header.Values(HeaderChallenge)) {
		if challenge, params, ok := parseItem(item); ok && params["id"] == id {
			return challenge
		}
	}
	return ""
}

// cacheChallenges keeps the challenges of res for the sessions they name.
func (b *Browser) cacheChallenges(res *http.Response) {
	b.mu.Lock()
	b.cacheLocked(res)
	b.mu.Unlock()
}

// cacheLocked is cacheChallenges with b.mu held.
func (b *Browser) cacheLocked(res *http.Response) {
	origin := res.Request.URL.Scheme + "://" + res.Request.URL.Host
	for _, item := range structuredList(res.Header.Values(HeaderChallenge)) {
		challenge, params, ok := parseItem(item)
		if !ok || params["id"] == "" {
			continue
		}
		if e := b.sessions[origin+" "+params["id"]]; e != nil {
			e.Challenge = challenge
		}
	}
}
