"""Model catalog, installed models, download, import, verification. No Qt."""
