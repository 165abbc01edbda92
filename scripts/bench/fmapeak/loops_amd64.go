package main

import "github.com/klauspost/cpuid/v2"

// fmaZ runs n iterations of 16 independent VFMADD231PS zmm FMAs (512 FLOP).
//
//go:noescape
func fmaZ(n int)

// fmaY runs n iterations of 15 independent VFMADD231PS ymm FMAs (240 FLOP).
//
//go:noescape
func fmaY(n int)

func fmaLoops() []loop {
	var ls []loop
	if cpuid.CPU.Supports(cpuid.AVX512F) {
		ls = append(ls, loop{"zmm", 16 * 32, fmaZ})
	}
	if cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3) {
		ls = append(ls, loop{"ymm", 15 * 16, fmaY})
	}
	return ls
}
