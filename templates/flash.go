package templates

import "github.com/transient-go/transient/core"

// DefaultQueues returns the flash queues [Flashes] pops when it is given
// none, in the order they are shown: success, info, warning, error and the
// default queue "" of [core.Session.Flash].
func DefaultQueues() []string {
	return []string{"success", "info", "warning", "error", ""}
}

// A Flash is the messages of one flash queue, ready for [FlashesTemplate].
type Flash struct {
	Queue    string   // the queue's name; "" is the default queue
	Class    string   // for CSS: the queue's name, or "default"; the partial writes class="flash flash-CLASS"
	Messages []string // oldest first
}

// Flashes pops the flash queues named by queues, or [DefaultQueues] when
// none are named, and returns the ones that held messages, in the order
// given. Popping changes the session, so call it before the response
// starts, as a handler does when it builds a page's data.
func Flashes(s *core.Session, queues ...string) []Flash {
	if len(queues) == 0 {
		queues = DefaultQueues()
	}
	var flashes []Flash
	for _, q := range queues {
		if msgs := s.PopFlash(q); len(msgs) > 0 {
			flashes = append(flashes, Flash{Queue: q, Class: className(q), Messages: msgs})
		}
	}
	return flashes
}

// className returns the CSS class suffix for a queue: its name when that is
// a plain identifier (letters, digits, '-' and '_'), "default" otherwise,
// which includes the default queue "".
func className(queue string) string {
	if queue == "" {
		return "default"
	}
	for _, c := range queue {
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
		if !ok {
			return "default"
		}
	}
	return queue
}
