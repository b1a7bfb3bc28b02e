package core

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file is what a user sees of their sessions: the list of the devices
// they are logged in on, and the means to end any of them, such as "log out
// everywhere" after a password change. It needs a server-side store that
// keeps an [Index] (memstore, redisstore, pgstore).

// SessionInfo is one of a user's sessions, as [Manager.Sessions] lists it.
type SessionInfo struct {
	// ID names the session without revealing it: its handle ([HandleOf]),
	// safe to show and to send back in a form to end it. It is not the
	// session's cookie, and changes when the session is renewed.
	ID string

	Created  time.Time
	LastSeen time.Time // when the session was last written: at most Options.ReissueTime ago while it is in use
	Device             // what SetOwner recorded

	// Current is true for the session of the request whose context was
	// passed to Sessions.
	Current bool

	// DeviceBound is true for a session bound to the device that
	// registered it (see [DeviceBinding]): a copy of its cookie is
	// worthless anywhere else.
	DeviceBound bool
}

// Sessions returns owner's live sessions of m (those issued under its
// cookie name), the most recently seen first.
// Called with the context of a request, it marks that request's session as
// current; it works as well outside any request, in an admin page or a
// background job. It returns an error matching [ErrNotRevocable] with a
// store that cannot list sessions, such as a cookie store, and one
// matching [ErrStore] when the store fails.
func (m *Manager) Sessions(ctx context.Context, owner string) ([]SessionInfo, error) {
	idx, err := m.index()
	if err != nil {
		return nil, err
	}
	listed, err := idx.List(ctx, owner)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStore, err)
	}
	current := m.currentHandle(ctx)
	now := m.now().Unix()
	infos := make([]SessionInfo, 0, len(listed))
	for _, l := range listed {
		p, err := decodePayload(l.Payload, m.bound)
		if err != nil || p.owner != owner || m.expired(&p, now) != "" {
			// Undecodable, not the owner's, another Manager's (one with
			// another cookie name over the same store) or expired.
			continue
		}
		infos = append(infos, SessionInfo{
			ID:       l.Handle,
			Created:  time.Unix(p.created, 0),
			LastSeen: time.Unix(p.issued, 0),
			Device:   p.device,
			Current:  l.Handle == current,

			DeviceBound: p.binding.bound(),
		})
	}
	slices.SortFunc(infos, func(a, b SessionInfo) int {
		if c := b.LastSeen.Compare(a.LastSeen); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return infos, nil
}

// EndSession ends owner's session id (a [SessionInfo] ID) at once, on
// every app server: its next request is anonymous, and a request of it
// still running saves nothing. It returns an error matching [ErrNotFound]
// if owner has no such live session, [ErrNotRevocable] with a store that
// cannot end sessions, and [ErrStore] when the store fails.
func (m *Manager) EndSession(ctx context.Context, owner, id string) error {
	idx, err := m.index()
	if err != nil {
		return err
	}
	switch err := idx.End(ctx, owner, id); {
	case errors.Is(err, ErrNotFound):
		return err
	case err != nil:
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	m.event(ctx, sessionRevoked)
	return nil
}

// EndOtherSessions ends every session of owner but the one of the request
// whose context is ctx, as after a password change: "log out everywhere
// else". Outside a request it ends them all.
func (m *Manager) EndOtherSessions(ctx context.Context, owner string) error {
	return m.endSessions(ctx, owner, false)
}

// EndAllSessions ends every session of owner, the current request's
// included: "log out everywhere".
func (m *Manager) EndAllSessions(ctx context.Context, owner string) error {
	return m.endSessions(ctx, owner, true)
}

func (m *Manager) endSessions(ctx context.Context, owner string, current bool) error {
	infos, err := m.Sessions(ctx, owner)
	if err != nil {
		return err
	}
	for _, info := range infos {
		if info.Current && !current {
			continue
		}
		if err := m.EndSession(ctx, owner, info.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// index returns the store's Index, or ErrNotRevocable.
func (m *Manager) index() (Index, error) {
	idx, ok := m.store.(Index)
	if !ok || m.clientSide {
		return nil, ErrNotRevocable
	}
	return idx, nil
}

// currentHandle returns the handle of the session of m that ctx carries, or
// "" when it carries none (outside a request, which is no mistake: it
// logs nothing) or the session has no record.
func (m *Manager) currentHandle(ctx context.Context) string {
	s, _ := ctx.Value(m).(*Session)
	if s == nil {
		return ""
	}
	if _, err := loaded(ctx, s); err != nil {
		return ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == "" {
		return ""
	}
	return HandleOf(s.token)
}
