package core

import "slices"

// Flash appends message to the flash queue named queue; "" is the default
// queue. Flash messages live in the session until a request pops them,
// typically the one that renders the page after a redirect. Pyramid calls
// this flash(msg, queue).
func (s *Session) Flash(message, queue string) {
	s.flash(message, queue, false)
}

// FlashUnique is Flash that does nothing if queue already holds message,
// like Pyramid's flash(msg, queue, allow_duplicate=False).
func (s *Session) FlashUnique(message, queue string) {
	s.flash(message, queue, true)
}

func (s *Session) flash(message, queue string, unique bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record()
	if s.push(queue, message, unique) {
		s.ch.any = true
		s.ch.flashed = append(s.ch.flashed, flash{queue, message, unique})
	}
}

// PopFlash returns the messages of queue, oldest first, and empties it.
// Popping an empty queue returns nil and does not mark the session changed.
// With a server-side store, the messages it returns are gone for every
// request from then on, and messages a concurrent request flashes to the
// queue meanwhile stay for the next page.
func (s *Session) PopFlash(queue string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs := s.take(queue)
	if msgs == nil {
		return nil
	}
	var n int64
	if s.countsMessages() {
		// The queue's last messages are this request's own, not numbered
		// yet; the others were loaded.
		if loaded := len(msgs) - s.ch.pending(queue); loaded > 0 {
			n = s.head(queue) + int64(loaded)
			s.setHead(queue, n)
		}
	}
	s.record()
	s.ch.pop(queue, n)
	return msgs
}

// PeekFlash returns a copy of the messages of queue without removing them.
func (s *Session) PeekFlash(queue string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.findQueue(queue); ok {
		return slices.Clone(s.flashes[i].msgs)
	}
	return nil
}
