package userdir

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestDirs checks every OS's state and cache directory (the conventions in
// the package documentation: XDG Base Directory specification defaults on
// Linux, ~/Library on macOS, %LocalAppData% on Windows) and that an
// absolute XDG variable wins everywhere while a relative one is ignored.
func TestDirs(t *testing.T) {
	root := t.TempDir() // an absolute path on any host
	homeDir := filepath.Join(root, "home")
	xdg := filepath.Join(root, "xdg")
	lad := filepath.Join(root, "lad")
	home := func() (string, error) { return homeDir, nil }
	noHome := func() (string, error) { return "", errors.New("no home") }
	tests := []struct {
		name, goos, xdg, lad string
		home                 func() (string, error)
		state, cache         string // "" = an error
	}{
		{"linux", "linux", "", "", home, filepath.Join(homeDir, ".local", "state", App), filepath.Join(homeDir, ".cache", App)},
		{"freebsd", "freebsd", "", "", home, filepath.Join(homeDir, ".local", "state", App), filepath.Join(homeDir, ".cache", App)},
		{"linux xdg", "linux", xdg, "", home, filepath.Join(xdg, App), filepath.Join(xdg, App)},
		{"linux relative xdg", "linux", "rel", "", home, filepath.Join(homeDir, ".local", "state", App), filepath.Join(homeDir, ".cache", App)},
		{"linux no home", "linux", "", "", noHome, "", ""},
		{"darwin", "darwin", "", "", home, filepath.Join(homeDir, "Library", "Application Support", App), filepath.Join(homeDir, "Library", "Caches", App)},
		{"darwin xdg", "darwin", xdg, "", home, filepath.Join(xdg, App), filepath.Join(xdg, App)},
		{"windows", "windows", "", lad, noHome, filepath.Join(lad, App), filepath.Join(lad, App, "cache")},
		{"windows xdg", "windows", xdg, lad, noHome, filepath.Join(xdg, App), filepath.Join(xdg, App)},
		{"windows no LocalAppData", "windows", "", "", home, "", ""},
	}
	for _, tc := range tests {
		getenv := func(k string) string {
			switch k {
			case "XDG_STATE_HOME", "XDG_CACHE_HOME":
				return tc.xdg
			case "LocalAppData":
				return tc.lad
			}
			return ""
		}
		for _, d := range []struct {
			what string
			f    func(string, func(string) string, func() (string, error)) (string, error)
			want string
		}{{"state", state, tc.state}, {"cache", cache, tc.cache}} {
			got, err := d.f(tc.goos, getenv, tc.home)
			if (err != nil) != (d.want == "") || got != d.want {
				t.Errorf("%s %s: %q, %v; want %q", tc.name, d.what, got, err, d.want)
			}
		}
	}
}
