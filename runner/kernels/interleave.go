package kernels

// Interleave3 packs three planes into triples: dst[3i+0] = a[i], dst[3i+1] = b[i],
// dst[3i+2] = c[i] for i in [0, len(a)). It converts a 3-channel NCHW image (an RGB input)
// to NHWC with pixel stride 3. b and c must be at least as long as a, dst at least 3*len(a);
// dst must not overlap the planes.
func (ks *Set) Interleave3(dst, a, b, c []float32) {
	n := len(a)
	if n == 0 {
		return
	}
	checkLen("Interleave3 b", len(b), n)
	checkLen("Interleave3 c", len(c), n)
	checkLen("Interleave3 dst", len(dst), 3*n)
	ks.interleave3(dst, a, b[:n], c[:n])
}

func interleave3Generic(dst, a, b, c []float32) {
	b, c = b[:len(a)], c[:len(a)]
	dst = dst[:3*len(a)]
	for i, v := range a {
		j := 3 * i
		px := dst[j : j+3 : j+3]
		px[0], px[1], px[2] = v, b[i], c[i]
	}
}
