package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/augment-ml/augment/migrations"
)

// SchemaVersion returns the migration version the database is at (0 when it
// was never migrated) and the newest this build knows. It only reads: the
// worker uses it to refuse a database it cannot work with.
func (db *DB) SchemaVersion(ctx context.Context) (current, known int64, err error) {
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: migrations: %w", err)
	}
	for _, s := range p.ListSources() {
		known = max(known, s.Version)
	}
	err = db.pool.QueryRow(ctx, `SELECT coalesce(max(version_id), 0) FROM goose_db_version`).Scan(&current)
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "42P01": // undefined_table: never migrated
		return 0, known, nil
	case errors.As(err, &pgErr) && pgErr.Code == "3D000": // invalid_catalog_name
		return 0, known, fmt.Errorf("postgres: %s", pgErr.Message)
	case err != nil:
		return 0, known, fmt.Errorf("postgres: %w", err)
	}
	return current, known, nil
}
