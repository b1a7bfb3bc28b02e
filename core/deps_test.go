package core_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps the core free of web frameworks and every
// other dependency: adapters and stores depend on it, never the reverse.
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != "github.com/transient-go/transient/core" {
			t.Errorf("package core depends on %s; it may import only the standard library", pkg)
		}
	}
}
