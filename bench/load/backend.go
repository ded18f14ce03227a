package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/arcahq/arca/internal/blob/s3blob/s3test"
)

// backends are the shared storage of `-backend postgres,s3`: a PostgreSQL
// server for the metadata and an S3-compatible store (versitygw) for the
// blobs, as several replicas use them. The benchmark starts both on
// loopback, or uses the PostgreSQL server of -database.
type backends struct {
	postgres bool
	s3       bool

	db      *sql.DB
	dbURL   string
	pgDir   string // the cluster scripts/postgres.sh made, "" with -database
	pgPID   int    // the postmaster, 0 when not ours
	gw      *proc
	s3URL   string // http://127.0.0.1:PORT
	masterK string // ARCA_MASTER_KEY, which a shared database requires
}

// apart are the processes of the database and blob store this command
// started, whose CPU time is not the load generator's.
var apart []int

// versitygw's credentials and region, local to this run.
const (
	s3Access = "arcabenchaccess"
	s3Secret = "arcabenchsecret0123456789"
	s3Region = "us-east-1"
)

// parseBackends reads -backend: a comma-separated list of postgres and
// s3 ("" for the embedded default alone).
func parseBackends(s string) (*backends, error) {
	b := &backends{}
	for _, f := range strings.Split(s, ",") {
		switch strings.TrimSpace(f) {
		case "":
		case "postgres":
			b.postgres = true
		case "s3":
			b.s3 = true
		default:
			return nil, fmt.Errorf("-backend: unknown %q (postgres, s3)", f)
		}
	}
	if !b.postgres && !b.s3 {
		return nil, nil
	}
	return b, nil
}

// name is the server's name in the tables.
func (b *backends) name() string {
	var parts []string
	if b.postgres {
		parts = append(parts, "postgres")
	}
	if b.s3 {
		parts = append(parts, "s3")
	}
	return "arca (" + strings.Join(parts, "+") + ")"
}

// start starts what is not given: PostgreSQL with scripts/postgres.sh
// (from Debian's package) unless database names a server, and versitygw
// (installing it with go install when missing and allowed).
func (b *backends) start(root, database string, install bool) error {
	if b.postgres {
		b.dbURL = database
		if database == "" {
			dir, err := os.MkdirTemp("", "arca-load-pg-")
			if err != nil {
				return err
			}
			b.pgDir = dir
			logf("starting PostgreSQL with scripts/postgres.sh in %s", dir)
			out, err := run(3*time.Minute, os.Environ(), root, filepath.Join(root, "scripts", "postgres.sh"), "start", dir)
			if err != nil {
				return fmt.Errorf("scripts/postgres.sh start: %w", err)
			}
			b.dbURL = strings.TrimSpace(string(out))
			if pid, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid")); err == nil {
				line, _, _ := strings.Cut(string(pid), "\n")
				b.pgPID, _ = strconv.Atoi(strings.TrimSpace(line))
			}
		}
		db, err := sql.Open("pgx", b.dbURL)
		if err != nil {
			return err
		}
		b.db = db
		if err := db.Ping(); err != nil {
			return fmt.Errorf("PostgreSQL at %s: %w", redact(b.dbURL), err)
		}
	}
	if b.s3 {
		bin, err := versitygw(install)
		if err != nil {
			return err
		}
		port, err := freePort()
		if err != nil {
			return err
		}
		dir, err := os.MkdirTemp("", "arca-load-s3-")
		if err != nil {
			return err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		data := filepath.Join(dir, "data")
		if err := os.Mkdir(data, 0o700); err != nil {
			return err
		}
		p, err := startProc("versitygw", cleanEnv(), dir, filepath.Join(dir, "versitygw.log"), bin,
			"--access", s3Access, "--secret", s3Secret, "--region", s3Region, "--port", addr, "posix", data)
		if err != nil {
			return err
		}
		b.gw, b.s3URL = p, "http://"+addr
		apart = append(apart, p.PID())
		if err := p.waitHTTP(b.s3URL+"/", 30*time.Second); err != nil {
			return err
		}
	}
	key := make([]byte, 32)
	rand.Read(key)
	b.masterK = base64.StdEncoding.EncodeToString(key)
	return nil
}

