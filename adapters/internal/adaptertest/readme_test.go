package adaptertest_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMESnippets keeps the README's code honest: every block marked
// <!-- snippet: path --> must appear, line for line, in that file, whose
// Example functions the tests compile and run.
func TestREADMESnippets(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)<!-- snippet: (\\S+) -->\n```go\n(.*?)\n```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) < 4 {
		t.Fatalf("found %d snippets in README.md; want one per adapter at least", len(blocks))
	}
	for _, b := range blocks {
		path, code := b[1], b[2]
		src, err := os.ReadFile("../../../" + path)
		if err != nil {
			t.Errorf("README.md cites %s: %v", path, err)
			continue
		}
		// Example bodies are indented by one tab more than the README.
		lines := strings.Split(code, "\n")
		for i, l := range lines {
			if l != "" {
				lines[i] = "\t" + l
			}
		}
		if !strings.Contains(string(src), strings.Join(lines, "\n")) {
			t.Errorf("README.md's snippet of %s no longer matches it:\n%s", path, code)
		}
	}
}
