package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/augment-ml/augment/internal/testenv"
	"github.com/augment-ml/augment/migrations"
)

// TestSchemaVersion: a database never migrated is at 0, a migrated one at
// the newest version this build knows; asking changes nothing.
func TestSchemaVersion(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 2 { // asking does not create goose's table
		if cur, known, err := db.SchemaVersion(ctx); err != nil || cur != 0 || known < 5 {
			t.Fatalf("fresh database: %d of %d, %v", cur, known, err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if cur, known, err := db.SchemaVersion(ctx); err != nil || cur != known {
		t.Fatalf("migrated database: %d of %d, %v", cur, known, err)
	}
}

// TestSkippedListsBecomeReports: migration 0005 turns a batch's full list of
// skipped entries into a report: the count, the count by reason, the first 100.
func TestSkippedListsBecomeReports(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sqlDB := stdlib.OpenDBFromPool(db.pool)
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 4); err != nil {
		t.Fatal(err)
	}
	var list []map[string]string
	for i := range 150 {
		reason := "not a supported image"
		if i%3 == 0 {
			reason = "empty"
		}
		list = append(list, map[string]string{"name": fmt.Sprintf("f%d", i), "reason": reason})
	}
	raw, _ := json.Marshal(list)
	id := uuid.NewString()
	if _, err := db.pool.Exec(ctx, `INSERT INTO batches (id, spec, total, skipped) VALUES ($1, '{}', 0, $2)`, id, raw); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := db.Batch(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	r := b.Skipped
	if r.Total != 150 || r.ByReason["empty"] != 50 || r.ByReason["not a supported image"] != 100 ||
		len(r.First) != 100 || r.First[99].Name != "f99" {
		t.Fatalf("report: %d in all, by reason %v, %d named", r.Total, r.ByReason, len(r.First))
	}
}
