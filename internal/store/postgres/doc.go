// Package postgres opens Arca's shared metadata store on PostgreSQL, for
// several replicas of `arca serve` (or a single one that should not keep
// its metadata on local disk). It only connects, migrates and classifies
// errors; every query is the shared SQL of package sqlstore, and the
// conformance suite in storetest runs against it as against SQLite.
//
// What differs from SQLite, and why:
//   - One pool serves reads and writes: PostgreSQL has many writers.
//   - Update's transactions run at SERIALIZABLE isolation, so invariants
//     that span rows (at most two access keys per user, no cycle in a
//     domain's upstream graph, one version per package) hold however many
//     replicas write at once. PostgreSQL aborts one of two conflicting
//     transactions with SQLSTATE 40001 (or 40P01 for a deadlock); IsRetryable
//     says so and sqlstore runs it again.
//   - Every text column is COLLATE "C": keyset paging and prefix ranges
//     compare bytes, as SQLite does, whatever the database's locale.
//   - Migrations (the twins of SQLite's, with the same numbers) run under
//     a session-level advisory lock, so replicas starting together apply
//     each one exactly once; the others wait and find nothing left to do.
//     TestMigrationsMatchSQLite fails when a SQLite migration has no twin
//     here: port it under the same number, with BIGINT for integers and
//     times, BOOLEAN for flags, BYTEA for blobs and TEXT COLLATE "C" for
//     text (TestTextColumnsCompareBytes checks the last).
//
// Tests reach a server through package pgtest (ARCA_TEST_DATABASE).
package postgres
