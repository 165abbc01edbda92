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

func state(goos string, getenv func(string) string, home func() (string, error)) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, App), nil
	}
	switch goos {
	case "windows":
		d, err := localAppData(getenv)
		if err != nil {
			return "", fmt.Errorf("state directory: %w", err)
		}
		return filepath.Join(d, App), nil
	case "darwin", "ios":
		h, err := home()
		if err != nil {
			return "", fmt.Errorf("state directory: %w", err)
		}
		return filepath.Join(h, "Library", "Application Support", App), nil
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("state directory: %w", err)
	}
	return filepath.Join(h, ".local", "state", App), nil
}

func cache(goos string, getenv func(string) string, home func() (string, error)) (string, error) {
	if d := getenv("XDG_CACHE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, App), nil
	}
	switch goos {
	case "windows":
		d, err := localAppData(getenv)
		if err != nil {
			return "", fmt.Errorf("cache directory: %w", err)
		}
		return filepath.Join(d, App, "cache"), nil
	case "darwin", "ios":
		h, err := home()
		if err != nil {
			return "", fmt.Errorf("cache directory: %w", err)
		}
		return filepath.Join(h, "Library", "Caches", App), nil
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("cache directory: %w", err)
	}
	return filepath.Join(h, ".cache", App), nil
}

// localAppData is %LocalAppData% (what os.UserCacheDir returns on Windows).
func localAppData(getenv func(string) string) (string, error) {
	d := getenv("LocalAppData")
	if d == "" {
		return "", errors.New("%LocalAppData% is not defined")
	}
	return d, nil
}
