package cudnn

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// touch creates empty files (and their directories) under root.
func touch(t *testing.T, root string, rels ...string) {
	t.Helper()
	for _, r := range rels {
		p := filepath.Join(root, r)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The layouts below are those of NVIDIA's pip wheels (the ones PyTorch
// installs, listed in NVIDIA/cuda-python's supported_nvidia_libs.py): CUDA 13 wheels put the CUDA libraries in nvidia/cu13/lib, CUDA 12 wheels
// in nvidia/<pkg>/lib, cuDNN 9 in nvidia/cudnn/lib in both.
var (
	cu13Wheel = []string{
		"nvidia/cu13/lib/libcudart.so.13", "nvidia/cu13/lib/libcublas.so.13",
		"nvidia/cu13/lib/libcublasLt.so.13", "nvidia/cu13/lib/libnvrtc.so.13",
		"nvidia/cudnn/lib/libcudnn.so.9", "nvidia/cudnn/lib/libcudnn_graph.so.9",
		"nvidia/cudnn/lib/libcudnn_ops.so.9", "nvidia/cudnn/lib/libcudnn_cnn.so.9",
	}
	cu12Wheel = []string{
		"nvidia/cuda_runtime/lib/libcudart.so.12", "nvidia/cublas/lib/libcublas.so.12",
		"nvidia/cublas/lib/libcublasLt.so.12",
		"nvidia/cudnn/lib/libcudnn.so.9", "nvidia/cudnn/lib/libcudnn_graph.so.9",
		"nvidia/cudnn/lib/libcudnn_ops.so.9", "nvidia/cudnn/lib/libcudnn_cnn.so.9",
	}
	cudaToolkit12 = []string{"libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libnvrtc.so.12"}
)

func prefixed(pre string, rels []string) []string {
	out := make([]string, len(rels))
	for i, r := range rels {
		out[i] = filepath.Join(pre, r)
	}
	return out
}

func TestSearchLayouts(t *testing.T) {
	type want struct {
		cuda                                                   int
		cudart, cublasLt, cublas, nvrtc, graph, ops, cnn, shim string
	}
	tests := []struct {
		name  string
		files []string // relative to the temp root
		env   func(root string) SearchEnv
		want  want // paths relative to the temp root
	}{
		{
			name:  "cu13 wheel in /usr/local/lib/python3.12/dist-packages",
			files: prefixed("usr/local/lib/python3.12/dist-packages", cu13Wheel),
			env:   func(root string) SearchEnv { return SearchEnv{Root: root} },
			want: want{13, "usr/local/lib/python3.12/dist-packages/nvidia/cu13/lib/libcudart.so.13",
				"usr/local/lib/python3.12/dist-packages/nvidia/cu13/lib/libcublasLt.so.13",
				"usr/local/lib/python3.12/dist-packages/nvidia/cu13/lib/libcublas.so.13",
				"usr/local/lib/python3.12/dist-packages/nvidia/cu13/lib/libnvrtc.so.13",
				"usr/local/lib/python3.12/dist-packages/nvidia/cudnn/lib/libcudnn_graph.so.9",
				"usr/local/lib/python3.12/dist-packages/nvidia/cudnn/lib/libcudnn_ops.so.9",
				"usr/local/lib/python3.12/dist-packages/nvidia/cudnn/lib/libcudnn_cnn.so.9",
				"usr/local/lib/python3.12/dist-packages/nvidia/cudnn/lib/libcudnn.so.9"},
		},
		{
			name:  "cu12 wheel in a venv, no nvrtc",
			files: prefixed("venv/lib/python3.11/site-packages", cu12Wheel),
			env: func(root string) SearchEnv {
				return SearchEnv{Root: filepath.Join(root, "sys"), VirtualEnv: filepath.Join(root, "venv")}
			},
			want: want{12, "venv/lib/python3.11/site-packages/nvidia/cuda_runtime/lib/libcudart.so.12",
				"venv/lib/python3.11/site-packages/nvidia/cublas/lib/libcublasLt.so.12",
				"venv/lib/python3.11/site-packages/nvidia/cublas/lib/libcublas.so.12", "",
				"venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn_graph.so.9",
				"venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn_ops.so.9",
				"venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn_cnn.so.9",
				"venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn.so.9"},
		},
		{
			// A CUDA 12 toolkit comes earlier in the search order than
			// site-packages, but the CUDA libraries of cuDNN's own wheel tree
			// win so that one consistent set is loaded.
			name: "cuDNN's wheel tree beats an earlier toolkit",
			files: append(prefixed("usr/local/cuda-12.4/lib64", cudaToolkit12),
				prefixed("home/u/.local/lib/python3.12/site-packages", cu13Wheel)...),
			env: func(root string) SearchEnv { return SearchEnv{Root: root, Home: filepath.Join(root, "home/u")} },
			want: want{13, "home/u/.local/lib/python3.12/site-packages/nvidia/cu13/lib/libcudart.so.13",
				"home/u/.local/lib/python3.12/site-packages/nvidia/cu13/lib/libcublasLt.so.13",
				"home/u/.local/lib/python3.12/site-packages/nvidia/cu13/lib/libcublas.so.13",
				"home/u/.local/lib/python3.12/site-packages/nvidia/cu13/lib/libnvrtc.so.13",
				"home/u/.local/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn_graph.so.9",
				"home/u/.local/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn_ops.so.9",
				"home/u/.local/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn_cnn.so.9",
				"home/u/.local/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn.so.9"},
		},
		{
			name: "toolkit for CUDA, cuDNN from the system lib dir (no shim)",
			files: append(prefixed("usr/local/cuda/lib64", cudaToolkit12),
				"usr/lib/x86_64-linux-gnu/libcudnn_graph.so.9", "usr/lib/x86_64-linux-gnu/libcudnn_ops.so.9",
				"usr/lib/x86_64-linux-gnu/libcudnn_cnn.so.9"),
			env: func(root string) SearchEnv { return SearchEnv{Root: root, Arch: "x86_64-linux-gnu"} },
			want: want{12, "usr/local/cuda/lib64/libcudart.so.12", "usr/local/cuda/lib64/libcublasLt.so.12",
				"usr/local/cuda/lib64/libcublas.so.12", "usr/local/cuda/lib64/libnvrtc.so.12",
				"usr/lib/x86_64-linux-gnu/libcudnn_graph.so.9", "usr/lib/x86_64-linux-gnu/libcudnn_ops.so.9",
				"usr/lib/x86_64-linux-gnu/libcudnn_cnn.so.9", ""},
		},
		{
			name: "env override (a site-packages) comes first",
			files: append(prefixed("usr/local/lib/python3.12/dist-packages", cu12Wheel),
				prefixed("opt/torch", cu13Wheel)...),
			env: func(root string) SearchEnv {
				return SearchEnv{Root: root, Override: filepath.Join(root, "nowhere") + ":" + filepath.Join(root, "opt/torch")}
			},
			want: want{13, "opt/torch/nvidia/cu13/lib/libcudart.so.13", "opt/torch/nvidia/cu13/lib/libcublasLt.so.13",
				"opt/torch/nvidia/cu13/lib/libcublas.so.13", "opt/torch/nvidia/cu13/lib/libnvrtc.so.13",
				"opt/torch/nvidia/cudnn/lib/libcudnn_graph.so.9", "opt/torch/nvidia/cudnn/lib/libcudnn_ops.so.9",
				"opt/torch/nvidia/cudnn/lib/libcudnn_cnn.so.9", "opt/torch/nvidia/cudnn/lib/libcudnn.so.9"},
		},
		{
			name: "LD_LIBRARY_PATH before CUDA install dirs",
			files: append(prefixed("usr/local/cuda/lib64", cudaToolkit12),
				prefixed("ld", append([]string{"libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9"}, cudaToolkit12[:3]...))...),
			env: func(root string) SearchEnv { return SearchEnv{Root: root, LDPath: filepath.Join(root, "ld")} },
			want: want{12, "ld/libcudart.so.12", "ld/libcublasLt.so.12", "ld/libcublas.so.12",
				"usr/local/cuda/lib64/libnvrtc.so.12",
				"ld/libcudnn_graph.so.9", "ld/libcudnn_ops.so.9", "ld/libcudnn_cnn.so.9", ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			touch(t, root, tc.files...)
			l := Search(tc.env(root))
			abs := func(r string) string {
				if r == "" {
					return ""
				}
				return filepath.Join(root, r)
			}
			w := tc.want
			got := []string{l.Cudart, l.CublasLt, l.Cublas, l.Nvrtc, l.CudnnGraph, l.CudnnOps, l.CudnnCnn, l.Cudnn}
			exp := []string{abs(w.cudart), abs(w.cublasLt), abs(w.cublas), abs(w.nvrtc), abs(w.graph), abs(w.ops), abs(w.cnn), abs(w.shim)}
			names := []string{"cudart", "cublasLt", "cublas", "nvrtc", "cudnn_graph", "cudnn_ops", "cudnn_cnn", "cudnn"}
			for i := range got {
				if got[i] != exp[i] {
					t.Errorf("%s = %q, want %q", names[i], got[i], exp[i])
				}
			}
			if l.CUDA != w.cuda {
				t.Errorf("CUDA = %d, want %d", l.CUDA, w.cuda)
			}
			if err := l.Err(); err != nil {
				t.Errorf("Err() = %v, want nil", err)
			}
		})
	}
}

func TestSearchLoadOrder(t *testing.T) {
	root := t.TempDir()
	site := "usr/lib/python3/dist-packages"
	touch(t, root, prefixed(site, cu13Wheel)...)
	l := Search(SearchEnv{Root: root})
	var bases []string
	for _, p := range l.LoadOrder() {
		bases = append(bases, filepath.Base(p))
	}
	// Dependency order (each library's DT_NEEDED entries, and cuDNN 9's
	// split into sub-libraries that the shim dlopens by soname): runtime,
	// cuBLASLt, cuBLAS, NVRTC, then cuDNN graph -> ops -> cnn, shim last.
	want := []string{"libcudart.so.13", "libcublasLt.so.13", "libcublas.so.13", "libnvrtc.so.13",
		"libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn.so.9"}
	if !slices.Equal(bases, want) {
		t.Errorf("LoadOrder = %v, want %v", bases, want)
	}
	for _, p := range l.LoadOrder() {
		if !filepath.IsAbs(p) {
			t.Errorf("LoadOrder path %q is not absolute", p)
		}
	}
}

func TestSearchMissing(t *testing.T) {
	tests := []struct {
		name    string
		files   []string
		missing []string
	}{
		{"nothing", nil, []string{"libcudnn.so.9", "libcudart.so.13 or libcudart.so.12"}},
		{"CUDA only", prefixed("usr/local/cuda/lib64", cudaToolkit12), []string{"libcudnn.so.9"}},
		{"cuDNN shim without sub-libraries", append(prefixed("usr/local/cuda/lib64", cudaToolkit12), "usr/local/cuda/lib64/libcudnn.so.9"), []string{"libcudnn.so.9"}},
		{"cuDNN without cnn, runtime without cuBLAS",
			[]string{"usr/local/cuda/lib64/libcudart.so.13", "usr/local/cuda/lib64/libcudnn_graph.so.9", "usr/local/cuda/lib64/libcudnn_ops.so.9"},
			[]string{"libcudnn_cnn.so.9", "libcublasLt.so.13", "libcublas.so.13"}},
		{"mismatched cuBLAS major", []string{"usr/local/cuda/lib64/libcudart.so.13", "usr/local/cuda/lib64/libcublas.so.12",
			"usr/local/cuda/lib64/libcublasLt.so.12", "usr/local/cuda/lib64/libcudnn_graph.so.9",
			"usr/local/cuda/lib64/libcudnn_ops.so.9", "usr/local/cuda/lib64/libcudnn_cnn.so.9"},
			[]string{"libcublasLt.so.13", "libcublas.so.13"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			touch(t, root, tc.files...)
			l := Search(SearchEnv{Root: root, Arch: "x86_64-linux-gnu"})
			if got := l.Missing(); !slices.Equal(got, tc.missing) {
				t.Errorf("Missing() = %v, want %v", got, tc.missing)
			}
			err := l.Err()
			if err == nil {
				t.Fatal("Err() = nil, want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.missing[0]) || !strings.Contains(msg, "not found (looked in: ") {
				t.Errorf("Err() = %q, want it to name %s and where it looked", msg, tc.missing[0])
			}
			shown := l.Looked
			if len(shown) == 0 {
				shown = l.Absent
			}
			if len(shown) == 0 {
				t.Fatal("the search reports no directories at all")
			}
			for _, d := range shown {
				if !strings.Contains(msg, d) {
					t.Errorf("Err() = %q does not list dir %s", msg, d)
				}
			}
		})
	}
}

func TestCandidateDirsOrder(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "usr/local/cuda-12.4/lib64/x", "usr/local/cuda-13.0/lib64/x",
		"usr/lib/python3.11/dist-packages/nvidia/cudnn/lib/x", "usr/lib/python3.12/dist-packages/nvidia/cudnn/lib/x")
	env := SearchEnv{Root: root, Arch: "x86_64-linux-gnu", Override: "/o1:/o2", LDPath: "/ld1"}
	dirs := candidateDirs(env)
	idx := func(d string) int { return slices.Index(dirs, d) }
	order := []string{"/o1", "/o2", "/o2/nvidia/cu13/lib", "/ld1",
		filepath.Join(root, "usr/local/cuda/lib64"),
		filepath.Join(root, "usr/local/cuda-13.0/lib64"), filepath.Join(root, "usr/local/cuda-12.4/lib64"),
		filepath.Join(root, "usr/lib/x86_64-linux-gnu"),
		filepath.Join(root, "usr/lib/python3.12/dist-packages/nvidia/cudnn/lib"),
		filepath.Join(root, "usr/lib/python3.11/dist-packages/nvidia/cudnn/lib")}
	for i, d := range order {
		if idx(d) < 0 {
			t.Fatalf("candidate %s missing from %v", d, dirs)
		}
		if i > 0 && idx(d) < idx(order[i-1]) {
			t.Errorf("%s comes before %s", d, order[i-1])
		}
	}
}
