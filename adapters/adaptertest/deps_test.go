package adaptertest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoFramework keeps the suite free of web frameworks, so that an
// adapter's test pulls in no framework but its own: the drivers of this
// module's adapters live in adapters/internal/drivers.
func TestNoFramework(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	frameworks := []string{"github.com/gin-gonic/", "github.com/labstack/", "github.com/gofiber/", "github.com/valyala/"}
	for _, pkg := range strings.Fields(string(out)) {
		for _, f := range frameworks {
			if strings.HasPrefix(pkg, f) {
				t.Errorf("package adaptertest depends on %s, a web framework's package", pkg)
			}
		}
	}
}
