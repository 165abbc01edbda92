// Package ui is the interactive terminal explorer (Bubble Tea v2).
//
// The root [Model] shows four screens: the explorer (knobs, the analytic
// cost of the design with guideline lenses, and the latest measurement),
// the gap chart (every measured design, FLOPs or MAC against latency), the
// guideline experiments of the ShuffleNet V2 paper (Tables 1-4) and the
// presets picker, plus a help screen built from the key map.
//
// Everything heavy happens in Update: the cost report is recomputed there on
// every knob change (it takes microseconds) and every pane is rendered into
// a string that View only returns. Measurements run off the UI goroutine
// through the small [Measurer] interface, report progress through a channel
// and can be cancelled; a generation counter drops results of runs that
// were cancelled or superseded. The package never writes to stdout or
// stderr; [Deps.Log] receives log lines when the caller asks for them.
package ui
