//go:build amd64 && !amd64.v3

package kernels

// accSub selects how the generic kernels' register-blocked loops (gemmRows8, dwGeneric)
// accumulate: here, on amd64 without FMA (GOAMD64 v1 or v2), each sum is kept negated and
// stepped by s -= x*w, because SUBSS writes the sum's own register (see gemmRows8).
const accSub = true
