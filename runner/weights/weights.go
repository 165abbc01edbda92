// Package weights holds network weights under PyTorch state_dict names and
// reads and writes them (seeded random initialisation, safetensors files).
package weights

// Tensor is a dense float32 tensor in row-major order (PyTorch layout).
type Tensor struct {
	Shape []int
	Data  []float32
}

// Set maps state_dict names ("stage2.0.branch2.0.weight",
// "conv1.1.running_var", "fc.bias", ...) to tensors.
type Set map[string]Tensor
