"""Where the database lives: engines, the schema and its migrations."""
