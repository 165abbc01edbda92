package ui

import "charm.land/bubbles/v2/key"

// keyMap holds every key binding. Bindings that do nothing in the current
// state are disabled, so help never lists dead keys.
type keyMap struct {
	Up, Down, Left, Right, Enter   key.Binding
	Run, Cancel                    key.Binding
	View, Table, Lens, Axis        key.Binding
	Scale, Save, Export            key.Binding
	Next, Prev, Screen, Help, Quit key.Binding
	Apply, Discard                 key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Left:    key.NewBinding(key.WithKeys("left", "h", "-"), key.WithHelp("←/-", "less")),
		Right:   key.NewBinding(key.WithKeys("right", "l", "+", "="), key.WithHelp("→/+", "more")),
		Enter:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "type value")),
		Run:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "run")),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel run")),
		View:    key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "as-written/fused")),
		Table:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "stage/category")),
		Lens:    key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "lens G1-G4")),
		Axis:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "FLOPs/MAC")),
		Scale:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "scale")),
		Save:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save design")),
		Export:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export")),
		Next:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev screen")),
		Screen:  key.NewBinding(key.WithKeys("1", "2", "3", "4"), key.WithHelp("1-4", "screen")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:    key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Apply:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Discard: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "discard")),
	}
}

// ShortHelp lists the enabled bindings for the footer.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Apply, k.Discard, k.Up, k.Down, k.Left, k.Right, k.Enter, k.Run, k.Cancel, k.Axis, k.Scale, k.Save, k.Export, k.Help, k.Quit}
}

// FullHelp lists the enabled bindings in columns for the help screen.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Apply, k.Discard, k.Up, k.Down, k.Left, k.Right, k.Enter},
		{k.Run, k.Cancel, k.View, k.Table, k.Lens, k.Axis, k.Scale, k.Save},
		{k.Export, k.Next, k.Prev, k.Screen, k.Help, k.Quit},
	}
}
