package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/arcahq/arca/internal/backup"
	"github.com/arcahq/arca/internal/config"
)

// backupCommand is `arca backup`: a consistent copy of a data directory,
// taken while the server runs (package backup).
func backupCommand(out io.Writer) *cobra.Command {
	data := config.Defaults().Data
	if v, ok := os.LookupEnv(config.EnvData); ok {
		data = v
	}
	var to string
	var withKey bool
	cmd := &cobra.Command{
		Use:   "backup --to PATH",
		Short: "Back up a data directory (SQLite and local blobs) while the server runs",
		Long: `Back up the server's data directory into PATH, a new or empty directory:
a consistent snapshot of the database, then every blob it references, the
root credentials file, and a manifest.json written last. The server may go
on serving and accepting publishes meanwhile.

The master key is left out unless --include-master-key: keep it apart from
the backups and give it to the restored server. A server on PostgreSQL and
S3 is backed up with those systems' own tools (see the README).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			m, err := backup.Backup(ctx, data, to, backup.Options{IncludeMasterKey: withKey, ArcaVersion: buildVersion()})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "backed up %s into %s: the database (schema %d) and %d blobs (%d bytes)\n", data, to, m.SchemaVersion, m.Blobs, m.BlobBytes)
			if !m.MasterKey {
				fmt.Fprintf(out, "the master key is not in the backup: the restored server needs the key this server uses\n")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&data, "data", data, "the server's data directory ("+config.EnvData+")")
	f.StringVar(&to, "to", "", "the directory to write the backup into: new, or empty")
	f.BoolVar(&withKey, "include-master-key", false, "copy <data>/master.key into the backup too (whoever reads the backup can then open the secrets in it)")
	cmd.MarkFlagRequired("to")
	return cmd
}

// restoreCommand is `arca restore`: a backup brought into a new data
// directory.
func restoreCommand(out io.Writer) *cobra.Command {
	var from, data string
	opt := backup.RestoreOptions{MasterKey: os.Getenv(config.EnvMasterKey), MasterKeyFile: os.Getenv(config.EnvMasterKeyFile)}
	cmd := &cobra.Command{
		Use:   "restore --from PATH --data DIR",
		Short: "Restore a backup into a new, empty data directory",
		Long: `Restore the backup in PATH (made by arca backup) into DIR, which must not
exist or be empty. The database's integrity and every blob's SHA-256 are
checked on the way; on any failure nothing is left in DIR.

With a master key at hand (in the backup, --master-key-file, or
` + config.EnvMasterKey + `), restore checks that it opens the restored secrets,
as the server will on start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			m, checked, err := backup.Restore(ctx, from, data, opt)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "restored the backup of %s (made by %s) into %s: %d blobs (%d bytes)\n",
				m.CreatedAt.Format("2006-01-02T15:04:05Z"), m.ArcaVersion, data, m.Blobs, m.BlobBytes)
			if checked {
				fmt.Fprintf(out, "the master key opens the restored secrets\n")
			} else {
				fmt.Fprintf(out, "the backup holds no master key: start the server with the key the backed-up server used (--master-key-file or %s)\n", config.EnvMasterKey)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "the backup directory")
	f.StringVar(&data, "data", "", "the new data directory: new, or empty")
	f.StringVar(&opt.MasterKeyFile, "master-key-file", opt.MasterKeyFile, "the master key the restored server will use, to check it ("+config.EnvMasterKeyFile+")")
	cmd.MarkFlagRequired("from")
	cmd.MarkFlagRequired("data")
	return cmd
}
