package cudnn

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// EnvLibs is the environment variable that lists extra library directories
// (colon-separated) searched before everything else. A directory that holds
// an nvidia/ tree (a site-packages) is searched in both wheel layouts.
const EnvLibs = "EXPLORER_CUDA_LIBS"

// SearchEnv is everything the library search reads from the environment, so
// that tests can point it at fake directory trees.
type SearchEnv struct {
	Override   string // EXPLORER_CUDA_LIBS
	LDPath     string // LD_LIBRARY_PATH
	VirtualEnv string // VIRTUAL_ENV (a python venv)
	Home       string // the user's home directory
	// Root is prefixed to the fixed system locations (/usr/local/cuda*,
	// /usr/lib/<arch>-linux-gnu, /usr/lib/python3*, ...); "" means "/".
	Root string
	// Arch is the Debian multiarch triplet of the system library dir
	// (x86_64-linux-gnu, aarch64-linux-gnu).
	Arch string
}

// OSSearchEnv reads the search environment of this process.
func OSSearchEnv() SearchEnv {
	home, _ := os.UserHomeDir()
	arch := "x86_64-linux-gnu"
	if runtime.GOARCH == "arm64" {
		arch = "aarch64-linux-gnu"
	}
	return SearchEnv{
		Override:   os.Getenv(EnvLibs),
		LDPath:     os.Getenv("LD_LIBRARY_PATH"),
		VirtualEnv: os.Getenv("VIRTUAL_ENV"),
		Home:       home,
		Arch:       arch,
	}
}

// Libs is the result of the library search: the absolute path of every
// library found ("" when absent) and the directories it looked in.
type Libs struct {
	CUDA     int    // CUDA major version of the runtime found (12 or 13), 0 if none
	Cudart   string // libcudart.so.<CUDA>
	CublasLt string // libcublasLt.so.<CUDA>
	Cublas   string // libcublas.so.<CUDA>
	Nvrtc    string // libnvrtc.so.<CUDA> (optional: cuDNN's runtime-compiled engines and the own depthwise kernel)
	// Driver is libcuda.so.1 where a searched directory has it (optional:
	// the driver API is opened by soname first, which finds the one the
	// CUDA runtime loaded; this path is the fallback). It is not in
	// LoadOrder.
	Driver     string
	CudnnGraph string // libcudnn_graph.so.9
	CudnnOps   string // libcudnn_ops.so.9
	CudnnCnn   string // libcudnn_cnn.so.9
	Cudnn      string // libcudnn.so.9, the shim (optional once the sub-libraries are loaded)
	// Looked lists the candidate directories that exist, in search order;
	// Absent lists the candidates that do not.
	Looked []string
	Absent []string
}

// cudnnSubLibs are the cuDNN 9 libraries the backend calls into.
var cudnnSubLibs = []string{"libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9"}

// Missing names the required libraries that were not found.
func (l Libs) Missing() []string {
	var out []string
	if l.CudnnGraph == "" && l.CudnnOps == "" && l.CudnnCnn == "" {
		out = append(out, "libcudnn.so.9")
	} else {
		for i, p := range []string{l.CudnnGraph, l.CudnnOps, l.CudnnCnn} {
			if p == "" {
				out = append(out, cudnnSubLibs[i])
			}
		}
	}
	if l.Cudart == "" {
		return append(out, "libcudart.so.13 or libcudart.so.12")
	}
	v := fmt.Sprint(l.CUDA)
	if l.CublasLt == "" {
		out = append(out, "libcublasLt.so."+v)
	}
	if l.Cublas == "" {
		out = append(out, "libcublas.so."+v)
	}
	return out
}

// Err is nil when every required library was found, or says what is
// missing and where the search looked.
func (l Libs) Err() error {
	m := l.Missing()
	if len(m) == 0 {
		return nil
	}
	var looked string
	switch {
	case len(l.Looked) > 0:
		looked = strings.Join(l.Looked, ", ")
		if len(l.Absent) > 0 {
			looked += fmt.Sprintf(" and %d absent directories", len(l.Absent))
		}
	case len(l.Absent) > 0:
		looked = strings.Join(l.Absent, ", ") + ", none of which exist"
	default:
		looked = "no directories"
	}
	return fmt.Errorf("%s not found (looked in: %s; set %s to a directory that has them)", strings.Join(m, ", "), looked, EnvLibs)
}

