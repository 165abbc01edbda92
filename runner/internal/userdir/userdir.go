// Package userdir finds the per-user directories where explorer keeps its
// state (the measurement history) and its caches (roofline calibrations),
// following each operating system's conventions:
//
//	         state (history)                          cache (calibrations)
//	Linux,   $XDG_STATE_HOME/explorer                 $XDG_CACHE_HOME/explorer
//	BSDs     (default ~/.local/state/explorer)        (default ~/.cache/explorer)
//	macOS    ~/Library/Application Support/explorer   ~/Library/Caches/explorer
//	Windows  %LocalAppData%\explorer                  %LocalAppData%\explorer\cache
//
// XDG_STATE_HOME and XDG_CACHE_HOME, when set to an absolute path, take
// precedence on every OS (an explicit choice of the user; a relative value
// is ignored, as the XDG Base Directory specification requires).
package userdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// App is the directory name explorer uses inside the per-user directories.
const App = "explorer"

// State is the directory for explorer's persistent state (see the package
// documentation).
func State() (string, error) { return state(runtime.GOOS, os.Getenv, os.UserHomeDir) }

// Cache is the directory for explorer's caches (see the package
// documentation).
func Cache() (string, error) { return cache(runtime.GOOS, os.Getenv, os.UserHomeDir) }

// kind is one per-user directory: its XDG variable and where it lies
// under each OS's base (path elements after the base).
type kind struct {
	what    string // "state", "cache": names it in errors
	xdg     string // XDG_STATE_HOME, XDG_CACHE_HOME
	windows []string
	darwin  []string
	unix    []string // under the home directory
}

func state(goos string, getenv func(string) string, home func() (string, error)) (string, error) {
	return resolve(kind{what: "state", xdg: "XDG_STATE_HOME", windows: []string{App},
		darwin: []string{"Library", "Application Support", App}, unix: []string{".local", "state", App}}, goos, getenv, home)
}

func cache(goos string, getenv func(string) string, home func() (string, error)) (string, error) {
	return resolve(kind{what: "cache", xdg: "XDG_CACHE_HOME", windows: []string{App, "cache"},
		darwin: []string{"Library", "Caches", App}, unix: []string{".cache", App}}, goos, getenv, home)
}

// resolve is directory k on goos: the absolute XDG variable if set, else
// %LocalAppData% on Windows, ~/Library on macOS, the XDG default under
// the home directory elsewhere.
func resolve(k kind, goos string, getenv func(string) string, home func() (string, error)) (string, error) {
	if d := getenv(k.xdg); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, App), nil
	}
	base, rest := home, k.unix
	switch goos {
	case "windows":
		base, rest = func() (string, error) { return localAppData(getenv) }, k.windows
	case "darwin", "ios":
		rest = k.darwin
	}
	d, err := base()
	if err != nil {
		return "", fmt.Errorf("%s directory: %w", k.what, err)
	}
	return filepath.Join(append([]string{d}, rest...)...), nil
}

// localAppData is %LocalAppData% (what os.UserCacheDir returns on Windows).
func localAppData(getenv func(string) string) (string, error) {
	d := getenv("LocalAppData")
	if d == "" {
		return "", errors.New("%LocalAppData% is not defined")
	}
	return d, nil
}
