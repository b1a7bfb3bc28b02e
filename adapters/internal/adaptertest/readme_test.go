package adaptertest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README's Go code is whole programs that a new user can paste into a
// module of their own. Each block is marked <!-- snippet: path --> and is
// that file, a whole-file Example, with its package clause made
// "package main" and its Example function made main; the tests compile
// (and, where they have an Output, run) the Examples, and TestREADMEBuilds
// builds every block as a program of its own.

var (
	blockRE   = regexp.MustCompile("(?s)(<!-- snippet: (\\S+) -->\n)?```go\n(.*?)\n```")
	packageRE = regexp.MustCompile(`(?m)^package \w+_test$`)
	exampleRE = regexp.MustCompile(`(?m)^func Example\w*\(\) \{$`)
)

const repo = "../../.."

type snippet struct{ path, code string }

// snippets returns the README's Go blocks, failing t for one without a
// snippet mark.
func snippets(t *testing.T) []snippet {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []snippet
	for _, m := range blockRE.FindAllStringSubmatch(string(readme), -1) {
		if m[2] == "" {
			t.Errorf("README.md has a Go block without a <!-- snippet: path --> mark:\n%.300s", m[3])
			continue
		}
		out = append(out, snippet{m[2], m[3]})
	}
	if len(out) < 4 {
		t.Fatalf("found %d snippets in README.md; want one per adapter at least", len(out))
	}
	return out
}

// asProgram returns an Example file as the program the README shows.
func asProgram(src string) string {
	src = packageRE.ReplaceAllString(src, "package main")
	return strings.TrimSpace(exampleRE.ReplaceAllString(src, "func main() {"))
}

// TestREADMESnippets keeps the README's code honest: every block is, line
// for line, the Example file it cites, as a program.
func TestREADMESnippets(t *testing.T) {
	for _, s := range snippets(t) {
		src, err := os.ReadFile(filepath.Join(repo, s.path))
		if err != nil {
			t.Errorf("README.md cites %s: %v", s.path, err)
			continue
		}
		if want := asProgram(string(src)); strings.TrimSpace(s.code) != want {
			t.Errorf("README.md's snippet of %s is not that file as a program; want:\n%s", s.path, want)
		}
	}
}

// TestREADMEBuilds builds every README block in an empty module that
// requires the library, as a new user who pastes it would, with the
// library replaced by this checkout and no network (GOPROXY=off: what the
// build needs is already in the module cache).
func TestREADMEBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module per snippet: skipped with -short")
	}
	root, err := filepath.Abs(repo)
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gosum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	// The library's own requirements pin the versions of what a snippet
	// imports (gin, echo, fiber...), so nothing needs resolving.
	mod := strings.Replace(string(gomod), "module github.com/transient-go/transient", "module example.com/readme", 1) +
		"\nrequire github.com/transient-go/transient v0.0.0\n\nreplace github.com/transient-go/transient => " + root + "\n"
	for _, s := range snippets(t) {
		t.Run(s.path, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, data := range map[string]string{"go.mod": mod, "go.sum": string(gosum), "main.go": s.code + "\n"} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command("go", "build", "-o", os.DevNull, ".")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=mod", "GOWORK=off")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("the README's snippet of %s does not build in a module of its own: %v\n%s", s.path, err, out)
			}
		})
	}
}
