package blob

// SetHooks sets the Guard's test hooks.
func (g *Guard) SetHooks(beforeDelete, contended func(Digest)) {
	g.beforeDelete, g.contended = beforeDelete, contended
}
