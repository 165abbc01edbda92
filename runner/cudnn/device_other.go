//go:build !(linux && (amd64 || arm64))

package cudnn

import (
	"errors"
	"runtime"

	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/weights"
)

// device is never opened on this platform.
type device struct{}

func openDevice(Libs) (*device, error) {
	return nil, errors.New("the cudnn backend needs linux/amd64 or linux/arm64, this is " + runtime.GOOS + "/" + runtime.GOARCH)
}

func (*device) compile(*arch.Graph, weights.Set, runner.Options) (runner.Program, error) {
	return nil, errors.New("cudnn: unsupported platform")
}
