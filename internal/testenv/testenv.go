// Package testenv gives tests their own PostgreSQL database and Redis DB
// number on the real servers. A server that does not answer fails the test:
// it is never skipped.
package testenv

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// PostgresURL is the server tests use; TEST_POSTGRES_URL overrides it.
func PostgresURL() string {
	if u := os.Getenv("TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisAddr is the server tests use; TEST_REDIS_ADDR overrides it.
func RedisAddr() string {
	if a := os.Getenv("TEST_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// Database creates an empty database for the test, drops it at cleanup and
// returns its URL.
func Database(t testing.TB) string {
	t.Helper()
	u, name := UncreatedDatabase(t)
	exec(t, "CREATE DATABASE "+name)
	return u
}

// UncreatedDatabase names a database that does not exist yet, as a fresh
// machine's would not, and drops it at cleanup if something created it. It
// returns its URL and its name.
func UncreatedDatabase(t testing.TB) (string, string) {
	t.Helper()
	name := fmt.Sprintf("augment_test_%d_%d", time.Now().Unix(), rand.Uint32())
	t.Cleanup(func() { exec(t, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", hostOf(PostgresURL()), name), name
}

// exec runs one statement on the server's maintenance database.
func exec(t testing.TB, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, PostgresURL())
	if err != nil {
		t.Fatalf("PostgreSQL at %s is required for this test: %v", PostgresURL(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// Redis flushes Redis DB number db for the test and returns its URL. Each
// test package uses its own number so packages can run at once.
func Redis(t testing.TB, db int) string {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: RedisAddr(), DB: db})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatalf("Redis at %s is required for this test: %v", RedisAddr(), err)
	}
	return fmt.Sprintf("redis://%s/%d", RedisAddr(), db)
}

func hostOf(dsn string) string {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return "127.0.0.1:5432"
	}
	return fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)
}
