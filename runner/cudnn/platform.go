package cudnn

import (
	"fmt"
	"runtime"
)

// platformErr says why the backend cannot run on this GOOS/GOARCH (nil where
// it can); see platformSupport.
func platformErr() error { return platformSupport(runtime.GOOS, runtime.GOARCH) }

// platformSupport: the backend loads NVIDIA's Linux shared libraries with
// purego, so it needs Linux on amd64 or arm64. On every other platform the
// package still builds and the backend reports this reason from Available
// and Compile.
func platformSupport(goos, goarch string) error {
	if goos == "linux" && (goarch == "amd64" || goarch == "arm64") {
		return nil
	}
	return fmt.Errorf("the cudnn backend needs Linux on amd64 or arm64 (it loads the CUDA and cuDNN Linux libraries without cgo); this is %s/%s", goos, goarch)
}
