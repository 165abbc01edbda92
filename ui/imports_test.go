package ui

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOnlyUIImportsCharm enforces design.md section 3: only ui and
// cmd/explorer may import the Charm libraries (bubbletea, bubbles,
// lipgloss, ntcharts and charmbracelet/x); domain packages stay free of them.
func TestOnlyUIImportsCharm(t *testing.T) {
	root := ".."
	charm := []string{"charm.land/", "github.com/charmbracelet/", "github.com/NimbleMarkets/"}
	allowed := []string{"ui", filepath.Join("cmd", "explorer")}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		dir := filepath.Dir(rel)
		for _, a := range allowed {
			if dir == a {
				return nil
			}
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, c := range charm {
				if strings.HasPrefix(p, c) {
					t.Errorf("%s imports %s; only ui and cmd/explorer may import Charm libraries", rel, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
