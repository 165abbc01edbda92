//go:build !race

package cudnn

// raceDetector is true under -race (see race_test.go).
const raceDetector = false