// LoadOrder lists the libraries to dlopen, by absolute path, in dependency
// order: the CUDA runtime, cuBLASLt, cuBLAS, NVRTC, then cuDNN's graph, ops
// and cnn libraries and finally the libcudnn shim. Absent optional
// libraries are skipped.
func (l Libs) LoadOrder() []string {
	var out []string
	for _, p := range []string{l.Cudart, l.CublasLt, l.Cublas, l.Nvrtc, l.CudnnGraph, l.CudnnOps, l.CudnnCnn, l.Cudnn} {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// wheelDirs lists the library directories of NVIDIA's pip wheels under a
// site-packages directory, CUDA 13 layout first (nvidia/cu13/lib, cuDNN in
// nvidia/cudnn/lib) then CUDA 12 (nvidia/<pkg>/lib).
func wheelDirs(site string) []string {
	var out []string
	for _, pkg := range []string{"cudnn", "cu13", "cuda_runtime", "cublas", "cuda_nvrtc"} {
		out = append(out, filepath.Join(site, "nvidia", pkg, "lib"))
	}
	return out
}

// candidateDirs returns the directories to search, in order, and the
// patterns that matched no directory (so the message can say where it
// looked even when nothing exists).
func candidateDirs(e SearchEnv) []string {
	var dirs []string
	add := func(ds ...string) {
		for _, d := range ds {
			if d != "" {
				dirs = append(dirs, filepath.Clean(d))
			}
		}
	}
	glob := func(pattern string) []string {
		m, _ := filepath.Glob(pattern)
		slices.Sort(m)
		// Newest first: python3.12 before python3.11, cuda-13.0 before cuda-12.8.
		slices.Reverse(m)
		return m
	}
	for _, d := range filepath.SplitList(e.Override) {
		add(d)
		add(wheelDirs(d)...)
	}
	add(filepath.SplitList(e.LDPath)...)
	root := e.Root
	if root == "" {
		root = "/"
	}
	sys := func(p string) string { return filepath.Join(root, p) }
	add(sys("/usr/local/cuda/lib64"))
	add(glob(sys("/usr/local/cuda-*/lib64"))...)
	if e.Arch != "" {
		add(sys("/usr/lib/" + e.Arch))
	}
	var sites []string
	if e.VirtualEnv != "" {
		sites = append(sites, glob(filepath.Join(e.VirtualEnv, "lib", "python3*", "site-packages"))...)
	}
	if e.Home != "" {
		sites = append(sites, glob(filepath.Join(e.Home, ".local", "lib", "python3*", "site-packages"))...)
	}
	sites = append(sites, glob(sys("/usr/local/lib/python3*/site-packages"))...)
	sites = append(sites, glob(sys("/usr/local/lib/python3*/dist-packages"))...)
	sites = append(sites, glob(sys("/usr/lib/python3*/dist-packages"))...)
	for _, s := range sites {
		add(wheelDirs(s)...)
	}
	// Drop duplicates, keeping the first occurrence.
	seen := map[string]bool{}
	out := dirs[:0]
	for _, d := range dirs {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// Search looks for the CUDA runtime, cuBLAS and cuDNN 9 libraries. cuDNN is
// searched first (its graph, ops and cnn libraries must sit in one
// directory); the CUDA libraries are then preferred from the same wheel tree
// as cuDNN (nvidia/cu13/lib or nvidia/<pkg>/lib beside nvidia/cudnn/lib), so
// that a PyTorch install is used as one consistent set, and otherwise taken
// from the first directory that has them. CUDA 13 is preferred over 12, and
// cuBLAS/NVRTC must match the runtime's major version.
func Search(e SearchEnv) Libs {
	var l Libs
	dirs := candidateDirs(e)
	for _, d := range dirs {
		if isDir(d) {
			l.Looked = append(l.Looked, d)
		} else {
			l.Absent = append(l.Absent, d)
		}
	}
	for _, d := range l.Looked {
		graph := filepath.Join(d, cudnnSubLibs[0])
		if !isFile(graph) {
			continue
		}
		l.CudnnGraph = graph
		if p := filepath.Join(d, cudnnSubLibs[1]); isFile(p) {
			l.CudnnOps = p
		}
		if p := filepath.Join(d, cudnnSubLibs[2]); isFile(p) {
			l.CudnnCnn = p
		}
		if p := filepath.Join(d, "libcudnn.so.9"); isFile(p) {
			l.Cudnn = p
		}
		break
	}
	if l.CudnnGraph == "" {
		// A lone shim still tells the user where cuDNN is, and what is missing.
		for _, d := range l.Looked {
			if p := filepath.Join(d, "libcudnn.so.9"); isFile(p) {
				l.Cudnn = p
				break
			}
		}
	}
	order := l.Looked
	if l.CudnnGraph != "" {
		// .../nvidia/cudnn/lib -> .../nvidia
		nv := filepath.Dir(filepath.Dir(filepath.Dir(l.CudnnGraph)))
		if filepath.Base(nv) == "nvidia" {
			var first []string
			for _, d := range wheelDirs(filepath.Dir(nv)) {
				if isDir(d) {
					first = append(first, d)
				}
			}
			order = append(first, l.Looked...)
		}
	}
	find := func(name string) string {
		for _, d := range order {
			if p := filepath.Join(d, name); isFile(p) {
				return p
			}
		}
		return ""
	}
	for _, v := range []int{13, 12} {
		if p := find(fmt.Sprintf("libcudart.so.%d", v)); p != "" {
			l.CUDA, l.Cudart = v, p
			break
		}
	}
	if l.CUDA != 0 {
		v := fmt.Sprint(l.CUDA)
		l.CublasLt = find("libcublasLt.so." + v)
		l.Cublas = find("libcublas.so." + v)
		l.Nvrtc = find("libnvrtc.so." + v)
		l.Driver = find("libcuda.so.1")
	}
	return l
}
