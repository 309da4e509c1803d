"""Storage: the schema, the database handle, migrations and id nodes."""
