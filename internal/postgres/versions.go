package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SetVersion records the version of a component the workers run on
// (libvips), as the last worker to start saw it.
func (db *DB) SetVersion(ctx context.Context, component, version string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO versions (component, version) VALUES ($1, $2)
		ON CONFLICT (component) DO UPDATE SET version = $2, seen_at = now()`, component, version)
	if err != nil {
		return fmt.Errorf("postgres: set version: %w", err)
	}
	return nil
}

// Versions returns the recorded versions by component.
func (db *DB) Versions(ctx context.Context) (map[string]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT component, version FROM versions`)
	if err != nil {
		return nil, fmt.Errorf("postgres: versions: %w", err)
	}
	out := map[string]string{}
	var c, v string
	_, err = pgx.ForEachRow(rows, []any{&c, &v}, func() error { out[c] = v; return nil })
	return out, err
}
