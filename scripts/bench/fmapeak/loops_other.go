//go:build !amd64 && !arm64

package main

func fmaLoops() []loop { return nil }
