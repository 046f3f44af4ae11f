"""Getting a model: first-run wizard (one file per page), Models page, start-up load."""
