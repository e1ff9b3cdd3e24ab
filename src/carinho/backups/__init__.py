"""Database backups (issue 15, item 10): `carinho backup` / `carinho restore`, and a daily job.

One file per bounded context: a consistent snapshot (SQLite's online backup API; `mariadb-dump
--single-transaction`; `pg_dump`), gzip-compressed and, with BACKUP_ENCRYPTION_KEYS, encrypted.
"""
