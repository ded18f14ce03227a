// Package admin is `arca admin` and `arca token`: what the operator of a
// server does that IAM has no API for, such as creating accounts, rotating
// the token-signing key, and inspecting and revoking authorization tokens. It works on the server's
// data directory directly, opening its SQLite database the way the server
// does.
//
// With --database (ARCA_DATABASE) it works on the PostgreSQL database
// that the replicas share instead, and needs the replicas' master key
// (ARCA_MASTER_KEY or --master-key-file), not a data directory.
//
// It is safe to run while the server runs on the same data directory: the
// database is in WAL mode, so the command's reads never block the server,
// and its one short write transaction waits for the server's writer (and
// the server's for it) through the busy timeout. What it writes is visible
// to the running server at once: the server looks up an access key it has
// not seen in the database, and caches nothing negative; it checks the
// store's revocation generation before it accepts a token.
package admin

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/arcahq/arca/internal/config"
	"github.com/arcahq/arca/internal/identity"
	"github.com/arcahq/arca/internal/sealed"
	"github.com/arcahq/arca/internal/store"
	"github.com/arcahq/arca/internal/store/engine"
	"github.com/arcahq/arca/internal/token"
)

// DatabaseFile is the name of the SQLite database in the data directory.
const DatabaseFile = engine.DatabaseFile

// Dir names a server's data directory (or shared database) and the master
// key that encrypts the secrets in its database.
type Dir struct {
	Data string
	// Database is the server's --database: "" for SQLite in Data, or
	// the PostgreSQL URL the replicas share.
	Database string
	// MasterKey is ARCA_MASTER_KEY's value; MasterKeyFile the key file.
	// With neither, the key is <Data>/master.key (see package sealed).
	MasterKey     string
	MasterKeyFile string
}

