package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/transient-go/transient/core"
)

// This file holds the pages where users see where they are logged in and
// end those sessions: "Your sessions", "Sign out" of one device, "Sign out
// everywhere else", and the password change, which signs out the others
// too. Listing and ending sessions needs a store that keeps them on the
// server (memory, redis, postgres): the cookie store's sessions live in
// the browsers' cookies, and the page says so. The page lists the
// sessions of both Managers, the pages' and the JSON API's (api.go): a
// user who signs out everywhere else signs out the API's clients too.

// A device is one of the user's sessions as the sessions page shows it.
type device struct {
	ID       string // the session's core.SessionInfo ID, which the Sign out form sends back
	Browser  string // "Firefox on Linux"
	Address  string // "203.0.113.x", "this computer"
	LastSeen string // "active now", "active 5 minutes ago"
	Since    string // when the session began, a moment before its login
	Current  bool   // the session of the request: this device
	Bound    bool   // bound to its device (DBSC): a copy of its cookies is worthless elsewhere
	API      bool   // a session of the JSON API, whose token travels in a header
}

// listedSession is one of the user's sessions, and whether it is the API's.
type listedSession struct {
	core.SessionInfo
	api bool
}

// userSessions returns owner's sessions of the pages' Manager and of the
// API's, the most recently active first. ctx's session is marked current.
func (b *blog) userSessions(ctx context.Context, owner string) ([]listedSession, error) {
	infos, err := b.sessions.Sessions(ctx, owner)
	if err != nil {
		return nil, err
	}
	var all []listedSession
	for _, info := range infos {
		all = append(all, listedSession{info, false})
	}
	if b.api == nil {
		return all, nil
	}
	if infos, err = b.api.Sessions(ctx, owner); err != nil {
		return nil, err
	}
	for _, info := range infos {
		all = append(all, listedSession{info, true})
	}
	slices.SortStableFunc(all, func(a, b listedSession) int { return b.LastSeen.Compare(a.LastSeen) })
	return all, nil
}

// endOthers ends every session of owner but ctx's: the pages' others, and
// all of the API's.
func (b *blog) endOthers(ctx context.Context, owner string) error {
	if err := b.sessions.EndOtherSessions(ctx, owner); err != nil || b.api == nil {
		return err
	}
	return b.api.EndAllSessions(ctx, owner)
}

// notRevocable is the flash message for a form that asks the cookie store
// to end a session.
const notRevocable = "The cookie store cannot sign out other sessions: each lives in its browser's cookie until it expires."

func (b *blog) listSessions(r request, s *core.Session) {
	b.sessionsPage(r, s, "")
}

// sessionsPage shows the user's sessions, this one marked, and the
// password form with passwordError, if any. With the cookie store it
// explains why there is no list.
func (b *blog) sessionsPage(r request, s *core.Session, passwordError string) {
	v := view{Title: "Your sessions", CSRF: s.CSRFToken(), Error: passwordError}
	infos, err := b.userSessions(r.Context(), s.Owner())
	switch {
	case errors.Is(err, core.ErrNotRevocable):
		v.NotRevocable = true
	case err != nil:
		b.sessionsFailed(r, s, err) // the store is down: 503
		return
	}
	// This device first, then the others, the most recently active first.
	now := time.Now()
	for _, info := range infos {
		d := device{
			ID:       info.ID,
			Browser:  cmp.Or(info.UserAgent, "Unknown browser"), // a session marked as the user's without a device
			Address:  info.Address,
			LastSeen: "active " + ago(info.LastSeen, now),
			Since:    info.Created.Format("2 Jan 2006, 15:04"),
			Current:  info.Current,
			Bound:    info.DeviceBound,
			API:      info.api,
		}
		if d.Current {
			d.LastSeen = "active now"
			v.Devices = slices.Insert(v.Devices, 0, d)
		} else {
			v.Devices = append(v.Devices, d)
		}
	}
	b.render(r, s, http.StatusOK, "sessions.html", v)
}

