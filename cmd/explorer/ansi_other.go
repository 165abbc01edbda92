//go:build !windows

package main

import "os"

// ansiConsole reports whether a terminal f takes ANSI escape sequences:
// every terminal outside Windows does.
func ansiConsole(*os.File) bool { return true }
