// Package cost computes, from an arch.Graph, the exact analytic costs of a
// network: multiply-accumulates (MAdds, the paper's and torchvision's
// "FLOPs"), FLOPs (= 2 x MAdds) with the auxiliary FLOPs of batch norm,
// activations, adds and pooling listed apart, parameters (torchvision rule),
// memory access cost (MAC, the paper's definition: elements read + written,
// weights included) in elements and bytes, arithmetic intensity, and for
// every 1x1 conv the G1 lower bound of its MAC.
//
// Two views: the graph as written (every op materialised, like a framework's
// eager mode) and the graph as a backend's fused plan executes it (batch norm
// folded, activations and residual adds in conv epilogues, split, concat and
// shuffle zero-copy). Results are totalled per op, per stage, per category
// and for the network. [LensesOf] sums a design's two reports up under the
// paper's four guidelines (G1-G4), the figures of the explorer's lenses.
package cost
