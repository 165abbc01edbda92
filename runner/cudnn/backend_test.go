package cudnn

import (
	"strings"
	"testing"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
)

// On a machine without the libraries (a fake empty root, and this
// development machine's real environment, which has no CUDA), Available
// and Compile say why, naming what is missing and where the search looked.
func TestUnavailableMessage(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "usr/lib/x86_64-linux-gnu/libc.so.6")
	b := NewWithEnv(SearchEnv{Root: root, Arch: "x86_64-linux-gnu"})
	if b.Name() != "cudnn" {
		t.Errorf("Name = %q", b.Name())
	}
	err := b.Available()
	if err == nil {
		t.Fatal("Available() = nil on an empty tree")
	}
	msg := err.Error()
	for _, want := range []string{"cudnn backend unavailable: ", "libcudnn.so.9", "not found (looked in: ", root + "/usr/lib/x86_64-linux-gnu"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	g, err := arch.Build(arch.Spec{Family: arch.GuideG1, C1: 4, Res: 3, Blocks: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, cerr := b.Compile(g, testWeights(g, 1), runner.Options{Mode: runner.Fused}); cerr == nil || cerr.Error() != msg {
		t.Errorf("Compile error = %v, want the Available message", cerr)
	}
}

func TestUnavailableHere(t *testing.T) {
	libs := Search(OSSearchEnv())
	if libs.Err() == nil {
		t.Skip("this machine has the CUDA libraries; the unavailable path is covered by TestUnavailableMessage")
	}
	err := New().Available()
	if err == nil || !strings.HasPrefix(err.Error(), "cudnn backend unavailable: ") || !strings.Contains(err.Error(), "looked in") {
		t.Errorf("Available() = %v", err)
	}
	t.Logf("%v", err)
}

func TestCopyKernelEnv(t *testing.T) {
	cases := []struct {
		env     string
		want    CopyKernel
		wantErr bool
	}{
		{"", CopyMemcpy3D, false},
		{"memcpy3d", CopyMemcpy3D, false},
		{"transform", CopyTransform, false},
		{"memcpy", CopyMemcpy3D, true},
	}
	for _, tc := range cases {
		t.Setenv(EnvCopy, tc.env)
		b := New().(*Backend)
		if b.copy != tc.want || (b.copyErr != nil) != tc.wantErr {
			t.Errorf("%s=%q: copy %q err %v, want %q (error %v)", EnvCopy, tc.env, b.copy, b.copyErr, tc.want, tc.wantErr)
		}
		if tc.wantErr && !strings.Contains(b.copyErr.Error(), `"memcpy3d" and "transform"`) {
			t.Errorf("error %q does not name the valid values", b.copyErr)
		}
	}
}
