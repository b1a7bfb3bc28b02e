package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/transient-go/transient/core"
)

// output prints what a command found, as text or, with -json, as one JSON
// document.
type output struct {
	w    io.Writer
	json bool
}

// The JSON documents.
type (
	countJSON struct {
		Sessions int `json:"sessions"`
	}
	sessionJSON struct {
		Handle    string    `json:"handle"`
		LastSeen  time.Time `json:"last_seen"`
		Created   time.Time `json:"created"`
		UserAgent string    `json:"user_agent"`
		Address   string    `json:"address"`
	}
	listJSON struct {
		User     string        `json:"user"`
		Sessions []sessionJSON `json:"sessions"`
	}
	endedJSON struct {
		User  string   `json:"user"`
		Ended []string `json:"ended"`
	}
	cleanupJSON struct {
		Deleted int `json:"deleted"`
	}
)

func (o *output) encode(v any) error {
	enc := json.NewEncoder(o.w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (o *output) count(n int, describe string) error {
	if o.json {
		return o.encode(countJSON{n})
	}
	_, err := fmt.Fprintf(o.w, "%d live %s in %s\n", n, plural(n, "session"), describe)
	return err
}

func (o *output) sessions(user string, infos []core.SessionInfo) error {
	if o.json {
		doc := listJSON{User: user, Sessions: []sessionJSON{}}
		for _, s := range infos {
			doc.Sessions = append(doc.Sessions, sessionJSON{
				Handle: s.ID, LastSeen: s.LastSeen.UTC(), Created: s.Created.UTC(),
				UserAgent: s.UserAgent, Address: s.Address,
			})
		}
		return o.encode(doc)
	}
	if len(infos) == 0 {
		_, err := fmt.Fprintf(o.w, "%s has no live session\n", user)
		return err
	}
	fmt.Fprintf(o.w, "%s has %d live %s, the most recently seen first:\n", user, len(infos), plural(len(infos), "session"))
	tw := tabwriter.NewWriter(o.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HANDLE\tLAST SEEN\tCREATED\tDEVICE")
	for _, s := range infos {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, stamp(s.LastSeen), stamp(s.Created), device(s.Device))
	}
	return tw.Flush()
}

func (o *output) ended(user string, handles []string) error {
	if o.json {
		return o.encode(endedJSON{user, handles})
	}
	_, err := fmt.Fprintf(o.w, "ended %d %s of %s\n", len(handles), plural(len(handles), "session"), user)
	for _, h := range handles {
		if err != nil {
			break
		}
		_, err = fmt.Fprintf(o.w, "  %s\n", h)
	}
	return err
}

func (o *output) cleaned(n int) error {
	if o.json {
		return o.encode(cleanupJSON{n})
	}
	_, err := fmt.Fprintf(o.w, "deleted %d expired %s\n", n, plural(n, "row"))
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// device returns d as one line, its tabs and line breaks as spaces: it
// came from a visitor's User-Agent.
func device(d core.Device) string {
	var parts []string
	for _, f := range []string{d.UserAgent, d.Address} {
		if f = strings.Join(strings.Fields(f), " "); f != "" {
			parts = append(parts, f)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}
