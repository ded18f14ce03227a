// Package sealed keeps Arca's secrets encrypted at rest: IAM secret access
// keys, STS session secrets, token signing keys and the HMAC secrets of
// event subscriptions never reach the metadata store in plain text.
//
// Each value is sealed with AES-256-GCM under the master key, with a fresh
// random nonce, and with the identity of its row (e.g. "access-key/AKIA...")
// as associated data, so a sealed value copied into another row does not
// open. The master key is kept outside the database: ARCA_MASTER_KEY
// (base64 of 32 bytes), or a key file (--master-key-file, by default
// <data>/master.key, created 0600 on the server's first start). A key file
// inside the data directory protects a copy of the database, not a copy of
// the whole directory; for real protection keep the key elsewhere.
//
// Store wraps any store.Store, so the rule holds for every engine: the SQL
// layer only ever sees sealed bytes. Open seals anew, on start, every
// secret not sealed under the current key: rows written before encryption
// and rows sealed under a previous key. Rotating the master key is giving
// the new key first and the old one after it (comma-separated in
// ARCA_MASTER_KEY, one per line in the key file) for one start, then
// dropping the old one. A master key that opens none of the secrets fails
// the start with a message saying so.
package sealed