// stop stops what start started.
func (b *backends) stop(root string) {
	if b.db != nil {
		b.db.Close()
	}
	if b.gw != nil {
		b.gw.Stop()
		os.RemoveAll(filepath.Dir(b.gw.log))
	}
	if b.pgDir != "" {
		run(time.Minute, os.Environ(), root, filepath.Join(root, "scripts", "postgres.sh"), "stop", b.pgDir)
		os.RemoveAll(b.pgDir)
	}
}

// versitygw returns the versitygw binary where s3test finds it (PATH,
// $GOBIN, $(go env GOPATH)/bin), installing it there as
// scripts/install-test-deps.sh does when it is missing.
func versitygw(install bool) (string, error) {
	if p := s3test.Find(); p != "" {
		return p, nil
	}
	if !install {
		return "", fmt.Errorf("versitygw is not installed (-no-install)")
	}
	logf("installing versitygw with go install")
	if _, err := run(10*time.Minute, os.Environ(), "/", "go", "install", "github.com/versity/versitygw/cmd/versitygw@v1.8.0"); err != nil {
		return "", err
	}
	if p := s3test.Find(); p != "" {
		return p, nil
	}
	return "", fmt.Errorf("go install put versitygw nowhere this command looks")
}

// storage makes an empty schema and an empty bucket for one scenario's
// Arca and returns its environment (ARCA_DATABASE, ARCA_BLOBS, the AWS
// credentials of versitygw and the master key) and what backs it.
func (b *backends) storage(scenario string) ([]string, *backing, error) {
	env := []string{"ARCA_MASTER_KEY=" + b.masterK}
	bk := &backing{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if b.postgres {
		suffix := make([]byte, 4)
		rand.Read(suffix)
		schema := "arca_bench_" + scenario + "_" + hex.EncodeToString(suffix)
		if _, err := b.db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			return nil, nil, fmt.Errorf("create schema: %w", err)
		}
		u, err := url.Parse(b.dbURL)
		if err != nil {
			return nil, nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		env = append(env, "ARCA_DATABASE="+u.String())
		if b.pgPID != 0 {
			bk.pids = append(bk.pids, b.pgPID)
		}
		bk.xacts = b.transactions
	}
	if b.s3 {
		bucket := "arca-bench-" + scenario
		client := s3.New(s3.Options{
			Region: s3Region, BaseEndpoint: aws.String(b.s3URL), UsePathStyle: true,
			Credentials:                credentials.NewStaticCredentialsProvider(s3Access, s3Secret, ""),
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
			ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		})
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			return nil, nil, fmt.Errorf("create bucket %s: %w", bucket, err)
		}
		env = append(env, "ARCA_BLOBS=s3://"+bucket+"/blobs?endpoint="+b.s3URL+"&region="+s3Region,
			"AWS_ACCESS_KEY_ID="+s3Access, "AWS_SECRET_ACCESS_KEY="+s3Secret, "AWS_REGION="+s3Region)
		bk.pids = append(bk.pids, b.gw.PID())
	}
	return env, bk, nil
}

// transactions is the number of transactions the database has committed
// or rolled back, from pg_stat_database: each statement Arca runs outside
// a transaction counts one. PostgreSQL publishes a backend's counts at
// most once a second, so over a measurement of several seconds under
// steady load the count is right to a second's worth at either end.
func (b *backends) transactions() (int64, error) {
	var n int64
	err := b.db.QueryRow(`SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()`).Scan(&n)
	return n, err
}

// backing is what serves an Arca beside its own process: the PostgreSQL
// server and the S3-compatible store, whose CPU time a request costs too,
// and the database's transaction counter.
type backing struct {
	pids  []int
	xacts func() (int64, error)
}

// usage is the backing's CPU time and transaction count now.
func (b *backing) usage() (time.Duration, int64) {
	if b == nil {
		return 0, 0
	}
	var cpu time.Duration
	for _, pid := range b.pids {
		c, _ := treeUsage(pid)
		cpu += c
	}
	var n int64
	if b.xacts != nil {
		n, _ = b.xacts()
	}
	return cpu, n
}

// redact drops a URL's password.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
