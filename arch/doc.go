// Package arch turns a design (the knobs of a [Spec]) into a [Graph] of typed
// operations with shapes, stable op IDs and stage/unit labels.
//
// The Graph is the single source of truth of the explorer: the cost package
// computes MAdds, parameters and memory access from it, and every backend of
// the runner executes it. Op IDs are the module paths of the reference
// implementations (torchvision's state_dict prefixes for ShuffleNetV2 and
// MobileNet v2, Megvii's for the megvii layout), so analytic rows, measured
// rows and weight files join on the same names.
//
// Families: ShuffleNetV2 (paper Table 5), ShuffleNet v1 (g = 1,2,3,4,8),
// MobileNet v2, MobileNet v1 and the four guideline micro-networks of the
// paper's Tables 1-4. Every invalid knob is reported as a [*KnobError] that
// names the knob, the value and the valid range; nothing here panics on user
// input.
package arch
