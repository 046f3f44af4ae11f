"""Chat pane: message widgets, composer, markdown rendering, math thread, streaming reply."""
