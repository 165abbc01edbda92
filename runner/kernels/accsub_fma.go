//go:build !amd64 || amd64.v3

package kernels

// accSub selects how the generic kernels' register-blocked loops (gemmRows8, dwGeneric)
// accumulate: here by c += x*w, which the compiler fuses into one FMA that accumulates in
// place (every GOARCH but amd64, and amd64 with GOAMD64=v3 or v4).
const accSub = false
