package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/transient-go/transient/core"
)

// A command is one of transient's commands.
type command struct {
	args []string // the names of its arguments
	run  func(ctx context.Context, st *store, cfg config, args []string, out *output) error
}

// lookup returns the command called name.
func lookup(name string) (command, bool) {
	switch name {
	case "count":
		return command{nil, count}, true
	case "list":
		return command{[]string{"USER"}, list}, true
	case "end":
		return command{[]string{"USER", "HANDLE"}, end}, true
	case "end-all":
		return command{[]string{"USER"}, endAll}, true
	case "cleanup":
		return command{nil, cleanup}, true
	}
	return command{}, false
}

// manager returns a Manager over st for the application's cookie name,
// that lists every session the store still holds: the store expires each
// one when the application's timeouts end it, so the command needs to
// know neither.
//
// With -token-header, the Manager is the application's for API clients,
// whose sessions are apart from the cookie's.
func manager(st *store, cfg config) (*core.Manager, error) {
	opts := &core.Options{
		CookieName:      cfg.cookieName,
		IdleTimeout:     -1,
		AbsoluteTimeout: 100 * 365 * 24 * time.Hour,
	}
	if cfg.header != "" {
		if cfg.cookieName != core.DefaultCookieName {
			return nil, fmt.Errorf("%w: -cookie-name and -token-header name two Managers' sessions: give one", errUsage)
		}
		opts.CookieName, opts.TokenHeader = "", cfg.header
	}
	m, err := core.NewManager(st.index, opts)
	switch {
	case err != nil && cfg.header != "":
		return nil, fmt.Errorf("%w: -token-header %q: %w", errUsage, cfg.header, err)
	case err != nil:
		return nil, fmt.Errorf("%w: -cookie-name %q: %w", errUsage, cfg.cookieName, err)
	}
	return m, nil
}

func count(ctx context.Context, st *store, _ config, _ []string, out *output) error {
	c, ok := st.index.(counter)
	if !ok {
		return fmt.Errorf("%w: %s cannot count its sessions", errUsage, st.describe)
	}
	n, err := c.Count(ctx)
	if err != nil {
		return err
	}
	return out.count(n, st.describe)
}

func list(ctx context.Context, st *store, cfg config, args []string, out *output) error {
	m, err := manager(st, cfg)
	if err != nil {
		return err
	}
	infos, err := m.Sessions(ctx, args[0])
	if err != nil {
		return err
	}
	return out.sessions(args[0], infos)
}

func end(ctx context.Context, st *store, cfg config, args []string, out *output) error {
	m, err := manager(st, cfg)
	if err != nil {
		return err
	}
	user, handle := args[0], args[1]
	if err := m.EndSession(ctx, user, handle); err != nil {
		if errors.Is(err, core.ErrNotFound) {
			return fmt.Errorf("%s has no live session %s (%s): %w", user, handle, cfg.under(), err)
		}
		return err
	}
	return out.ended(user, []string{handle})
}

// endAll ends every session of the user, one by one, as
// Manager.EndAllSessions does, to say which it ended.
func endAll(ctx context.Context, st *store, cfg config, args []string, out *output) error {
	m, err := manager(st, cfg)
	if err != nil {
		return err
	}
	user := args[0]
	infos, err := m.Sessions(ctx, user)
	if err != nil {
		return err
	}
	ended := []string{}
	for _, info := range infos {
		switch err := m.EndSession(ctx, user, info.ID); {
		case errors.Is(err, core.ErrNotFound): // ended meanwhile
		case err != nil:
			return err
		default:
			ended = append(ended, info.ID)
		}
	}
	return out.ended(user, ended)
}

func cleanup(ctx context.Context, st *store, _ config, _ []string, out *output) error {
	c, ok := st.index.(cleaner)
	if !ok {
		return fmt.Errorf("%w: cleanup is for PostgreSQL; Redis deletes expired sessions itself", errUsage)
	}
	n, err := c.Cleanup(ctx)
	if err != nil {
		return err
	}
	return out.cleaned(n)
}

// under says whose sessions the command sees: those issued under the cookie
// name, or through the token header.
func (cfg config) under() string {
	if cfg.header != "" {
		return fmt.Sprintf("through the token header %q", cfg.header)
	}
	return fmt.Sprintf("under the cookie name %q", cfg.cookieName)
}
