package main

import (
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
	for name, u := range demoUsers() {
		if got, err := bcrypt.Cost([]byte(u.hash)); err != nil || got != want {
			t.Errorf("bcrypt.Cost(%s's hash) = %d, %v; want %d, the unknown user's", name, got, err, want)
		}
	}
}
