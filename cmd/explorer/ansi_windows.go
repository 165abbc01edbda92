//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// ansiConsole turns on the console's processing of ANSI escape sequences
// for f and reports whether it is on: the classic Windows console prints
// "\033[K" as text unless asked (Bubble Tea asks only inside the TUI). Where
// it cannot be turned on, the commands draw no progress line.
func ansiConsole(f *os.File) bool {
	h := windows.Handle(f.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return false // a character device that is no console (NUL)
	}
	if mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
		return true
	}
	return windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING) == nil
}
