#!/bin/sh
# Creates Temporal's schemas in PostgreSQL, or upgrades them to this image's version.
# setup-schema -v 0.0 leaves a database that already has a newer schema alone, so this is idempotent.
set -eu
schema_root=/etc/temporal/schema/postgresql/v12

setup() {
  db=$1 dir=$2
  temporal-sql-tool --plugin "$DB" --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --db "$db" \
    setup-schema -v 0.0
  temporal-sql-tool --plugin "$DB" --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --db "$db" \
    update-schema -d "$schema_root/$dir/versioned"
}

setup "$DBNAME" temporal
setup "$VISIBILITY_DBNAME" visibility
echo "schemas of $DBNAME and $VISIBILITY_DBNAME are current"