// Open opens the directory of the server whose data directory is d. It
// refuses a directory that holds no database, rather than creating an
// empty one beside a server that uses another directory.
func Open(ctx context.Context, d Dir) (*identity.Directory, func() error, error) {
	st, err := openStore(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	return identity.NewDirectory(st, time.Now), st.Close, nil
}

// openStore opens the metadata store of the server whose data directory
// (or shared database) is d, refusing a data directory that holds no
// database, and a master key that does not open its secrets. It never
// creates a master key.
func openStore(ctx context.Context, d Dir) (store.Store, error) {
	if engine.Shared(d.Database) && d.MasterKey == "" && d.MasterKeyFile == "" {
		return nil, fmt.Errorf("with --database, give the replicas' master key: %s or --master-key-file", config.EnvMasterKey)
	}
	st, _, err := sealed.OpenStore(ctx, sealed.Source{Env: d.MasterKey, File: d.MasterKeyFile, Data: d.Data},
		func() (store.Store, error) { return engine.Open(ctx, d.Database, d.Data, false) })
	if err != nil {
		return nil, err // not a typed nil in the interface
	}
	return st, nil
}

// dataFlag adds the --data flag (default ARCA_DATA, else the server's
// default), --database (ARCA_DATABASE) and --master-key-file
// (ARCA_MASTER_KEY_FILE) to cmd and its subcommands; the master key itself
// comes from ARCA_MASTER_KEY.
func dataFlag(cmd *cobra.Command) *Dir {
	d := &Dir{Data: config.Defaults().Data, Database: os.Getenv(config.EnvDatabase),
		MasterKey: os.Getenv(config.EnvMasterKey), MasterKeyFile: os.Getenv(config.EnvMasterKeyFile)}
	if v, ok := os.LookupEnv(config.EnvData); ok {
		d.Data = v
	}
	cmd.PersistentFlags().StringVar(&d.Data, "data", d.Data, "the server's data directory ("+config.EnvData+")")
	cmd.PersistentFlags().StringVar(&d.Database, "database", d.Database,
		"the PostgreSQL database the replicas share, postgres://USER@HOST:PORT/DB; default the SQLite database in --data ("+config.EnvDatabase+")")
	cmd.PersistentFlags().StringVar(&d.MasterKeyFile, "master-key-file", d.MasterKeyFile,
		"the server's master key file ("+config.EnvMasterKeyFile+"; default <data>/master.key unless "+config.EnvMasterKey+" is set)")
	return d
}

// CreateAccount creates an account with its root access key in the server
// at data and returns the root credentials.
func CreateAccount(ctx context.Context, data Dir, accountID string) (identity.Root, error) {
	dir, closeFn, err := Open(ctx, data)
	if err != nil {
		return identity.Root{}, err
	}
	defer closeFn()
	return dir.CreateAccount(ctx, accountID)
}

// Command returns `arca admin` and its subcommands, writing to out.
func Command(out, errOut io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Administer a server: accounts (what IAM has no API for)",
		Long: `Administer the server whose data directory is --data (ARCA_DATA), or the
replicas whose shared database is --database (ARCA_DATABASE), on the database
directly. Safe while servers run.`,
	}
	data := dataFlag(cmd)

	var accountID string
	create := &cobra.Command{
		Use:   "create-account",
		Short: "Create an account and print its root credentials (JSON)",
		Long: `Create an account (a random 12-digit id, or --account-id) with a root access
key, and print the root credentials as JSON on stdout, once: keep them, they
cannot be shown again. Use them with the AWS CLI to create the account's IAM
users and roles.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := CreateAccount(cmd.Context(), *data, accountID)
			if err != nil {
				return err
			}
			if err := printJSON(out, r); err != nil {
				return err
			}
			fmt.Fprintf(errOut, "Created account %s. Its root credentials are shown once, above.\n", r.AccountID)
			return nil
		},
	}
	create.Flags().StringVar(&accountID, "account-id", "", "the 12-digit id of the new account (random when empty)")

	var asJSON bool
	listCmd := &cobra.Command{
		Use:   "list-accounts",
		Short: "List the server's accounts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, closeFn, err := Open(cmd.Context(), *data)
			if err != nil {
				return err
			}
			defer closeFn()
			accts, err := dir.ListAccounts(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				type account struct {
					AccountID string    `json:"accountId"`
					Created   time.Time `json:"createdTime"`
				}
				list := make([]account, len(accts))
				for i, a := range accts {
					list[i] = account{a.ID, a.CreatedAt}
				}
				return printJSON(out, map[string]any{"accounts": list})
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ACCOUNT\tCREATED")
			for _, a := range accts {
				fmt.Fprintf(tw, "%s\t%s\n", a.ID, a.CreatedAt.Format(time.RFC3339))
			}
			return tw.Flush()
		},
	}
	listCmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(create, listCmd, rotateCommand(out, data))
	return cmd
}

// RotateSigningKey makes a new current token-signing key in the server at
// data and returns its id. Tokens signed with the previous keys keep
// verifying until they expire: a previous key retires token.RetireAfter
// after now.
func RotateSigningKey(ctx context.Context, data Dir, now time.Time) (uint32, error) {
	st, err := openStore(ctx, data)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	return token.Rotate(ctx, st, now)
}

func rotateCommand(out io.Writer, data *Dir) *cobra.Command {
	return &cobra.Command{
		Use:   "rotate-signing-key",
		Short: "Make a new current token-signing key; tokens already issued keep working until they expire",
		Long: `Make a new token-signing key the current one. Servers sign new authorization
tokens with it within a minute (at once after a restart). Tokens signed with
the previous key keep verifying until that key retires, ` + token.RetireAfter.String() + ` from now (the
longest a token lives, plus clock skew); retired keys are deleted. Servers also
make a new key by themselves when the current one is ` + fmt.Sprint(token.RotateEvery.Hours()/24) + ` days old.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now().UTC()
			id, err := RotateSigningKey(cmd.Context(), *data, now)
			if err != nil {
				return err
			}
			return printJSON(out, map[string]any{"keyId": fmt.Sprintf("%08x", id), "createdTime": now,
				"previousKeysRetire": now.Add(token.RetireAfter)})
		},
	}
}
