"""Operations on a whole instance: backups, restores, copying to another database, health."""
