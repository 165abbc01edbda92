//go:build race

package cudnn

// raceDetector is true under -race: the detector's instrumentation
// allocates on calls the program itself does not allocate in, so
// allocation counts are not checked.
const raceDetector = true
