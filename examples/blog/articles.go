package main

import (
	"slices"
	"sync"
	"time"
)

// An article is a blog post.
type article struct {
	Title     string
	Body      string
	Author    string
	Published time.Time
}

// articles holds the blog's articles in memory, so they are lost when the
// process stops: a real application keeps them in its database. It is safe
// for concurrent use.
type articles struct {
	mu   sync.Mutex
	list []article // newest first
}

// add publishes a.
func (as *articles) add(a article) {
	as.mu.Lock()
	defer as.mu.Unlock()
	as.list = slices.Insert(as.list, 0, a)
}

// newest returns every article, newest first.
func (as *articles) newest() []article {
	as.mu.Lock()
	defer as.mu.Unlock()
	return slices.Clone(as.list)
}

// by returns the articles of author, newest first.
func (as *articles) by(author string) []article {
	var mine []article
	for _, a := range as.newest() {
		if a.Author == author {
			mine = append(mine, a)
		}
	}
	return mine
}
