// Package migrations embeds the forward-only SQL migrations (goose format).
package migrations

import "embed"

// FS holds every NNNN_name.sql file.
//
//go:embed *.sql
var FS embed.FS
