//go:build !darwin

package safefile

import "os"

// Sync makes f's data durable: File.Sync (see sync_darwin.go for macOS).
func Sync(f *os.File) error { return f.Sync() }

// fullSyncUnsupported is false where File.Sync is plain fsync.
func fullSyncUnsupported(error) bool { return false }
