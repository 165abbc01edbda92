package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/shufflelab/explorer/runner/weights"
)

// TestRunWarnsAboutBadValues: NaN or infinite weights or input and a
// negative running_var are accepted but warned about, naming the tensor
// (issue 15: they were accepted silently).
func TestRunWarnsAboutBadValues(t *testing.T) {
	f := newFakeDeps()
	nan := float32(math.NaN())
	f.files["w.safetensors"] = map[string]weights.Tensor{
		"conv1.1.running_var": {Shape: []int{2}, Data: []float32{1, -0.25}},
		"fc.weight":           {Shape: []int{2}, Data: []float32{nan, 1}},
	}
	in := make([]float32, 3*32*32)
	in[7] = float32(math.Inf(-1))
	f.files["in.safetensors"] = map[string]weights.Tensor{"input": {Shape: []int{1, 3, 32, 32}, Data: in}}
	var out, errb bytes.Buffer
	args := append(slices.Clone(small), "--weights", "w.safetensors", "--input", "in.safetensors", "--min-iters", "1", "--min-time", "0", "--history", "off")
	if err := runWith(context.Background(), args, &out, &errb, f.deps()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`warning: --weights w.safetensors: tensor "conv1.1.running_var" has 1 negative`,
		`warning: --weights w.safetensors: tensor "fc.weight" has 1 NaN`,
		`warning: --input in.safetensors: tensor "input" has 1 infinite of 3072 values (first at index 7: -Inf)`,
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}

// TestRunSaveIORefusesSymlink is issue 15 reproduction 5 with the real
// safetensors writer: --save-io onto a symbolic link is refused and the
// link's target keeps its bytes; --force replaces the link.
func TestRunSaveIORefusesSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	victim := filepath.Join(dir, "valid.safetensors")
	os.WriteFile(victim, []byte("a valid file"), 0o644)
	link := filepath.Join(dir, "io.safetensors")
	os.Symlink(victim, link)
	f := newFakeDeps()
	d := f.deps()
	d.writeTensors = defaultRunDeps().writeTensors
	args := append(slices.Clone(small), "--save-io", link, "--min-iters", "1", "--min-time", "0", "--history", "off")
	var out, errb bytes.Buffer
	err := runWith(context.Background(), args, &out, &errb, d)
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("--save-io onto a link: %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "a valid file" {
		t.Fatalf("link target overwritten: %q", b)
	}
	if err := runWith(context.Background(), append(args, "--force"), &out, &errb, d); err != nil {
		t.Fatalf("--save-io --force: %v", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "a valid file" {
		t.Errorf("--force wrote through the link: %q", b)
	}
	if st, err := os.Lstat(link); err != nil || !st.Mode().IsRegular() {
		t.Errorf("after --force the path is %v, %v; want a regular file", st.Mode(), err)
	}
}
