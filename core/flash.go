package core

import (
	"slices"
	"strings"
)

// Flash appends message to the flash queue named queue; "" is the default
// queue. Flash messages live in the session until a request pops them,
// typically the one that renders the page after a redirect. Pyramid calls
// this flash(msg, queue).
func (s *Session) Flash(message, queue string) {
	s.flash(message, queue, true)
}

// FlashUnique is Flash that does nothing if queue already holds message,
// like Pyramid's flash(msg, queue, allow_duplicate=False).
func (s *Session) FlashUnique(message, queue string) {
	s.flash(message, queue, false)
}

func (s *Session) flash(message, queue string, duplicates bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.findQueue(queue)
	switch {
	case !ok:
		s.flashes = slices.Insert(s.flashes, i, qu(queue, message))
	case !duplicates && slices.Contains(s.flashes[i].msgs, message):
		return
	default:
		s.flashes[i].msgs = append(s.flashes[i].msgs, message)
	}
	s.dirty = true
}

func qu(name, msg string) queue { return queue{name: name, msgs: []string{msg}} }

// PopFlash returns the messages of queue, oldest first, and empties it.
// Popping an empty queue returns nil and does not mark the session changed.
func (s *Session) PopFlash(queue string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.findQueue(queue)
	if !ok {
		return nil
	}
	msgs := s.flashes[i].msgs
	s.flashes = slices.Delete(s.flashes, i, i+1)
	s.dirty = true
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

func (s *Session) findQueue(name string) (int, bool) {
	return slices.BinarySearchFunc(s.flashes, name, func(q queue, n string) int { return strings.Compare(q.name, n) })
}
