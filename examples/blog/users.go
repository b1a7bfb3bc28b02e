package main

import (
	"errors"
	"runtime"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// A user is an account that can log in.
type user struct {
	ID   int
	Name string
	hash string // bcrypt hash of the password
}

// users are the accounts, by name. A real application looks them up in its
// database; keep the methods' shapes when you replace them. It is safe for
// concurrent use: two password changes of one account at once are decided
// by the password at the moment each is saved, not by the one each read.
type users struct {
	cost int // bcrypt cost of the hashes setPassword makes

	// hashing admits as many bcrypt computations at once as there are
	// CPUs. bcrypt holds a CPU for tens of milliseconds on purpose: a
	// burst of logins that all hashed at once would queue every other
	// goroutine behind them, those that read the session store's answers
	// among them, long enough for the store's calls to time out.
	hashing chan struct{}

	mu     sync.Mutex
	byName map[string]user
}

// newUsers returns the accounts us, whose new passwords are hashed with
// bcrypt at cost.
func newUsers(cost int, us ...user) *users {
	m := make(map[string]user, len(us))
	for _, u := range us {
		m[u.Name] = u
	}
	return &users{cost: cost, hashing: make(chan struct{}, runtime.GOMAXPROCS(0)), byName: m}
}

// withCPU runs f, a bcrypt computation, once hashing admits it.
func (us *users) withCPU(f func()) {
	us.hashing <- struct{}{}
	defer func() { <-us.hashing }()
	f()
}

// demoUsers returns the demo accounts. The hashes were made once with
// bcrypt.GenerateFromPassword(password, bcrypt.DefaultCost); only the
// hashes are in the program, never the passwords. A changed password lasts
// until the process stops.
func demoUsers() *users {
	return newUsers(bcrypt.DefaultCost,
		user{ID: 1, Name: "alice", hash: "$2a$10$eCIlTYI3k3mql.VVgc7fzOAPm5MifvJg1tKL67GrN4fWEx1h/mYjy"}, // wonderland
		user{ID: 2, Name: "bob", hash: "$2a$10$8VHlcFhUn1v94sipa4ZWE.ldixjBcUqUwVNFJwonlpfvRSoz9VhnG"},   // builder
	)
}

// unknownUserHash is the hash of a password nobody has. authenticate
// checks it when the name is unknown, so that a wrong name takes as long
// as a wrong password and the timing does not tell which names exist.
const unknownUserHash = "$2a$10$MH0hoxkAE3ZN93Aes6AG.eOO8q3hBbGTp27eJH5dQeQHeNA2efswi"

// lookup returns the user with this name, and whether there is one.
func (us *users) lookup(name string) (user, bool) {
	us.mu.Lock()
	defer us.mu.Unlock()
	u, ok := us.byName[name]
	return u, ok
}

// authenticate returns the user with this name and password. bcrypt
// compares in constant time, and takes long on purpose: the lock is not
// held meanwhile.
func (us *users) authenticate(name, password string) (user, bool) {
	u, known := us.lookup(name)
	hash := u.hash
	if !known {
		hash = unknownUserHash
	}
	var err error
	us.withCPU(func() { err = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) })
	return u, known && err == nil
}

// Password rules for setPassword. bcrypt reads at most 72 bytes.
const (
	minPassword = 8
	maxPassword = 72
)

var (
	errWrongPassword = errors.New("the current password is wrong")
	errPasswordSize  = errors.New("the new password must be 8 to 72 bytes long")
)

// setPassword changes name's password from current to next. It returns
// errWrongPassword unless current is the password at the moment the new
// one is saved, and errPasswordSize for a new password that is too short
// or too long.
func (us *users) setPassword(name, current, next string) error {
	if len(next) < minPassword || len(next) > maxPassword {
		return errPasswordSize
	}
	for {
		u, ok := us.authenticate(name, current)
		if !ok {
			return errWrongPassword
		}
		var hash []byte
		var err error
		us.withCPU(func() { hash, err = bcrypt.GenerateFromPassword([]byte(next), us.cost) })
		if err != nil {
			return err
		}
		// Save the new hash only if the old one is still the one that
		// current matched: another change may have been saved meanwhile,
		// and then current is checked again, against that one.
		us.mu.Lock()
		now, ok := us.byName[name]
		saved := ok && now.hash == u.hash
		if saved {
			now.hash = string(hash)
			us.byName[name] = now
		}
		us.mu.Unlock()
		if saved {
			return nil
		}
	}
}
