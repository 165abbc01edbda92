//go:build !unix

package main

import "errors"

// mkfifo is not available here.
func mkfifo(string) error { return errors.New("no named pipes") }
