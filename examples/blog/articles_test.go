package main

import (
	"slices"
	"testing"
)

func TestArticles(t *testing.T) {
	var as articles
	for _, a := range []article{{Title: "one", Author: "alice"}, {Title: "two", Author: "bob"}, {Title: "three", Author: "alice"}} {
		as.add(a)
	}
	tests := []struct {
		name string
		got  []article
		want []string
	}{
		{"newest", as.newest(), []string{"three", "two", "one"}},
		{"by alice", as.by("alice"), []string{"three", "one"}},
		{"by nobody", as.by("carol"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var titles []string
			for _, a := range tt.got {
				titles = append(titles, a.Title)
			}
			if !slices.Equal(titles, tt.want) {
				t.Errorf("titles = %q; want %q", titles, tt.want)
			}
		})
	}
}
