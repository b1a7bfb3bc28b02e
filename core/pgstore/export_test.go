package pgstore

import "github.com/jackc/pgx/v5/pgxpool"

// PoolOf returns the pool s uses, for the tests' checks of its statistics.
func PoolOf(s *Store) *pgxpool.Pool { return s.pool }

// SchemaSQL is the embedded schema.sql.
var SchemaSQL = schemaSQL
