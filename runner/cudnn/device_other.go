//go:build !(linux && (amd64 || arm64))

package cudnn

import (
	"github.com/shufflelab/explorer/arch"
	"github.com/shufflelab/explorer/runner"
	"github.com/shufflelab/explorer/runner/weights"
)

// device is never opened on this platform (platformErr says why); these
// stubs only keep the package building.
type device struct{}

func openDevice(Libs) (*device, error) { return nil, platformErr() }

func (*device) compile(*arch.Graph, weights.Set, runner.Options, CopyKernel, Policy) (runner.Program, error) {
	return nil, platformErr()
}
