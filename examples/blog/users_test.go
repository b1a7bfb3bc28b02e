package main

import (
	"errors"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestAuthenticate(t *testing.T) {
	users := demoUsers()
	tests := []struct {
		name, user, password string
		want                 bool
	}{
		{"alice", "alice", "wonderland", true},
		{"bob", "bob", "builder", true},
		{"wrong password", "alice", "builder", false},
		{"unknown user", "mallory", "wonderland", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, ok := users.authenticate(tt.user, tt.password)
			if ok != tt.want || (ok && u.Name != tt.user) {
				t.Errorf("authenticate(%q, %q) = %+v, %v; want %v", tt.user, tt.password, u, ok, tt.want)
			}
		})
	}
}

// An unknown name must cost as much as a wrong password.
func TestUnknownUserHashCost(t *testing.T) {
	want, err := bcrypt.Cost([]byte(unknownUserHash))
	if err != nil {
		t.Fatal(err)
	}
	for name, u := range demoUsers().byName {
		if got, err := bcrypt.Cost([]byte(u.hash)); err != nil || got != want {
			t.Errorf("bcrypt.Cost(%s's hash) = %d, %v; want %d, the unknown user's", name, got, err, want)
		}
	}
}

func TestSetPassword(t *testing.T) {
	tests := []struct {
		name, user, current, next string
		want                      error
	}{
		{"changed", "carol", carolPassword, "a new password", nil},
		{"wrong password", "carol", "not carol's", "a new password", errWrongPassword},
		{"unknown user", "mallory", carolPassword, "a new password", errWrongPassword},
		{"too short", "carol", carolPassword, "1234567", errPasswordSize},
		{"shortest", "carol", carolPassword, "12345678", nil},
		{"longest", "carol", carolPassword, string(make([]byte, 72)), nil},
		{"too long", "carol", carolPassword, string(make([]byte, 73)), errPasswordSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			us := testUsers(t)
			err := us.setPassword(tt.user, tt.current, tt.next)
			if !errors.Is(err, tt.want) {
				t.Fatalf("setPassword(%q, %q, %q) = %v; want %v", tt.user, tt.current, tt.next, err, tt.want)
			}
			if _, ok := us.authenticate(tt.user, tt.next); ok != (err == nil) {
				t.Errorf("after setPassword = %v: authenticate with the new password = %v; want %v", err, ok, err == nil)
			}
			if _, ok := us.authenticate(tt.user, tt.current); err == nil && ok {
				t.Errorf("after setPassword = nil: authenticate with the old password = true; want false")
			}
		})
	}
}

// Two changes from the same password at once: one wins, the other finds
// the password changed and fails, and the password is the winner's.
func TestSetPasswordConcurrent(t *testing.T) {
	us := testUsers(t)
	nexts := []string{"first new password", "second new password"}
	errs := make([]error, len(nexts))
	var wg sync.WaitGroup
	for i, next := range nexts {
		wg.Go(func() { errs[i] = us.setPassword("carol", carolPassword, next) })
	}
	wg.Wait()
	var won []string
	for i, err := range errs {
		switch {
		case err == nil:
			won = append(won, nexts[i])
		case !errors.Is(err, errWrongPassword):
			t.Errorf("setPassword(%q) = %v; want nil or errWrongPassword", nexts[i], err)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d changes succeeded (%q); want exactly one", len(won), won)
	}
	for _, pw := range append(nexts, carolPassword) {
		if _, ok := us.authenticate("carol", pw); ok != (pw == won[0]) {
			t.Errorf("authenticate(carol, %q) = %v; want %v", pw, ok, pw == won[0])
		}
	}
}
