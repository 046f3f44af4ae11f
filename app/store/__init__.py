"""SQLite storage of conversations: message tree, search, migrations. No Qt."""
