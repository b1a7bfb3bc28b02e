package main

import "golang.org/x/crypto/bcrypt"

// A user is an account that can log in.
type user struct {
	ID   int
	Name string
	hash string // bcrypt hash of the password
}

// users are the accounts, by name. A real application looks them up in its
// database; keep the authenticate method's shape when you replace them.
type users map[string]user

// demoUsers returns the demo accounts. The hashes were made once with
// bcrypt.GenerateFromPassword(password, bcrypt.DefaultCost); only the
// hashes are in the program, never the passwords.
func demoUsers() users {
	return users{
		"alice": {ID: 1, Name: "alice", hash: "$2a$10$eCIlTYI3k3mql.VVgc7fzOAPm5MifvJg1tKL67GrN4fWEx1h/mYjy"}, // wonderland
		"bob":   {ID: 2, Name: "bob", hash: "$2a$10$8VHlcFhUn1v94sipa4ZWE.ldixjBcUqUwVNFJwonlpfvRSoz9VhnG"},   // builder
	}
}

// unknownUserHash is the hash of a password nobody has. authenticate
// checks it when the name is unknown, so that a wrong name takes as long
// as a wrong password and the timing does not tell which names exist.
const unknownUserHash = "$2a$10$MH0hoxkAE3ZN93Aes6AG.eOO8q3hBbGTp27eJH5dQeQHeNA2efswi"

// authenticate returns the user with this name and password. bcrypt
// compares in constant time.
func (us users) authenticate(name, password string) (user, bool) {
	u, known := us[name]
	hash := u.hash
	if !known {
		hash = unknownUserHash
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
	return u, known && err == nil
}
