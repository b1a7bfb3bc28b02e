package drivers_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The Go code of the README and of the guides in docs/ is whole programs
// that a new user can paste into a module of their own. Each block is
// marked <!-- snippet: path --> and is that file, a whole-file Example,
// with its package clause made "package main" and its Example function
// made main. The tests compile (and, where they have an Output, run) the
// Examples; TestDocSnippets checks that each block is its file, and
// TestDocPrograms (programs_test.go) builds each block as a program of its
// own and runs it. A block may also be a file of examples/adapter, a
// module of its own (a third party's adapter and its test): it is that
// file as it is, which .ci/run builds and tests in its module.

var (
	blockRE   = regexp.MustCompile("(?s)(<!-- snippet: (\\S+) -->\n)?```go\n(.*?)\n```")
	packageRE = regexp.MustCompile(`(?m)^package \w+_test$`)
	exampleRE = regexp.MustCompile(`(?m)^func Example\w*\(\) \{$`)
	linkRE    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	headingRE = regexp.MustCompile(`(?m)^#+ (.+)$`)
)

const repo = "../../.."

// snippet is a Go block of a document: the Example file it is (path) and
// its code.
type snippet struct{ doc, path, code string }

// docs returns the README and the guides in docs/, as paths from the
// repository's root.
func docs(t *testing.T) []string {
	t.Helper()
	guides, err := filepath.Glob(filepath.Join(repo, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{"README.md"}
	for _, g := range guides {
		out = append(out, filepath.ToSlash(strings.TrimPrefix(g, repo+string(filepath.Separator))))
	}
	if len(out) < 2 {
		t.Fatal("found no guide in docs/")
	}
	return out
}

func readDoc(t *testing.T, doc string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repo, doc))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// snippets returns the Go blocks of every document, failing t for one
// without a snippet mark.
func snippets(t *testing.T) []snippet {
	t.Helper()
	var out []snippet
	for _, doc := range docs(t) {
		for _, m := range blockRE.FindAllStringSubmatch(readDoc(t, doc), -1) {
			if m[2] == "" {
				t.Errorf("%s has a Go block without a <!-- snippet: path --> mark:\n%.300s", doc, m[3])
				continue
			}
			out = append(out, snippet{doc, m[2], m[3]})
		}
	}
	if len(out) < 4 {
		t.Fatalf("found %d snippets; want one per adapter at least", len(out))
	}
	return out
}

// asProgram returns an Example file as the program the documents show, and
// any other file as it is.
func asProgram(src string) string {
	if !exampleRE.MatchString(src) {
		return strings.TrimSpace(src)
	}
	src = packageRE.ReplaceAllString(src, "package main")
	return strings.TrimSpace(exampleRE.ReplaceAllString(src, "func main() {"))
}

// TestDocSnippets keeps the documents' code honest: every block is, line
// for line, the Example file it cites, as a program, or the file of
// examples/adapter it cites.
func TestDocSnippets(t *testing.T) {
	for _, s := range snippets(t) {
		src, err := os.ReadFile(filepath.Join(repo, s.path))
		if err != nil {
			t.Errorf("%s cites %s: %v", s.doc, s.path, err)
			continue
		}
		if !exampleRE.Match(src) && !strings.HasPrefix(s.path, "examples/adapter/") {
			t.Errorf("%s cites %s, which is not a whole-file Example", s.doc, s.path)
			continue
		}
		if want := asProgram(string(src)); strings.TrimSpace(s.code) != want {
			t.Errorf("%s's snippet of %s is not that file as a program; want:\n%s", s.doc, s.path, want)
		}
	}
}

// TestREADMEFrontDoor keeps the README a front door: about 300 lines at
// most, both commands a newcomer needs (run the blog, run the tests) on
// its first screen, and a link to every guide and to the blog's README.
func TestREADMEFrontDoor(t *testing.T) {
	const maxLines, screen = 300, 40
	readme := readDoc(t, "README.md")
	lines := strings.Split(strings.TrimSuffix(readme, "\n"), "\n")
	if len(lines) > maxLines {
		t.Errorf("README.md is %d lines; keep it to %d and move the rest into docs/", len(lines), maxLines)
	}
	first := strings.Join(lines[:min(screen, len(lines))], "\n")
	for _, cmd := range []string{"go run ./examples/blog", "go test -race ./..."} {
		if !strings.Contains(first, cmd) {
			t.Errorf("README.md's first %d lines do not show %q", screen, cmd)
		}
	}
	var links []string
	for _, m := range linkRE.FindAllStringSubmatch(readme, -1) {
		links = append(links, strings.SplitN(m[1], "#", 2)[0])
	}
	for _, doc := range append(docs(t)[1:], "examples/blog/README.md") {
		if !slices.Contains(links, doc) {
			t.Errorf("README.md does not link %s", doc)
		}
	}
}

// TestDocLinks follows every relative link of the documents: the file it
// names exists and, for a link to a heading, so does the heading (as
// GitHub names its anchor).
func TestDocLinks(t *testing.T) {
	for _, doc := range append(docs(t), "examples/blog/README.md", "SECURITY.md") {
		for _, m := range linkRE.FindAllStringSubmatch(readDoc(t, doc), -1) {
			target, anchor, _ := strings.Cut(m[1], "#")
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file := doc
			if target != "" {
				file = filepath.ToSlash(filepath.Join(filepath.Dir(doc), target))
			}
			info, err := os.Stat(filepath.Join(repo, file))
			if err != nil {
				t.Errorf("%s links %s, which does not exist", doc, m[1])
				continue
			}
			if anchor != "" && !info.IsDir() && !slices.Contains(anchors(readDoc(t, file)), anchor) {
				t.Errorf("%s links %s: %s has no heading whose anchor is #%s", doc, m[1], file, anchor)
			}
		}
	}
}

// anchors returns the anchors GitHub gives a Markdown file's headings:
// lower case, spaces as hyphens, punctuation other than hyphens and
// underscores dropped.
func anchors(md string) []string {
	var out []string
	for _, m := range headingRE.FindAllStringSubmatch(md, -1) {
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(m[1])) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
				b.WriteRune(r)
			}
		}
		out = append(out, b.String())
	}
	return out
}

// programs returns each Example file the documents cite, once, with the
// code of its block.
func programs(t *testing.T) []snippet {
	t.Helper()
	var out []snippet
	seen := map[string]bool{}
	for _, s := range snippets(t) {
		if !strings.Contains(s.code, "\nfunc main() {") {
			continue // a file of examples/adapter's module, tested there
		}
		if !seen[s.path] {
			seen[s.path] = true
			out = append(out, s)
		}
	}
	return out
}

func (s snippet) String() string { return fmt.Sprintf("%s (%s)", s.path, s.doc) }