// endSession signs the user out of one of their other sessions, on every
// app server at once: its next request is anonymous, and is sent to the
// login page. The form sends the session's SessionInfo ID, which names it
// without revealing its cookie; the Manager ends only a session of the
// owner it is given, so an ID of another user's session ends nothing.
func (b *blog) endSession(r request, s *core.Session) {
	id := r.FormValue("id")
	infos, err := b.userSessions(r.Context(), s.Owner())
	if err != nil {
		b.sessionsFailed(r, s, err)
		return
	}
	i := slices.IndexFunc(infos, func(info listedSession) bool { return info.ID == id })
	if i >= 0 && infos[i].Current {
		s.Flash("To sign out of this device, log out.", "info")
		r.Redirect("/sessions")
		return
	}
	switch {
	case i >= 0 && infos[i].api:
		err = b.api.EndSession(r.Context(), s.Owner(), id)
	case i >= 0:
		err = b.sessions.EndSession(r.Context(), s.Owner(), id)
	}
	switch {
	case i < 0 || errors.Is(err, core.ErrNotFound):
		s.Flash("That session had already ended.", "info")
	case err != nil:
		b.sessionsFailed(r, s, err)
		return
	default:
		s.Flash("Signed out of "+cmp.Or(infos[i].UserAgent, "an unknown browser")+".", "success")
	}
	r.Redirect("/sessions")
}

// endOtherSessions signs the user out everywhere but here.
func (b *blog) endOtherSessions(r request, s *core.Session) {
	if err := b.endOthers(r.Context(), s.Owner()); err != nil {
		b.sessionsFailed(r, s, err)
		return
	}
	s.Flash("Signed out everywhere else.", "success")
	r.Redirect("/sessions")
}

// sessionsFailed answers a request of the sessions page that the Manager
// could not carry out: with the cookie store, a message on the sessions
// page; when the store is down, the 503 page. The Manager logs the errors
// of loading and saving a request's session, not those of listing or
// ending a user's sessions, which it returns: the blog logs them.
func (b *blog) sessionsFailed(r request, s *core.Session, err error) {
	if errors.Is(err, core.ErrNotRevocable) {
		s.Flash(notRevocable, "warning")
		r.Redirect("/sessions")
		return
	}
	b.log.Error("your sessions", "user", s.Owner(), "err", err)
	b.sessionError(r, err)
}

// changePassword changes the user's password and signs out every other
// session of theirs: whoever logged in with the old password, a thief
// among them, is logged out now, on every app server. This session gets a
// new ID too, so that a copy of its cookie taken before is worthless.
func (b *blog) changePassword(r request, s *core.Session) {
	err := b.users.setPassword(s.Owner(), r.FormValue("current"), r.FormValue("new"))
	switch {
	case errors.Is(err, errWrongPassword):
		b.sessionsPage(r, s, "The current password is wrong.")
		return
	case errors.Is(err, errPasswordSize):
		b.sessionsPage(r, s, fmt.Sprintf("The new password must be %d to %d bytes long.", minPassword, maxPassword))
		return
	case err != nil:
		b.log.Error("password change", "user", s.Owner(), "err", err)
		b.errorPage(r, http.StatusInternalServerError, "Server error", "Something went wrong on our side.")
		return
	}
	err = b.endOthers(r.Context(), s.Owner())
	s.Renew()
	switch {
	case err == nil:
		s.Flash("Password changed; your other sessions were signed out.", "success")
	case errors.Is(err, core.ErrNotRevocable):
		s.Flash("Password changed. The cookie store cannot sign out your other sessions: they stay logged in until they expire.", "warning")
	default:
		// The password is changed; the store failed after that. The
		// Manager does not log this error, which is not the request's:
		// the blog does.
		b.log.Error("password change: ending the other sessions", "user", s.Owner(), "err", err)
		s.Flash("Password changed, but your other sessions could not be signed out: the session store is unavailable. Sign them out here once it is back.", "error")
	}
	r.Redirect("/sessions")
}

// ago says how long before now t was: "just now", "5 minutes ago", "2
// hours ago", or the date for a day or more.
func ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < 2*time.Minute:
		return "1 minute ago"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes ago", int(d/time.Minute))
	case d < 2*time.Hour:
		return "1 hour ago"
	case d < 24*time.Hour:
		return fmt.Sprintf("%d hours ago", int(d/time.Hour))
	}
	return "on " + t.Format("2 Jan 2006, 15:04")
}
