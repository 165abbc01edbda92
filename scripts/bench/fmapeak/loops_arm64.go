package main

// fmaV runs n iterations of 16 independent 128-bit FMLA (128 FLOP).
//
//go:noescape
func fmaV(n int)

func fmaLoops() []loop { return []loop{{"neon", 16 * 8, fmaV}} }
