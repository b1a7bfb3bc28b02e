package core_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"net/http"
	"time"

	"github.com/transient-go/transient/core"
	"github.com/transient-go/transient/core/cookiestore"
	"github.com/transient-go/transient/core/memstore"
)

// sessionForExample returns a new session, as ExampleManager_Begin does.
func sessionForExample() *core.Session {
	store, err := memstore.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	s, err := core.FromContext(m.Begin(new(core.Session), context.Background(), nil))
	if err != nil {
		log.Fatal(err)
	}
	return s
}

// Outside a request, in a test or a background job, Begin with no cookies
// gives a new session to hand to code that takes one. It is never saved.
func ExampleManager_Begin() {
	store, err := memstore.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	m, err := core.NewManager(store, nil)
	if err != nil {
		log.Fatal(err)
	}
	ctx := m.Begin(new(core.Session), context.Background(), nil)
	s, err := core.FromContext(ctx) // what a handler's code below would call
	if err != nil {
		log.Fatal(err)
	}
	_ = s.Set("user_id", 42)
	id, _ := s.Int("user_id")
	fmt.Println(id, s.IsNew())
	// Output:
	// 42 true
}

func ExampleNewManager() {
	store, err := cookiestore.New(&cookiestore.Options{
		Secrets: []string{"a secret of at least 32 bytes, from your config"},
	})
	if err != nil {
		log.Fatal(err)
	}
	m, err := core.NewManager(store, &core.Options{
		IdleTimeout: time.Hour,
		MaxAge:      30 * 24 * time.Hour, // survive browser restarts
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = m // hand m to an adapter's middleware

	_, err = core.NewManager(store, &core.Options{SameSite: http.SameSiteNoneMode, Insecure: true})
	fmt.Println(err)
	// Output:
	// core: invalid session configuration: SameSite=None requires Secure (do not set Insecure)
}

func ExampleSession_Flash() {
	s := sessionForExample()
	s.Flash("Article saved successfully!", "success")
	s.Flash("Your password expires soon.", "warning")
	s.FlashUnique("Your password expires soon.", "warning") // already there: skipped

	fmt.Println(s.PeekFlash("warning")) // still there
	fmt.Println(s.PopFlash("success"))
	fmt.Println(s.PopFlash("success")) // shown once
	fmt.Println(s.PopFlash("warning"))
	// Output:
	// [Your password expires soon.]
	// [Article saved successfully!]
	// []
	// [Your password expires soon.]
}

func ExampleGet() {
	s := sessionForExample()
	type cart struct {
		Items []string `json:"items"`
		Total int64    `json:"total"`
	}
	_ = s.Set("user_id", int64(math.MaxInt64))
	_ = s.Set("cart", cart{Items: []string{"book"}, Total: 1250})

	id, _ := core.Get[int64](s, "user_id") // exact, not a float64
	c, _ := core.Get[cart](s, "cart")
	_, err := core.Get[string](s, "missing")
	fmt.Println(id)
	fmt.Println(c.Items, c.Total)
	fmt.Println(err)
	// Output:
	// 9223372036854775807
	// [book] 1250
	// core: no such key in session
}

func ExampleSession_Set() {
	s := sessionForExample()
	err := s.Set("callback", func() {}) // rejected now, not when the response is on its way
	fmt.Println(err)
	_ = s.Set("username", "alice")
	name, ok := s.String("username")
	fmt.Println(name, ok)
	// Output:
	// core: value cannot be stored in a session: key "callback": json: unsupported type: func()
	// alice true
}

func ExampleSession_CSRFToken() {
	s := sessionForExample()
	token := s.CSRFToken() // put it in a hidden form field
	fmt.Println(len(token), s.CheckCSRFToken(token), s.CheckCSRFToken("forged"))
	// Output:
	// 43 true false
}
