//go:build !amd64 || noasm

package kernels

func supportedSets() []*kernelSet { return []*kernelSet{&genericSet} }
