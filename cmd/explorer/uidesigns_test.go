package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUIDesignsNotDirectory: ui --designs FILE, a file that is not a
// directory, is refused up front (exit 2, naming --designs); its
// "FILE/*.toml" matched nothing and the UI started without a word.
func TestUIDesignsNotDirectory(t *testing.T) {
	f := filepath.Join(t.TempDir(), "mine.toml")
	if err := os.WriteFile(f, []byte("name = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI("ui", "--designs", f)
	if code != 2 || !strings.Contains(errs, `invalid --designs "`+f+`": not a directory`) {
		t.Errorf("exit %d, stderr %q; want exit 2 naming --designs", code, errs)
	}
	if err := checkDesignsDir(filepath.Join(t.TempDir(), "new")); err != nil {
		t.Errorf("a missing directory (made on the first save): %v", err)
	}
}
