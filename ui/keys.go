package ui

import "charm.land/bubbles/v2/key"

// globalKeys are the root's bindings: screens, help, cancel and quit.
// Every screen has its own key map for the rest (see each screen's
// ShortHelp and FullHelp).
type globalKeys struct {
	Next, Prev, Screen, Help, Cancel, Export, Quit key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Next:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "prev screen")),
		Screen: key.NewBinding(key.WithKeys("1", "2", "3", "4"), key.WithHelp("1-4", "screen")),
		Help:   key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel run")),
		Export: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export")),
		Quit:   key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// promptBindings are the bindings of a text prompt (help lists them while
// one is open).
type promptBindings struct{ Apply, Discard key.Binding }

// promptKeys returns the prompt's bindings.
func promptKeys() promptBindings {
	return promptBindings{
		Apply:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Discard: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "discard")),
	}
}

// bind is a shorthand for a binding with one help entry.
func bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// enabled returns b enabled or disabled (key maps are values rebuilt from
// a screen's state, so help never lists a dead key).
func enabled(b key.Binding, on bool) key.Binding {
	b.SetEnabled(on)
	return b
}
