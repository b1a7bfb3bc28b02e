package main

// nextPage returns next if it is a page of this site to send a visitor to
// once they log in, and "" otherwise: anyone can make a link to the login
// form with a next of their choosing, and the login must not send the
// visitor to another site from there. A page of this site is a path, with
// a query if any, as loginRequired writes it: it starts with a single "/"
// ("//host" and "/\host" name another host to a browser), and holds
// printable ASCII only, without spaces or backslashes, so that no scheme,
// host or line break can hide in it.
func nextPage(next string) string {
	if next == "" || next[0] != '/' || len(next) > 1 && (next[1] == '/' || next[1] == '\\') {
		return ""
	}
	for i := range len(next) {
		if c := next[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return ""
		}
	}
	return next
}
